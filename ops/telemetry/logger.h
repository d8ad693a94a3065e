// Logger: the process's log on stderr, one line per entry, as JSON lines (`{"ts","level",
// "component","msg",...fields}`) or as text, filtered by level (`xyd serve --log-format json|text
// --log-level debug|info|warn|error`). Once installed, every line written to std::cerr goes through
// it too (component "stderr", level guessed from the line). One per process; any thread (each
// entry is written with one write under a mutex).
#pragma once

#include <atomic>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace xyd::telemetry {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };
enum class Format { json, text };

std::optional<Level> parse_level(std::string_view text);
std::optional<Format> parse_format(std::string_view text);
const char* level_name(Level level);

// The process's logger (text at info until configured).
class Logger {
 public:
  void configure(Format format, Level level);
  bool enabled(Level level) const;
  // Writes one entry; `fields` (an object) adds keys beside ts/level/component/msg.
  void write(Level level, std::string_view component, std::string_view message,
             const nlohmann::json& fields = nlohmann::json::object());
  // The line an entry becomes (without the newline), for tests.
  std::string format_line(Level level, std::string_view component, std::string_view message,
                          const nlohmann::json& fields) const;
  // Sends std::cerr's lines through write() from now on (idempotent).
  void capture_std_cerr();

 private:
  std::atomic<int> level_{static_cast<int>(Level::info)};
  std::atomic<int> format_{static_cast<int>(Format::text)};
};

Logger& logger();

inline void log(Level level, std::string_view component, std::string_view message,
                const nlohmann::json& fields = nlohmann::json::object()) {
  logger().write(level, component, message, fields);
}

}  // namespace xyd::telemetry

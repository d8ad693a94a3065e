#include "ops/telemetry/logger.h"

#include <iostream>
#include <mutex>
#include <streambuf>

#include "events/codec.h"

namespace xyd::telemetry {
namespace {

std::mutex& write_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::string timestamp() {
  return events::now_rfc3339();
}

// The level a free-form stderr line reads as.
Level guess_level(std::string_view line) {
  if (line.find("error") != std::string_view::npos || line.find("failed") != std::string_view::npos)
    return Level::error;
  if (line.find("warning") != std::string_view::npos) return Level::warn;
  return Level::info;
}

// std::cerr's buffer once captured: collects each thread's characters up to a newline and logs
// the line. Per-thread buffers, so lines of different threads never mix.
class LineCapture final : public std::streambuf {
 protected:
  int_type overflow(int_type c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    put(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) put(s[i]);
    return n;
  }

 private:
  static std::string& pending() {
    thread_local std::string line;
    return line;
  }
  void put(char c) {
    auto& line = pending();
    if (c != '\n') {
      if (line.size() < 64 * 1024) line += c;
      return;
    }
    logger().write(guess_level(line), "stderr", line);
    line.clear();
  }
};

}  // namespace

std::optional<Level> parse_level(std::string_view text) {
  if (text == "debug") return Level::debug;
  if (text == "info") return Level::info;
  if (text == "warn") return Level::warn;
  if (text == "error") return Level::error;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view text) {
  if (text == "json") return Format::json;
  if (text == "text") return Format::text;
  return std::nullopt;
}

const char* level_name(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

void Logger::configure(Format format, Level level) {
  format_.store(static_cast<int>(format));
  level_.store(static_cast<int>(level));
}

bool Logger::enabled(Level level) const {
  return static_cast<int>(level) >= level_.load();
}

std::string Logger::format_line(Level level, std::string_view component, std::string_view message,
                                const nlohmann::json& fields) const {
  using nlohmann::json;
  if (static_cast<Format>(format_.load()) == Format::json) {
    json entry = {{"ts", timestamp()},
                  {"level", level_name(level)},
                  {"component", std::string(component)},
                  {"msg", std::string(message)}};
    if (fields.is_object())
      for (const auto& [key, value] : fields.items())
        if (!entry.contains(key)) entry[key] = value;
    return entry.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  std::string line = timestamp() + " " + level_name(level) + " " + std::string(component) + ": " + std::string(message);
  if (fields.is_object())
    for (const auto& [key, value] : fields.items())
      line += " " + key + "=" +
              (value.is_string() ? value.get_ref<const std::string&>()
                                 : value.dump(-1, ' ', false, json::error_handler_t::replace));
  return line;
}

void Logger::write(Level level, std::string_view component, std::string_view message, const nlohmann::json& fields) {
  if (!enabled(level)) return;
  std::string line = format_line(level, component, message, fields);
  line += '\n';
  std::lock_guard lock(write_mutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

void Logger::capture_std_cerr() {
  static LineCapture capture;
  std::cerr.rdbuf(&capture);
}

Logger& logger() {
  static Logger instance;
  return instance;
}

}  // namespace xyd::telemetry

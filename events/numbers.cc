#include "events/numbers.h"

#include <charconv>
#include <string>

namespace xyd {

std::optional<int64_t> whole_number(std::string_view text, int64_t min, int64_t max) {
  if (text.empty() || (text[0] == '-' && min >= 0)) return std::nullopt;
  int64_t value = 0;
  const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (failure != std::errc() || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
  return value;
}

Result<int64_t> read_whole_number(std::string_view text, int64_t min, int64_t max, const std::string& field,
                                  const std::string& what, const std::string& rule) {
  if (auto value = whole_number(text, min, max)) return *value;
  std::string shown(text.substr(0, 40));
  return make_error(Errc::invalid_argument,
                    what + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                        ", not '" + shown + (text.size() > 40 ? "…" : "") + "'",
                    field, rule);
}

Result<int64_t> read_stored_number(std::string_view text, int64_t min, int64_t max, const std::string& what) {
  if (auto value = whole_number(text, min, max)) return *value;
  return make_error(Errc::corrupt, what + " is stored as '" + std::string(text.substr(0, 40)) +
                                       "', not a whole number from " + std::to_string(min) + " to " +
                                       std::to_string(max) + ": the store is damaged; rebuild it or restore a backup");
}

}  // namespace xyd

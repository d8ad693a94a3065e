#include "events/json_input.h"

namespace xyd::events {
namespace {

// One pass over the bytes, outside and inside strings, without recursion: the deepest nesting
// and the longest string (escapes counted as written, an upper bound of the decoded length).
Status check_shape(std::string_view bytes, const JsonLimits& limits, const std::string& what) {
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t string_length = 0;
  for (char c : bytes) {
    if (in_string) {
      if (++string_length > limits.max_string)
        return make_error(Errc::invalid_argument,
                          what + " holds a string longer than " + std::to_string(limits.max_string) + " bytes", what,
                          "max-string-length");
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      string_length = 0;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth)
        return make_error(Errc::invalid_argument,
                          what + " nests arrays and objects deeper than " + std::to_string(limits.max_depth) +
                              " levels",
                          what, "max-depth");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status();
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view bytes, const JsonLimits& limits, const std::string& what) {
  if (bytes.size() > limits.max_bytes)
    return make_error(Errc::invalid_argument,
                      what + " has " + std::to_string(bytes.size()) + " bytes; the limit is " +
                          std::to_string(limits.max_bytes),
                      what, "max-size");
  XYD_RETURN_IF_ERROR(check_shape(bytes, limits, what));
  nlohmann::json parsed = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return make_error(Errc::invalid_argument, what + " is not valid JSON (UTF-8 encoded)", what, "json");
  return parsed;
}

Result<nlohmann::json> parse_json_object(std::string_view bytes, const JsonLimits& limits, const std::string& what) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json parsed, parse_json(bytes, limits, what));
  if (!parsed.is_object()) return make_error(Errc::invalid_argument, what + " must be a JSON object", what, "object");
  return parsed;
}

}  // namespace xyd::events

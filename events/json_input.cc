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
    if (c == '\0') {
      // nlohmann/json's lexer takes a NUL for the end of input: what follows would go unread.
      return make_error(Errc::invalid_argument, what + " holds a NUL byte outside a string", what, "json");
    }
    if (c == '"') {
      in_string = true;
      string_length = 0;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_depth)
        return make_error(
            Errc::invalid_argument,
            what + " nests arrays and objects deeper than " + std::to_string(limits.max_depth) + " levels", what,
            "max-depth");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status();
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view bytes, const JsonLimits& limits, const std::string& what) {
  if (bytes.size() > limits.max_bytes)
    return make_error(
        Errc::invalid_argument,
        what + " has " + std::to_string(bytes.size()) + " bytes; the limit is " + std::to_string(limits.max_bytes),
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

bool is_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    uint32_t code = 0, min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      length = 2, code = c & 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3, code = c & 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4, code = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    if (code < min || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

namespace {
const nlohmann::json* member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
}  // namespace

std::string string_or(const nlohmann::json& object, std::string_view key, std::string fallback) {
  const auto* m = member(object, key);
  return m && m->is_string() ? m->get_ref<const std::string&>() : fallback;
}

int64_t int_or(const nlohmann::json& object, std::string_view key, int64_t fallback) {
  const auto* m = member(object, key);
  if (!m || !m->is_number_integer()) return fallback;
  if (m->is_number_unsigned())
    return m->get_ref<const nlohmann::json::number_unsigned_t&>() > uint64_t(INT64_MAX)
               ? fallback
               : int64_t(m->get_ref<const nlohmann::json::number_unsigned_t&>());
  return m->get_ref<const nlohmann::json::number_integer_t&>();
}

bool bool_or(const nlohmann::json& object, std::string_view key, bool fallback) {
  const auto* m = member(object, key);
  return m && m->is_boolean() ? m->get_ref<const nlohmann::json::boolean_t&>() : fallback;
}

nlohmann::json object_or_empty(const nlohmann::json& object, std::string_view key) {
  const auto* m = member(object, key);
  return m && m->is_object() ? *m : nlohmann::json::object();
}

nlohmann::json array_or_empty(const nlohmann::json& object, std::string_view key) {
  const auto* m = member(object, key);
  return m && m->is_array() ? *m : nlohmann::json::array();
}

nlohmann::json member_or_null(const nlohmann::json& object, std::string_view key) {
  const auto* m = member(object, key);
  return m ? *m : nlohmann::json();
}

}  // namespace xyd::events

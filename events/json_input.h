// Untrusted JSON in: the one parser every request body, log record, input record and file goes
// through. It refuses, as a value and never by throwing, bytes over a size limit, nesting deeper
// than a depth limit (counted on the bytes before any recursive code sees them), strings longer
// than a cap, invalid JSON and ill-formed UTF-8. Pure; any thread.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "events/result.h"

namespace xyd::events {

struct JsonLimits {
  size_t max_bytes = 1 << 20;     // the whole document
  int max_depth = 32;             // arrays and objects inside one another
  size_t max_string = 64 * 1024;  // any one string or key, in bytes
};

// The limits of a request body or an input record (the defaults above).
inline constexpr JsonLimits kInputLimits{};
// The limits of the log's own records (events, commands, outcomes, rows): larger, still bounded.
inline constexpr JsonLimits kRecordLimits{16 << 20, 64, 1 << 20};

// Parses `bytes` as JSON within `limits`; a refusal is invalid_argument naming `what` (for
// example "body" or "value") and the rule: "max-size", "max-depth", "max-string-length" or "json".
Result<nlohmann::json> parse_json(std::string_view bytes, const JsonLimits& limits = kInputLimits,
                                  const std::string& what = "body");

// The same, and the document must be an object (rule "object").
Result<nlohmann::json> parse_json_object(std::string_view bytes, const JsonLimits& limits = kInputLimits,
                                         const std::string& what = "body");

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlongs, surrogates or code points past
// U+10FFFF).
bool is_utf8(std::string_view text);

// Lenient reads of a record the platform wrote itself (a stored outcome, state or row): never
// throw; a missing member, a non-object or a member of another type gives the fallback. Input
// from outside is read with the checked helpers instead, which refuse naming the field.
std::string string_or(const nlohmann::json& object, std::string_view key, std::string fallback = {});
int64_t int_or(const nlohmann::json& object, std::string_view key, int64_t fallback = 0);
bool bool_or(const nlohmann::json& object, std::string_view key, bool fallback = false);
nlohmann::json object_or_empty(const nlohmann::json& object, std::string_view key);
nlohmann::json array_or_empty(const nlohmann::json& object, std::string_view key);
nlohmann::json member_or_null(const nlohmann::json& object, std::string_view key);

}  // namespace xyd::events

// Field extraction for decide functions: each reads one field of a command's body (or context)
// and returns its value or an invalid_argument naming the field and the rule ("required",
// "integer", "date", ...). Shared by every aggregate of the financing lifecycle. Pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "events/result.h"

namespace xyd::domain {

// The refusal every decide returns: a code, a message, the field and the rule.
inline Error refuse(Errc code, const std::string& message, const std::string& field, const std::string& rule) {
  return make_error(code, message, field, rule);
}

// The Status of a Result (its value dropped): for checks that only validate.
template <typename T>
Status as_status(const Result<T>& result) {
  return result.ok() ? Status() : Status(result.error());
}

// A non-empty string.
Result<std::string> required_string(const nlohmann::json& body, const std::string& field);
// Absent or null: nullopt; present: must be a string (empty allowed).
Result<std::optional<std::string>> optional_string(const nlohmann::json& body, const std::string& field);
// An integer (never a float) within [min, max].
Result<int64_t> required_int(const nlohmann::json& body, const std::string& field, int64_t min = INT64_MIN,
                             int64_t max = INT64_MAX);
Result<bool> required_bool(const nlohmann::json& body, const std::string& field);
Result<bool> optional_bool(const nlohmann::json& body, const std::string& field, bool fallback);
// A calendar date "YYYY-MM-DD" that exists.
Result<std::string> required_date(const nlohmann::json& body, const std::string& field);
// An RFC 3339 instant "YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)" or a date "YYYY-MM-DD".
Result<std::string> required_date_or_instant(const nlohmann::json& body, const std::string& field);
// A required string that is one of `allowed` (rule `rule`, default "one-of").
Result<std::string> required_one_of(const nlohmann::json& body, const std::string& field,
                                    const std::vector<std::string>& allowed, const std::string& rule = "one-of");
// An array of non-empty strings (at least `min_items`).
Result<std::vector<std::string>> required_string_list(const nlohmann::json& body, const std::string& field,
                                                      size_t min_items = 1);
// A JSON object.
Result<nlohmann::json> required_object(const nlohmann::json& body, const std::string& field);

// Whether `text` is a real date "YYYY-MM-DD".
bool is_date(const std::string& text);

// A fact the server put in the command's context: missing is an invalid_argument naming
// "context.<path>" with rule "context-fact" (the server did not fill it in).
Result<nlohmann::json> context_object(const nlohmann::json& context, const std::string& name);

}  // namespace xyd::domain

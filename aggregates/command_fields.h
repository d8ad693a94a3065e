// The one dictionary of command body fields: each field name the write side knows, with the JSON
// type it must have, and its limits (string length, integer range). Every command body is checked
// against it before access and decide run, so decide functions only ever see the declared type
// of a declared field; an undeclared field is refused. Pure; the table is read-only.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"

namespace xyd::domain {

// The ceiling of any one amount in fen: 10^14 fen (one trillion yuan). Sums of amounts are added
// with checked arithmetic (money.h); any one amount above this is refused at the edge.
inline constexpr int64_t kMaxAmountFen = 100'000'000'000'000;

enum class FieldType {
  text,       // a string of at most 256 bytes
  long_text,  // a string of at most 4096 bytes (reasons, descriptions, comments)
  amount,     // an integer number of fen in [0, kMaxAmountFen]
  count,      // an integer in [0, 10^9] (days, months, seconds, scores, basis points)
  boolean,
  string_list,  // an array of at most 512 strings of at most 256 bytes
  object,       // a JSON object (its members are checked by the command's decide)
  scalar,       // a string, a number or a boolean or null (a profile value before/after a change)
};

struct FieldSpec {
  std::string_view name;
  FieldType type;
};

// Every declared field, for tests and documentation.
const std::vector<FieldSpec>& command_fields();

// Refuses (invalid_argument, naming the field) a body that is not an object, has an undeclared
// field, or a field of the wrong type or out of its limits. Commands whose body is open to
// rule-set facts (a certification's submission) accept undeclared fields as scalars.
[[nodiscard]] Status check_command_body(const std::string& command_name, const nlohmann::json& body);

}  // namespace xyd::domain

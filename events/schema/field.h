// How an event's data is declared (events/schema/<aggregate>.h): each field's name, its kind and
// whether every event of the type carries it. The catalog (events/catalog.h) is made from these
// declarations; check_data() holds an event's data to them. Pure; any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"

namespace xyd::events {

enum class FieldKind {
  text,          // a string
  fen,           // an amount: a whole number of fen (分)
  basis_points,  // a rate: a whole number of basis points
  count,         // any other whole number (months, days, an installment, a score)
  date,          // "YYYY-MM-DD"
  instant,       // RFC 3339 date and time
  flag,          // true or false
  list,          // an array
  object,        // an object
  any,           // more than one of the above (a changed field's before/after)
};

struct FieldSpec {
  std::string name;
  FieldKind kind = FieldKind::text;
  bool required = true;  // every event of the type carries it (optional fields: only some do)
};

// Rewrites the data of an event of schema version N into version N + 1.
using Upcaster = std::function<Status(nlohmann::json& data)>;

struct EventSpec {
  std::string name;                            // "LoanDisbursed"
  std::vector<FieldSpec> fields;               // of the current schema version
  int32_t version = 1;                         // the current schema version
  std::map<int32_t, Upcaster> upcasters = {};  // from version N (the key) to N + 1
};

// The events of one aggregate, in the order shared/DOMAIN.md lists them.
struct AggregateEvents {
  std::string_view aggregate;  // "application"
  std::vector<EventSpec> events;
};

// An optional field (a FieldSpec with required = false).
inline FieldSpec optional(std::string name, FieldKind kind) {
  return FieldSpec{std::move(name), kind, false};
}

// The kind's name, for messages ("fen").
std::string_view kind_name(FieldKind kind);
// Whether `value` is of `kind` (a date or an instant: a string of that shape).
bool is_kind(const nlohmann::json& value, FieldKind kind);
// `data` of `event` against its declared `fields`: an object, every required field present, no undeclared field, every
// field of its kind. invalid_argument naming "data.<field>" and the rule ("required",
// "declared", "kind") otherwise.
[[nodiscard]] Status check_data(const std::string& event, const std::vector<FieldSpec>& fields,
                                const nlohmann::json& data);

}  // namespace xyd::events

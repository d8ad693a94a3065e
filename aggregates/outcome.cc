#include "aggregates/outcome.h"

#include "events/json_input.h"

namespace xyd::domain {

nlohmann::json to_json(const Outcome& o) {
  nlohmann::json j = {
      {"command_id", o.command_id},
      {"correlation_id", o.correlation_id},
      {"aggregate_type", o.aggregate_type},
      {"aggregate_id", o.aggregate_id},
      {"body_hash", o.body_hash},
      {"accepted", o.accepted},
      {"replayed", o.replayed},
      {"version", o.version},
      {"events", o.events},
  };
  if (o.error)
    j["error"] = {{"code", errc_name(o.error->code)},
                  {"message", o.error->message},
                  {"field", o.error->field},
                  {"rule", o.error->rule}};
  return j;
}

Outcome outcome_from_json(const nlohmann::json& j) {
  using events::string_or;
  Outcome o;
  o.command_id = string_or(j, "command_id");
  o.correlation_id = string_or(j, "correlation_id");
  o.aggregate_type = string_or(j, "aggregate_type");
  o.aggregate_id = string_or(j, "aggregate_id");
  o.body_hash = string_or(j, "body_hash");
  o.accepted = events::bool_or(j, "accepted");
  o.replayed = events::bool_or(j, "replayed");
  o.version = events::int_or(j, "version");
  o.events = events::array_or_empty(j, "events");
  if (auto e = events::object_or_empty(j, "error"); !e.empty())
    o.error = make_error(errc_from_name(string_or(e, "code", "fatal")), string_or(e, "message"), string_or(e, "field"),
                         string_or(e, "rule"));
  return o;
}

}  // namespace xyd::domain

#include "aggregates/command.h"

#include "events/json_input.h"

namespace xyd::domain {

nlohmann::json to_json(const Command& c) {
  nlohmann::json j = {
      {"id", c.id},
      {"name", c.name},
      {"aggregate_type", c.aggregate_type},
      {"aggregate_id", c.aggregate_id},
      {"actor", events::to_json(c.actor)},
      {"correlation_id", c.correlation_id},
      {"body_hash", c.body_hash},
      {"body", c.body},
  };
  if (!c.context.empty()) j["context"] = c.context;
  if (c.expected_version) j["expected_version"] = *c.expected_version;
  return j;
}

Result<Command> command_from_json(const nlohmann::json& j) {
  using events::string_or;
  if (!j.is_object()) return make_error(Errc::invalid_argument, "a command must be a JSON object", "command", "object");
  for (const char* field : {"id", "name", "aggregate_type", "aggregate_id"}) {
    if (string_or(j, field).empty())
      return make_error(Errc::invalid_argument, std::string("command.") + field + " is missing (a string)", field,
                        "required");
  }
  for (const char* field : {"actor", "body", "context"}) {
    if (j.contains(field) && !j[field].is_object())
      return make_error(Errc::invalid_argument, std::string("command.") + field + " must be an object", field,
                        "object");
  }
  Command c;
  c.id = string_or(j, "id");
  c.name = string_or(j, "name");
  c.aggregate_type = string_or(j, "aggregate_type");
  c.aggregate_id = string_or(j, "aggregate_id");
  c.actor = events::actor_from_json(events::object_or_empty(j, "actor"));
  c.correlation_id = string_or(j, "correlation_id");
  c.body_hash = string_or(j, "body_hash");
  c.body = events::object_or_empty(j, "body");
  c.context = events::object_or_empty(j, "context");
  if (j.contains("expected_version")) {
    const int64_t version = events::int_or(j, "expected_version", -1);
    if (version < 0)
      return make_error(Errc::invalid_argument, "expected_version must be an integer from 0", "expected_version",
                        "integer");
    c.expected_version = version;
  }
  return c;
}

nlohmann::json to_json(const AggregateState& s) {
  return {{"version", s.version}, {"last_hash", s.last_hash}, {"data", s.data}};
}

AggregateState state_from_json(const nlohmann::json& j) {
  AggregateState s;
  s.version = events::int_or(j, "version");
  s.last_hash = events::string_or(j, "last_hash");
  s.data = events::object_or_empty(j, "data");
  return s;
}

}  // namespace xyd::domain

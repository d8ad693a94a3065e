#include "aggregates/command.h"

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
  if (!j.is_object()) return make_error(Errc::invalid_argument, "a command must be a JSON object", "command", "object");
  Command c;
  for (const char* field : {"id", "name", "aggregate_type", "aggregate_id"}) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
      return make_error(Errc::invalid_argument, std::string("command.") + field + " is missing", field, "required");
  }
  c.id = j["id"];
  c.name = j["name"];
  c.aggregate_type = j["aggregate_type"];
  c.aggregate_id = j["aggregate_id"];
  c.actor = events::actor_from_json(j.value("actor", nlohmann::json::object()));
  c.correlation_id = j.value("correlation_id", "");
  c.body_hash = j.value("body_hash", "");
  c.body = j.value("body", nlohmann::json::object());
  c.context = j.value("context", nlohmann::json::object());
  if (j.contains("expected_version")) {
    if (!j["expected_version"].is_number_integer())
      return make_error(Errc::invalid_argument, "expected_version must be an integer", "expected_version", "integer");
    c.expected_version = j["expected_version"].get<int64_t>();
  }
  return c;
}

nlohmann::json to_json(const AggregateState& s) {
  return {{"version", s.version}, {"last_hash", s.last_hash}, {"data", s.data}};
}

AggregateState state_from_json(const nlohmann::json& j) {
  AggregateState s;
  s.version = j.value("version", int64_t{0});
  s.last_hash = j.value("last_hash", "");
  s.data = j.value("data", nlohmann::json::object());
  return s;
}

}  // namespace xyd::domain

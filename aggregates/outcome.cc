#include "aggregates/outcome.h"

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
  Outcome o;
  o.command_id = j.value("command_id", "");
  o.correlation_id = j.value("correlation_id", "");
  o.aggregate_type = j.value("aggregate_type", "");
  o.aggregate_id = j.value("aggregate_id", "");
  o.body_hash = j.value("body_hash", "");
  o.accepted = j.value("accepted", false);
  o.replayed = j.value("replayed", false);
  o.version = j.value("version", int64_t{0});
  o.events = j.value("events", nlohmann::json::array());
  if (j.contains("error") && j["error"].is_object()) {
    const auto& e = j["error"];
    o.error = make_error(errc_from_name(e.value("code", "fatal")), e.value("message", ""), e.value("field", ""),
                         e.value("rule", ""));
  }
  return o;
}

}  // namespace xyd::domain

#include "connectors/dead_letter.h"

#include <algorithm>

#include "aggregates/fields.h"
#include "events/codec.h"
#include "events/json_input.h"

namespace xyd::connectors {

using nlohmann::json;

json to_json(const DeadLetter& letter) {
  json reason = {{"code", errc_name(letter.reason.code)},
                 {"status", letter.status},
                 {"detail", letter.reason.message},
                 {"field", letter.reason.field},
                 {"rule", letter.reason.rule}};
  return {{"schema", kDeadLetterSchema},
          {"id", letter.id},
          {"source", letter.source},
          {"channel", letter.channel},
          {"institution", letter.institution},
          {"serial", letter.serial},
          {"application", letter.application},
          {"type", letter.type},
          {"business_date", letter.business_date},
          {"amount", letter.amount},
          {"reason", reason},
          {"original", letter.original},
          {"received_at", events::rfc3339_from_ms(letter.received_ms)},
          {"received_ms", letter.received_ms}};
}

namespace {

// A string member, "" when absent or null; a member of another type makes the letter corrupt.
Result<std::string> text(const json& object, const std::string& name) {
  XYD_ASSIGN_OR_RETURN(auto value, domain::optional_string(object, name));
  return value.value_or("");
}

// An integer member, 0 when absent.
Result<int64_t> integer(const json& object, const std::string& name) {
  if (!object.contains(name)) return int64_t{0};
  return domain::required_int(object, name);
}

// An object member, {} when absent.
Result<json> object_member(const json& object, const std::string& name) {
  if (!object.contains(name)) return json::object();
  return domain::required_object(object, name);
}

}  // namespace

Result<DeadLetter> dead_letter_from_json(std::string_view bytes) {
  const Error not_one = make_error(Errc::corrupt, "not a " + std::string(kDeadLetterSchema) + " record");
  auto parsed = events::parse_json_object(bytes, events::kRecordLimits, "dead letter");
  if (!parsed.ok()) return not_one;
  auto schema = domain::optional_string(*parsed, "schema");
  if (!schema.ok() || *schema != std::string(kDeadLetterSchema)) return not_one;
  auto read = [&](const json& j) -> Result<DeadLetter> {
    DeadLetter letter;
    XYD_ASSIGN_OR_RETURN(letter.id, domain::required_string(j, "id"));
    XYD_ASSIGN_OR_RETURN(letter.source, text(j, "source"));
    XYD_ASSIGN_OR_RETURN(letter.channel, text(j, "channel"));
    XYD_ASSIGN_OR_RETURN(letter.institution, text(j, "institution"));
    XYD_ASSIGN_OR_RETURN(letter.serial, text(j, "serial"));
    XYD_ASSIGN_OR_RETURN(letter.application, text(j, "application"));
    XYD_ASSIGN_OR_RETURN(letter.type, text(j, "type"));
    XYD_ASSIGN_OR_RETURN(letter.business_date, text(j, "business_date"));
    XYD_ASSIGN_OR_RETURN(letter.amount, integer(j, "amount"));
    XYD_ASSIGN_OR_RETURN(json reason, object_member(j, "reason"));
    XYD_ASSIGN_OR_RETURN(std::string code, text(reason, "code"));
    XYD_ASSIGN_OR_RETURN(std::string detail, text(reason, "detail"));
    XYD_ASSIGN_OR_RETURN(std::string field, text(reason, "field"));
    XYD_ASSIGN_OR_RETURN(std::string rule, text(reason, "rule"));
    letter.reason = make_error(errc_from_name(code.empty() ? "fatal" : code), detail, field, rule);
    XYD_ASSIGN_OR_RETURN(int64_t status, integer(reason, "status"));
    letter.status = static_cast<int>(std::clamp<int64_t>(status, 0, 999));
    XYD_ASSIGN_OR_RETURN(letter.original, object_member(j, "original"));
    XYD_ASSIGN_OR_RETURN(letter.received_ms, integer(j, "received_ms"));
    return letter;
  };
  auto letter = read(*parsed);
  if (!letter.ok()) return make_error(Errc::corrupt, "dead letter: " + letter.error().message);
  return letter;
}

json raw_text(std::string_view bytes) {
  return json::parse(dump_text(json(std::string(bytes))), nullptr, false);
}

std::string dump_text(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

log::OutRecord to_record(const DeadLetter& letter) {
  log::OutRecord record{std::string(kDeadLetterTopic), letter.institution, dump_text(to_json(letter)), {}, {}};
  // The id names the delivery, so a dead letter recorded again after a crash is the same event.
  record.headers = events::cloudevent_headers(
      {letter.id.empty() ? events::uuid_v7() : letter.id, "/xyd/" + letter.channel, "xyd.dead-letter.recorded.v1",
       letter.institution, events::rfc3339_from_ms(letter.received_ms), "application/json"});
  record.headers.push_back({"xyd_dead_letter_id", letter.id});
  record.headers.push_back({"xyd_schema", std::string(kDeadLetterSchema)});
  return record;
}

}  // namespace xyd::connectors

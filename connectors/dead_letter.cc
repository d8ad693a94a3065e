#include "connectors/dead_letter.h"

#include "events/codec.h"

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

Result<DeadLetter> dead_letter_from_json(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("schema", "") != kDeadLetterSchema || !j.contains("id"))
    return make_error(Errc::corrupt, "not a " + std::string(kDeadLetterSchema) + " record");
  try {
    DeadLetter letter;
    letter.id = j.at("id").get<std::string>();
    letter.source = j.value("source", "");
    letter.channel = j.value("channel", "");
    letter.institution = j.value("institution", "");
    letter.serial = j.value("serial", "");
    letter.application = j.value("application", "");
    letter.type = j.value("type", "");
    letter.business_date = j.value("business_date", "");
    letter.amount = j.value("amount", int64_t{0});
    const json reason = j.value("reason", json::object());
    letter.reason = make_error(errc_from_name(reason.value("code", "fatal")), reason.value("detail", ""),
                               reason.value("field", ""), reason.value("rule", ""));
    letter.status = reason.value("status", 0);
    letter.original = j.value("original", json::object());
    letter.received_ms = j.value("received_ms", int64_t{0});
    return letter;
  } catch (const json::exception& e) {
    return make_error(Errc::corrupt, std::string("dead letter: ") + e.what());
  }
}

log::OutRecord to_record(const DeadLetter& letter) {
  return {std::string(kDeadLetterTopic), letter.institution, to_json(letter).dump(),
          {{"xyd_dead_letter_id", letter.id}, {"xyd_schema", std::string(kDeadLetterSchema)}}, {}};
}

}  // namespace xyd::connectors

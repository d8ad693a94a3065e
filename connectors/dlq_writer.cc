#include "connectors/dlq_writer.h"

#include "connectors/dead_letter.h"
#include "events/codec.h"
#include "ops/telemetry/metrics.h"

namespace xyd::connectors {

nlohmann::json to_json(const DeadLetterRecord& letter) {
  return {{"schema", kDeadLetterSchemaV1},
          {"id", letter.id},
          {"source", letter.source},
          {"key", letter.key},
          {"reason",
           {{"code", errc_name(letter.reason.code)},
            {"message", letter.reason.message},
            {"field", letter.reason.field},
            {"rule", letter.reason.rule}}},
          {"record", letter.record},
          {"at", events::rfc3339_from_ms(letter.at_ms)}};
}

Status write_dead_letter(log::EventLog& log, const DeadLetterRecord& letter) {
  log::OutRecord record{kDlqTopic, letter.key, dump_text(to_json(letter)), {}, std::nullopt};
  record.headers = events::cloudevent_headers({letter.id.empty() ? events::uuid_v7() : letter.id,
                                               "/xyd/" + letter.source, "xyd.dead-letter.recorded.v1", letter.key,
                                               events::rfc3339_from_ms(letter.at_ms), "application/json"});
  record.headers.push_back({"xyd_source", letter.source});
  record.headers.push_back({"xyd_reason", letter.reason.rule});
  auto appended = log.append(std::span<const log::OutRecord>(&record, 1));
  if (!appended.ok()) return appended.error();
  telemetry::metrics().dead_letter(letter.source);
  return Status();
}

}  // namespace xyd::connectors

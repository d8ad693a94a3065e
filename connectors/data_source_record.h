// A data-source record: an enterprise change or a risk signal a data source (judicial, tax,
// market-supervision feeds) sends over HTTP or on the topic xyd.data-sources, and the enterprise
// command it becomes. Schema "xyd.data-source.v1":
//   {"schema","record_id","uscc","kind":"profile_change","field","after"[,"before"]}
//   {"schema","record_id","uscc","kind":"risk_signal","signal_type":judicial|tax|abnormal_operation|
//    administrative_penalty,"severity":low|medium|high,"observed_at":date or RFC 3339[,"description"]}
// The record id is the command's idempotency key (a repeat changes nothing). Pure; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "events/result.h"

namespace xyd::connectors {

inline constexpr const char* kDataSourceSchema = "xyd.data-source.v1";
inline constexpr const char* kDataSourceTopic = "xyd.data-sources";

// The enterprise command a record becomes.
struct DataSourceCommand {
  std::string command_id;    // "data-source/<source>/<record_id>"
  std::string name;          // "ChangeEnterpriseProfile" | "RecordRiskSignal"
  std::string aggregate_id;  // "ent-<uscc>"
  nlohmann::json body;       // the command's body (a profile change without "before" gets it later)
  std::string body_hash;     // SHA-256 of the record as sent (a repeat with other content is refused)
};

// A source name: 1 to 64 of [a-z0-9-] (rule "source-name").
[[nodiscard]] Status check_source_name(const std::string& source);

// Validates the record (every refusal names the field and the rule) and builds the command.
// `now_ms` bounds observed_at (no signal from the future, a day of clock skew allowed).
Result<DataSourceCommand> read_data_source_record(const nlohmann::json& record, const std::string& source,
                                                  int64_t now_ms);

}  // namespace xyd::connectors

#include "connectors/data_source_record.h"

#include <algorithm>

#include "aggregates/enterprise.h"
#include "aggregates/fields.h"
#include "aggregates/identifiers.h"
#include "events/envelope.h"
#include "projections/audit/audit_rows.h"

namespace xyd::connectors {
namespace {

using nlohmann::json;

constexpr int64_t kClockSkewMs = 24LL * 3600 * 1000;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}
bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == ':';
}

Result<json> risk_signal_body(const json& record, const std::string& source, int64_t now_ms) {
  XYD_ASSIGN_OR_RETURN(
      std::string type,
      domain::required_one_of(record, "signal_type",
                              {"judicial", "tax", "abnormal_operation", "administrative_penalty"}, "signal-type"));
  XYD_ASSIGN_OR_RETURN(std::string severity,
                       domain::required_one_of(record, "severity", {"low", "medium", "high"}, "severity"));
  XYD_ASSIGN_OR_RETURN(std::string observed_at, domain::required_date_or_instant(record, "observed_at"));
  const auto observed_ms = projections::audit::parse_time_ms(observed_at);
  if (!observed_ms || *observed_ms > now_ms + kClockSkewMs)
    return make_error(Errc::invalid_argument, "observed_at lies in the future", "observed_at", "not-in-future");
  XYD_ASSIGN_OR_RETURN(auto description, domain::optional_string(record, "description"));
  return json{{"signal_type", type},
              {"severity", severity},
              {"source", source},
              {"observed_at", observed_at},
              {"description", description.value_or("")}};
}

Result<json> profile_change_body(const json& record, const std::string& source) {
  XYD_ASSIGN_OR_RETURN(std::string field, domain::required_string(record, "field"));
  if (!record.contains("after") || record["after"].is_null())
    return make_error(Errc::invalid_argument, "after is required", "after", "required");
  json body = {{"field", field}, {"after", record["after"]}, {"source", source}};
  if (record.contains("before")) body["before"] = record["before"];
  return body;
}

}  // namespace

Status check_source_name(const std::string& source) {
  if (source.empty() || source.size() > 64 || !std::all_of(source.begin(), source.end(), is_name_char))
    return make_error(Errc::invalid_argument, "a data source is named by 1 to 64 of a-z, 0-9 and -", "source",
                      "source-name");
  return Status();
}

Result<DataSourceCommand> read_data_source_record(const json& record, const std::string& source, int64_t now_ms) {
  XYD_RETURN_IF_ERROR(check_source_name(source));
  if (!record.is_object())
    return make_error(Errc::invalid_argument, "a data-source record is a JSON object", "record", "json-object");
  XYD_ASSIGN_OR_RETURN(std::string schema, domain::required_string(record, "schema"));
  if (schema != kDataSourceSchema)
    return make_error(Errc::invalid_argument, "schema must be " + std::string(kDataSourceSchema) + ", not " + schema,
                      "schema", "schema-version");
  XYD_ASSIGN_OR_RETURN(std::string record_id, domain::required_string(record, "record_id"));
  if (record_id.empty() || record_id.size() > 128 || !std::all_of(record_id.begin(), record_id.end(), is_id_char))
    return make_error(Errc::invalid_argument, "record_id is 1 to 128 of A-Z a-z 0-9 - _ . :", "record_id", "record-id");
  XYD_ASSIGN_OR_RETURN(std::string uscc, domain::required_string(record, "uscc"));
  XYD_RETURN_IF_ERROR(domain::check_uscc(uscc));
  XYD_ASSIGN_OR_RETURN(std::string kind,
                       domain::required_one_of(record, "kind", {"profile_change", "risk_signal"}, "record-kind"));
  DataSourceCommand command;
  command.command_id = "data-source/" + source + "/" + record_id;
  command.aggregate_id = domain::enterprise_id_for_uscc(uscc);
  command.body_hash = events::sha256_hex(record.dump());
  if (kind == "risk_signal") {
    command.name = "RecordRiskSignal";
    XYD_ASSIGN_OR_RETURN(command.body, risk_signal_body(record, source, now_ms));
  } else {
    command.name = "ChangeEnterpriseProfile";
    XYD_ASSIGN_OR_RETURN(command.body, profile_change_body(record, source));
  }
  return command;
}

}  // namespace xyd::connectors

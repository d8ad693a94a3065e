#include "connectors/outbound_message.h"

#include <map>
#include <vector>

#include "events/catalog.h"
#include "events/schema/application.h"
#include "projections/audit/audit_rows.h"

namespace xyd::connectors {
namespace {

using nlohmann::json;

// The data fields each routed event carries to the institution. An empty list with `all` set:
// every field (the institution's own results echoed back). Anything not listed stays home: the
// enterprise owner's account, the screening rules' details, who withdrew.
struct Allowed {
  bool all = false;
  std::vector<std::string> fields;
};

const std::map<std::string, Allowed>& allowlist() {
  static const std::map<std::string, Allowed> table = {
      {events::application::kApplicationSubmitted,
       {false,
        {"enterprise", "enterprise_name", "product", "product_type", "institution", "institution_type", "amount",
         "term_months", "purpose", "region", "industry", "channel", "demand"}}},
      {events::application::kRiskScreened, {false, {"rule_set_version", "verdict"}}},
      {events::application::kManagerAssigned, {false, {"manager", "how"}}},
      {events::application::kManagerReassigned, {false, {"from", "to", "by"}}},
      {events::application::kApplicationAccepted, {false, {"manager", "comment", "intended_amount"}}},
      {events::application::kApplicationWithdrawn, {false, {"reason"}}},
      {events::application::kApplicationTerminated, {false, {"reason", "by"}}},
      {events::application::kCreditGranted, {true, {}}},
      {events::application::kCreditDeclined, {true, {}}},
      {events::application::kLoanDisbursed, {true, {}}},
      {events::application::kRepaymentReceived, {true, {}}},
      {events::application::kLoanOverdue, {true, {}}},
      {events::application::kLoanWrittenOff, {true, {}}},
      {events::application::kLoanSettled, {true, {}}},
  };
  return table;
}

std::string event_name(const events::Envelope& event) {
  const auto* type = events::EventCatalog::standard().by_type(event.type);
  return type ? type->name : std::string();
}

}  // namespace

std::string outbound_topic(const std::string& institution) {
  return kOutboundTopicPrefix + institution;
}

bool is_routed(const std::string& event_name) {
  return allowlist().contains(event_name);
}

std::string routed_institution(const events::Envelope& submitted) {
  if (submitted.aggregate_type != "application" || event_name(submitted) != events::application::kApplicationSubmitted)
    return {};
  const auto found = submitted.data.find("institution");
  return found != submitted.data.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::optional<json> outbound_message(const events::Envelope& event, const std::string& institution) {
  if (event.aggregate_type != "application" || institution.empty()) return std::nullopt;
  const std::string name = event_name(event);
  const auto allowed = allowlist().find(name);
  if (allowed == allowlist().end()) return std::nullopt;
  json data = json::object();
  if (allowed->second.all && event.data.is_object()) {
    data = event.data;
  } else {
    for (const auto& field : allowed->second.fields)
      if (auto found = event.data.find(field); found != event.data.end()) data[field] = *found;
  }
  return json{{"schema", kOutboundSchema},
              {"event_id", event.id},
              {"type", event.type},
              {"application", event.aggregate_id},
              {"institution", institution},
              {"version", event.version},
              {"at", projections::audit::parse_time_ms(event.time).value_or(0)},
              {"data", std::move(data)}};
}

}  // namespace xyd::connectors

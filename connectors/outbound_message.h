// The outbound message: the contract between the platform and an institution (promised to the
// bank simulator). Which events of an application go to the institution it was routed to, and the
// body they go with, on the Kafka topic xyd.out.<institution> (key = application id) and in the
// webhook POST alike:
//   {"schema":"xyd.outbound.v1","event_id","type","application","institution","version","at","data"}
// `type` is the event's CloudEvents type ("xyd.application.submitted.v1"), as in the record's
// ce_type header. `data` keeps only the fields the institution may see (an allowlist per event
// type). Pure; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "events/envelope.h"

namespace xyd::connectors {

inline constexpr const char* kOutboundSchema = "xyd.outbound.v1";
inline constexpr const char* kOutboundTopicPrefix = "xyd.out.";

// "xyd.out.<institution>".
std::string outbound_topic(const std::string& institution);

// Whether events named `event_name` ("LoanDisbursed") go to the application's institution.
bool is_routed(const std::string& event_name);

// The institution an application is routed to, from its ApplicationSubmitted event (empty for
// any other event, or one without an institution).
std::string routed_institution(const events::Envelope& submitted);

// The outbound body of an application event for `institution`; nullopt when the event is not
// routed (or not an application's).
std::optional<nlohmann::json> outbound_message(const events::Envelope& event, const std::string& institution);

}  // namespace xyd::connectors

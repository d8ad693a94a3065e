// The codec between envelopes and log records. On the log: key = aggregate id, value = the
// envelope as JSON, and CloudEvents Kafka binary-mode headers (ce_id, ce_type, ...) so any Kafka
// tool can read it. Malformed input comes back as an invalid_argument that names the field.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/catalog.h"
#include "events/envelope.h"
#include "events/event_log.h"

namespace xyd::events {

std::string encode(const Envelope& envelope);
// Parses and validates against the catalog (type known, required data present); no upcasting.
Result<Envelope> decode(std::string_view bytes, const EventCatalog& catalog = EventCatalog::standard());

// The CloudEvents attributes of a record xyd writes to any topic, in Kafka binary mode: one
// header per attribute (ce_specversion "1.0", ce_id, ce_source, ce_type, ce_time, ce_subject
// when not empty) and content-type; the record's key is the partitionkey. Types are named like
// the events' ("xyd.application.submitted.v1"; events/README.md lists them per topic).
struct CloudEventAttributes {
  std::string id;
  std::string source;  // "/xyd/<node>"
  std::string type;
  std::string subject;  // omitted when empty
  std::string time;     // RFC 3339
  std::string content_type = "application/json";
};
std::vector<log::Header> cloudevent_headers(const CloudEventAttributes& attributes);
// The attributes of a record that xyd makes now: a fresh UUIDv7 id, the current time.
CloudEventAttributes new_cloudevent(std::string source, std::string type, std::string subject);

log::OutRecord to_record(const Envelope& envelope);
// Decodes a record's value and upcasts it to the current schema version.
Result<Envelope> from_record(const log::Record& record, const EventCatalog& catalog = EventCatalog::standard());

// A fresh UUIDv7 (time-ordered, RFC 9562) and the current time as RFC 3339 UTC with milliseconds.
std::string uuid_v7();
std::string now_rfc3339();
// A Unix time in milliseconds as RFC 3339 UTC with milliseconds: "2026-11-22T01:02:03.004Z".
std::string rfc3339_from_ms(int64_t unix_ms);

}  // namespace xyd::events

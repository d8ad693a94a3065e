// DeadLetter: a record the platform received and could not apply, kept with the reason and the
// original bytes (never dropped): schema `xyd.dead-letter.v1` on the topic xyd.dlq (keyed by
// institution), read back by the per-bank error view. Its id names the delivery
// ("kafka:<topic>/<partition>@<offset>" or "webhook:<institution>/<webhook-id>"), so a record
// redelivered after a crash is recognised as the same dead letter. Pure; plain values.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "events/event_log.h"
#include "events/result.h"

namespace xyd::connectors {

inline constexpr std::string_view kDeadLetterSchema = "xyd.dead-letter.v1";
inline constexpr std::string_view kDeadLetterTopic = "xyd.dlq";

// One dead letter. Plain value.
struct DeadLetter {
  std::string id;
  std::string source = "bank-result";                  // what kind of input it was
  std::string channel;                                 // "kafka" | "webhook"
  std::string institution;                             // the channel's institution
  std::string serial, application, type;               // as far as the record said (may be empty)
  std::string business_date;                           // the result's, when it had one ("YYYY-MM-DD")
  int64_t amount = 0;                                  // the result's amount when it had one (fen)
  Error reason;                                        // why: code, message, field, rule
  int status = 0;                                      // the HTTP status of the reason (400, 403, 404, 409, 422)
  nlohmann::json original = nlohmann::json::object();  // where it came from, and its bytes ("value")
  int64_t received_ms = 0;
};

nlohmann::json to_json(const DeadLetter& letter);
// The dead letter of a xyd.dlq record's value, read with checked helpers; corrupt when it is not
// one (not JSON, over the record limits, a member of the wrong type). Never throws.
Result<DeadLetter> dead_letter_from_json(std::string_view bytes);
// The record that keeps it on xyd.dlq (key: the institution; header xyd_dead_letter_id).
// Never throws: ill-formed UTF-8 in any string is written as U+FFFD.
log::OutRecord to_record(const DeadLetter& letter);

// Untrusted bytes as a JSON string, ill-formed UTF-8 replaced by U+FFFD (a dead letter keeps the
// original bytes this way, so writing it never throws).
nlohmann::json raw_text(std::string_view bytes);
// A JSON value's text, ill-formed UTF-8 in its strings replaced by U+FFFD (never throws).
std::string dump_text(const nlohmann::json& value);

}  // namespace xyd::connectors

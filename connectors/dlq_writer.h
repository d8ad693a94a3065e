// The dead-letter writer: a record the platform could not take or could not deliver, kept with
// its reason on the topic xyd.dlq (both logs; schema "xyd.dead-letter.v1", key = what it was
// about) and, by the caller, in its own RocksDB view. Small and generic: any connector may use it.
// Stateless; any thread (the log is thread-safe).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "events/event_log.h"
#include "events/result.h"

namespace xyd::connectors {

inline constexpr const char* kDlqTopic = "xyd.dlq";
inline constexpr const char* kDeadLetterSchemaV1 = "xyd.dead-letter.v1";

// A dead letter as it goes to xyd.dlq and into a dead-letter view.
struct DeadLetterRecord {
  std::string id;         // what names the failed input or delivery (a record id, an event id)
  std::string source;     // "webhook" | "data-source" | ...
  std::string key;        // the Kafka key: the institution, the data source
  Error reason;           // code, message, field, rule
  nlohmann::json record;  // the original input or message (or its raw text as a string)
  int64_t at_ms = 0;
};

nlohmann::json to_json(const DeadLetterRecord& letter);

// Appends the dead letter to xyd.dlq (durable when it returns). Ill-formed UTF-8 in its strings
// is written as U+FFFD: it never throws on what a record held.
[[nodiscard]] Status write_dead_letter(log::EventLog& log, const DeadLetterRecord& letter);

}  // namespace xyd::connectors

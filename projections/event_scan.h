// ScannedEvent: the envelope attributes of one stored event, read straight from the record's JSON
// bytes as views into them, without building a JSON tree. It is the hot path of every projection
// and of the audit-chain verifier: a rebuild reads millions of events. `data` stays raw JSON text
// (parse it only where a projection needs it). Plain value; one per thread, reused across events.
#pragma once

#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "events/envelope.h"
#include "events/result.h"

namespace xyd::projections {

struct ScannedEvent {
  std::string_view specversion, id, source, type, subject, time;
  std::string_view datacontenttype = "application/json";  // its default when absent
  std::string_view aggregate_type, aggregate_id;
  int64_t version = 0;
  std::string_view actor_account, actor_role, actor_institution, actor_region;
  std::string_view correlation_id, causation_id;
  int32_t schema_version = 0;
  std::string_view prev_hash, hash;
  std::string_view data;  // the raw JSON object text of "data"

  // Where the top-level "hash" member sits in the scanned bytes, with the comma that separates it
  // from its neighbour: removing [hash_cut_begin, hash_cut_end) leaves what was hashed when the
  // event was written in canonical form (sorted keys, no whitespace). Both 0 without a hash member.
  size_t hash_cut_begin = 0;
  size_t hash_cut_end = 0;

  // The envelope as a full value (copies; the slow path and tests use it).
  events::Envelope to_envelope() const;
  // "data" parsed (throws nothing: a discarded value if it does not parse).
  nlohmann::json data_json() const;

  void clear();
  std::deque<std::string> unescaped;  // storage of strings that held escapes; views point here
};

// Scans `json` (the bytes must outlive `out`). The same checks as events::envelope_from_json: every
// required attribute present with its type, specversion "1.0", aggregateversion >= 1; a failure
// is an invalid_argument naming the attribute.
[[nodiscard]] Status scan_event(std::string_view json, ScannedEvent& out);

}  // namespace xyd::projections

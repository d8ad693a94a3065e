// The audit view's rows: one per stored event under its aggregate, plus a time index and an actor
// index. Index entries are kept per (aggregate type, partition), where the log writes them in
// order, so a rebuild appends them; a query merges those runs by time. Pure functions.
//   e <type> <id> <partition:be32> <offset:be64>                 -> AuditRow (event + chain status)
//   t <type> <partition> <time:be64 ms> <offset>                 -> <id>  (by time)
//   a <account> <type> <partition> <time:be64 ms> <offset>       -> <id>  (by actor, then time)
// (<x> = projections::append_part: escaped and terminated; times are Unix milliseconds of the
// event's "time", or of the record's timestamp when the record is not an event.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "projections/chain.h"

namespace xyd::projections::audit {

inline constexpr char kEventRow = 'e';
inline constexpr char kTimeIndex = 't';
inline constexpr char kActorIndex = 'a';

// One stored event as the audit view keeps it.
struct AuditRow {
  Link link = Link::ok;
  std::string problem;       // what is wrong with the link, when it is not ok
  int64_t head_version = 0;  // the aggregate's chain head after this event
  std::string head_hash;
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;      // when the log stored it
  std::string rule_set_version;  // empty: the audit view reads no rule set
  std::string event;             // the stored JSON, byte for byte
};

// Encodes `row` with `head_hash`, `topic` and `event` in place of the row's own strings (so the
// caller need not copy them first).
void encode_row(std::string& out, const AuditRow& row, std::string_view head_hash, std::string_view topic,
                std::string_view event);
std::optional<AuditRow> decode_row(std::string_view bytes);
// Reads only the chain head of a row (cheap: for the head cache).
std::optional<std::pair<int64_t, std::string>> decode_head(std::string_view bytes);

// <type> <id>: the common part of an aggregate's row keys.
void append_aggregate(std::string& out, std::string_view type, std::string_view id);
// <partition> <offset>
void append_position(std::string& out, int32_t partition, int64_t offset);

// An index entry decoded: where the event is, when, and its row key.
struct IndexEntry {
  std::string type;
  int32_t partition = 0;
  int64_t time_ms = 0;
  int64_t offset = 0;
  std::string row_key(std::string_view id) const;
};
// Decodes the part of an index key after its run prefix ('t' or 'a' <account>).
std::optional<IndexEntry> decode_index(std::string_view rest);

// Unix milliseconds of an RFC 3339 time ("2024-05-01T08:00:00.123Z", "...+08:00"), or of a date
// ("2024-05-01": midnight China Standard Time, UTC+8); nullopt if it is neither.
std::optional<int64_t> parse_time_ms(std::string_view text);
// "2024-05-01T08:00:00.000Z" of a millisecond Unix time.
std::string rfc3339_ms(int64_t unix_ms);

}  // namespace xyd::projections::audit

// The tamper-evidence checks of guarantee 6 (shared/DESIGN.md), shared by the audit projection and
// `xyd audit verify`: does an event's stored hash match its content, and does it link to the head
// of its aggregate's chain (version head + 1, prevhash = the head's hash)? Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "projections/event_scan.h"

namespace xyd::projections {

// What is wrong with a link, or ok.
enum class Link : uint8_t {
  ok = 0,
  content_altered = 1,     // the stored hash is not the hash of the event's canonical encoding
  version_gap = 2,         // versions between the head and this event are missing
  version_repeated = 3,    // a version at or below the head again: a fork, duplicate or replay
  prev_hash_mismatch = 4,  // prevhash is not the hash of the previous version
  undecodable = 5,         // the record is not an event envelope
};
const char* link_name(Link link);

// The head of an aggregate's chain: the last link accepted (hash in lower-case hex).
struct HeadRef {
  int64_t version = 0;
  std::string_view hash;
};

struct LinkVerdict {
  Link link = Link::ok;
  std::string problem;   // what is wrong, for a person; empty when ok
  bool advances = true;  // whether the event becomes the aggregate's new head
};

// Whether the stored hash is the SHA-256 of the event's canonical encoding. Fast path: the stored
// bytes without the "hash" member are exactly what seal() hashed when the writer stored canonical
// JSON (a SHA-256 match proves it); otherwise the authoritative slow path parses the envelope
// and re-encodes it (events::hash_matches).
bool hash_verified(std::string_view stored_json, const ScannedEvent& event);

// Checks `event` against its aggregate's head (null: no event of the aggregate seen before). A
// later version always advances the head, so one missing or forged event is reported once and the
// events after it are judged against the chain they continue.
LinkVerdict check_link(const HeadRef* head, const ScannedEvent& event, bool hash_ok);

// "abcdef012345…" for messages.
std::string short_hash(std::string_view hash);
// SHA-256 of the concatenation of two pieces, as lower-case hex (OpenSSL, hardware-accelerated).
std::string sha256_hex2(std::string_view first, std::string_view second);
// Whether SHA-256(first + second) in lower-case hex equals `hex` (no allocation).
bool sha256_matches(std::string_view first, std::string_view second, std::string_view hex);

}  // namespace xyd::projections

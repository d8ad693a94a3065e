// Envelope: one event as the log holds it. CloudEvents 1.0 attributes, the aggregate it belongs
// to and its version there, who caused it, how it correlates, its schema version, and the hash
// chain (the hash of the previous event of the same aggregate, and its own). Plain value type.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "events/result.h"

namespace xyd::events {

// Who caused an event: the account, its role, and the institution and region it acts for.
struct Actor {
  std::string account;
  std::string role;
  std::string institution;
  std::string region;
  bool operator==(const Actor&) const = default;
};

struct Envelope {
  // CloudEvents 1.0
  std::string specversion = "1.0";
  std::string id;       // UUIDv7
  std::string source;   // "/xyd/<node>" or "/xyd/connector/<institution>"
  std::string type;     // "xyd.<aggregate>.<event>.v<schema version>"
  std::string subject;  // the aggregate id
  std::string time;     // RFC 3339, UTC, milliseconds
  std::string datacontenttype = "application/json";
  // the aggregate and its history
  std::string aggregate_type;  // "account", "enterprise", "institution", "product", "demand", "application"
  std::string aggregate_id;
  int64_t version = 0;  // 1, 2, 3... within the aggregate, no gap
  Actor actor;
  std::string correlation_id;
  std::string causation_id;
  int32_t schema_version = 1;
  std::string prev_hash;  // hash of version - 1 of the same aggregate; empty for version 1
  std::string hash;       // SHA-256 (hex) of the canonical encoding, which covers prev_hash
  nlohmann::json data = nlohmann::json::object();

  bool operator==(const Envelope&) const = default;
};

nlohmann::json to_json(const Actor& actor);
Actor actor_from_json(const nlohmann::json& json);  // absent fields stay empty

nlohmann::json to_json(const Envelope& envelope);
// Reads an envelope; every missing or mistyped attribute is an invalid_argument naming it.
Result<Envelope> envelope_from_json(const nlohmann::json& json);

// The canonical encoding that is hashed: the envelope's JSON without "hash", keys sorted by
// their UTF-8 bytes, no whitespace, integers only (a floating-point number is refused).
Result<std::string> canonical_encoding(const Envelope& envelope);
// Sets prev_hash and computes hash.
[[nodiscard]] Status seal(Envelope& envelope, const std::string& prev_hash);
// Whether the stored hash is the hash of the canonical encoding.
bool hash_matches(const Envelope& envelope);

std::string sha256_hex(std::string_view bytes);

}  // namespace xyd::events

// Commands and decisions: the write side's vocabulary. A command names its aggregate, carries an
// id (the idempotency key), an actor and optionally the version it expects; deciding it yields
// new events or a refusal. Plain value types.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "events/envelope.h"
#include "events/result.h"

namespace xyd::domain {

struct Command {
  std::string id;              // idempotency key: a repeat returns the first outcome
  std::string name;            // "RegisterAccount"
  std::string aggregate_type;  // "account"
  std::string aggregate_id;
  events::Actor actor;
  std::optional<int64_t> expected_version;
  std::string correlation_id;
  std::string body_hash;  // SHA-256 of the request body: the same id with another body is refused
  nlohmann::json body = nlohmann::json::object();
  // Facts about other aggregates the decision needs (an application's enterprise and product),
  // read by the server from its reference view when it takes the request, never from the client.
  // Cross-aggregate invariants are checked against these facts (a consistency window of the
  // view's lag; docs/DECISIONS.md).
  nlohmann::json context = nlohmann::json::object();
};

nlohmann::json to_json(const Command& command);
Result<Command> command_from_json(const nlohmann::json& json);

// An event a decision produces, before the processor gives it an envelope, a version and a hash.
struct NewEvent {
  std::string name;  // catalog name, "AccountRegistered"
  nlohmann::json data = nlohmann::json::object();
};

// The state of one aggregate as its events made it: version, last hash, and its fields.
struct AggregateState {
  int64_t version = 0;    // 0: the aggregate does not exist yet
  std::string last_hash;  // hash of the event at `version`
  nlohmann::json data = nlohmann::json::object();

  bool exists() const { return version > 0; }
  bool operator==(const AggregateState&) const = default;
};

nlohmann::json to_json(const AggregateState& state);
AggregateState state_from_json(const nlohmann::json& json);

}  // namespace xyd::domain

// Aggregate: the behaviour of one aggregate type as two pure functions, decide(state, command)
// -> new events | refusal, and apply(state, event) -> state. No I/O. The registry of every
// aggregate type is built once and read-only; any thread may use it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "aggregates/access.h"
#include "aggregates/command.h"

namespace xyd::domain {

class Aggregate {
 public:
  virtual ~Aggregate() = default;
  virtual const std::string& type() const = 0;
  // The events a command produces against the current state, or a refusal naming field and rule.
  virtual Result<std::vector<NewEvent>> decide(const AggregateState& state, const Command& command) const = 0;
  // The state after one more event (its name and data), version and hash excluded.
  virtual void apply(AggregateState& state, const std::string& event_name, const nlohmann::json& data) const = 0;
  // What a command touches, for access (owner, institution, region, manager): from the state when
  // the aggregate exists, else from the command's body and context. Also used for queries.
  virtual Subject subject(const AggregateState& state, const Command& command) const = 0;
};

// One aggregate type of the domain: `Tag` names it (AccountAggregate is DomainAggregate<AccountTag>)
// and its .cc defines the four parts, so each header declares it in one line.
template <class Tag>
class DomainAggregate final : public Aggregate {
 public:
  const std::string& type() const override;
  Result<std::vector<NewEvent>> decide(const AggregateState& state, const Command& command) const override;
  void apply(AggregateState& state, const std::string& event_name, const nlohmann::json& data) const override;
  Subject subject(const AggregateState& state, const Command& command) const override;
};

// Looks up an aggregate's behaviour by type ("account"); nullptr for an unknown type.
const Aggregate* aggregate_for(const std::string& type);

// Applies one stored event to a state: checks version continuity and the hash chain, then
// advances version and last hash. A break is a corrupt error naming the aggregate and version.
[[nodiscard]] Status apply_envelope(const Aggregate& aggregate, AggregateState& state, const events::Envelope& event);

// Decides a command against a state: first the body's fields against the field dictionary
// (command_fields.h; 400 naming the field), then access (authorize the command's actor for the
// command's name against subject(); 403), then the expected version (409), then decide().
Result<std::vector<NewEvent>> decide_checked(const Aggregate& aggregate, const AggregateState& state,
                                             const Command& command);

}  // namespace xyd::domain

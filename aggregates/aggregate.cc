#include "aggregates/aggregate.h"

#include "aggregates/account.h"
#include "aggregates/application.h"
#include "aggregates/command_fields.h"
#include "aggregates/demand.h"
#include "aggregates/enterprise.h"
#include "aggregates/institution.h"
#include "aggregates/product.h"
#include "events/catalog.h"

namespace xyd::domain {

const Aggregate* aggregate_for(const std::string& type) {
  static const std::map<std::string, std::unique_ptr<Aggregate>> registry = [] {
    std::map<std::string, std::unique_ptr<Aggregate>> r;
    auto add = [&r](std::unique_ptr<Aggregate> aggregate) { r[aggregate->type()] = std::move(aggregate); };
    add(std::make_unique<AccountAggregate>());
    add(std::make_unique<EnterpriseAggregate>());
    add(std::make_unique<InstitutionAggregate>());
    add(std::make_unique<ProductAggregate>());
    add(std::make_unique<DemandAggregate>());
    add(std::make_unique<ApplicationAggregate>());
    return r;
  }();
  auto found = registry.find(type);
  return found == registry.end() ? nullptr : found->second.get();
}

Status apply_envelope(const Aggregate& aggregate, AggregateState& state, const events::Envelope& event) {
  const std::string where =
      event.aggregate_type + "/" + event.aggregate_id + " version " + std::to_string(event.version);
  if (event.version != state.version + 1)
    return make_error(Errc::corrupt, where + " follows version " + std::to_string(state.version), "aggregateversion",
                      "gapless");
  if (event.prev_hash != state.last_hash)
    return make_error(Errc::corrupt, where + " does not chain to the previous event's hash", "prevhash", "hash-chain");
  const auto* type = events::EventCatalog::standard().by_type(event.type);
  if (!type) return make_error(Errc::corrupt, where + " has unknown type " + event.type, "type", "declared-in-catalog");
  aggregate.apply(state, type->name, event.data);
  state.version = event.version;
  state.last_hash = event.hash;
  return Status();
}

Result<std::vector<NewEvent>> decide_checked(const Aggregate& aggregate, const AggregateState& state,
                                             const Command& command) {
  XYD_RETURN_IF_ERROR(check_command_body(command.name, command.body));
  XYD_RETURN_IF_ERROR(authorize(command.actor, command.name, aggregate.subject(state, command)));
  if (command.expected_version && *command.expected_version != state.version)
    return make_error(Errc::conflict,
                      command.aggregate_type + "/" + command.aggregate_id + " is at version " +
                          std::to_string(state.version) + ", not the expected " +
                          std::to_string(*command.expected_version) + ": reload it and decide again",
                      "expected_version", "matches-current-version");
  return aggregate.decide(state, command);
}

}  // namespace xyd::domain

// The Institution aggregate (金融机构, shared/DOMAIN.md): onboarding, updates, suspension and
// removal, and its account managers (each enabled or disabled). Its id is the institution id the
// caller gives ("inst-..."). Pure; any thread.
#pragma once

#include "aggregates/aggregate.h"

namespace xyd::domain {

class InstitutionAggregate final : public Aggregate {
 public:
  const std::string& type() const override;
  Result<std::vector<NewEvent>> decide(const AggregateState& state, const Command& command) const override;
  void apply(AggregateState& state, const std::string& event_name, const nlohmann::json& data) const override;
  Subject subject(const AggregateState& state, const Command& command) const override;
};

}  // namespace xyd::domain

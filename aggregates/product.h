// The Product aggregate (金融产品, shared/DOMAIN.md): an institution's financing product with its
// amount, rate and term ranges, service regions (GB/T 2260 prefix scoping), docking mode and
// admission rules; published, updated, disabled/enabled, withdrawn (terminal). Pure; any thread.
#pragma once

#include "aggregates/aggregate.h"

namespace xyd::domain {

class ProductAggregate final : public Aggregate {
 public:
  const std::string& type() const override;
  Result<std::vector<NewEvent>> decide(const AggregateState& state, const Command& command) const override;
  void apply(AggregateState& state, const std::string& event_name, const nlohmann::json& data) const override;
  Subject subject(const AggregateState& state, const Command& command) const override;
};

// Whether a product's service regions cover `region` (a province code covers its cities and
// counties, a city code its counties).
bool serves_region(const nlohmann::json& service_regions, const std::string& region);

}  // namespace xyd::domain

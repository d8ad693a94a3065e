#include "events/catalog.h"
#include "projections/audit/audit_projection.h"
#include "projections/dashboard/dashboard_projection.h"
#include "projections/delinquency/delinquency_projection.h"
#include "projections/projection.h"
#include "projections/risk/risk_projection.h"  // risk-warning feeds
#include "projections/state/state_projection.h"
#include "projections/statistics/statistics_projection.h"

namespace xyd::projections {

std::vector<ProjectionSpec> standard_projections() {
  return {audit::audit_spec(),         delinquency::delinquency_spec(), state::state_spec(),
          dashboard::dashboard_spec(), statistics::statistics_spec(),   risk::risk_spec()};
}

std::vector<std::string> event_topics(const std::vector<std::string>& aggregate_types) {
  std::vector<std::string> topics;
  for (const auto& type : aggregate_types) topics.push_back(events::topic_for(type));
  return topics;
}

const ProjectionSpec* find_projection(const std::vector<ProjectionSpec>& specs, std::string_view name) {
  for (const auto& spec : specs)
    if (spec.name == name) return &spec;
  return nullptr;
}

}  // namespace xyd::projections

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

const ProjectionSpec* find_projection(const std::vector<ProjectionSpec>& specs, std::string_view name) {
  for (const auto& spec : specs)
    if (spec.name == name) return &spec;
  return nullptr;
}

}  // namespace xyd::projections

// The demo's risk activity (risk-warning feeds): after the lifecycle, a data source's
// risk signals (judicial, tax, abnormal operation, administrative penalty; some high), profile
// changes, and account managers following enterprises, so the risk feeds, markers and the output
// topic have something to show. Planned from the seed (pure: plan_risk_activity), carried out by
// the system admin and the managers over REST with seed-derived Idempotency-Keys (a re-run
// replays). Called by `xyd demo` once drive() has succeeded, on its thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ops/demo/caller.h"
#include "ops/demo/driver.h"
#include "ops/demo/plan.h"

namespace xyd::ops::demo {

// One planned REST call of the risk activity (plain value).
struct RiskStep {
  std::string kind;       // "signal", "change", "follow"
  size_t enterprise = 0;  // index into DemoPlan::enterprises
  size_t manager = 0;     // for "follow": index into DemoPlan::managers
  nlohmann::json body;    // the command body
};

// What the activity recorded, for the demo's summary line (plain value).
struct RiskSummary {
  size_t signals = 0, high = 0, changes = 0, follows = 0;
};

std::vector<RiskStep> plan_risk_activity(const DemoPlan& plan);
RiskSummary summarize(const std::vector<RiskStep>& steps);

[[nodiscard]] Status drive_risk_activity(const DemoPlan& plan, const std::vector<RiskStep>& steps,
                                         const DriverOptions& options, CallCounters& counters);

}  // namespace xyd::ops::demo

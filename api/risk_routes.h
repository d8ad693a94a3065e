// The risk-warning routes (shared/DOMAIN.md, "Risk-warning feeds"), answered from the risk view
// (projections/risk/). Registered once at start-up; list handlers run on the HTTP threads, each
// SSE stream on a thread of its own that sleeps until the risk view commits (or 1 s passes).
//   GET /api/v1/risk-warnings          what the caller may see (risk_feed.read), in sequence order
//                                      (?after= &limit= &enterprise= &kind= &severity=; next_after)
//   GET /api/v1/feeds/risk-warnings    the same as Server-Sent Events: id = sequence, event =
//                                      warning | change, data = the entry; resumes after Last-Event-ID
//                                      (header) or ?last_event_id=; a comment every 15 s
#pragma once

#include <chrono>

#include "api/router.h"
#include "projections/runtime/runtime.h"

namespace xyd::api {

// How the SSE feed paces itself; set once by `xyd serve`, copied into each stream.
struct RiskFeedSettings {
  std::chrono::milliseconds heartbeat{15000};
  // How far back (in sequence time) a live stream looks again for entries that reached the view
  // after a later one (an event of another partition committed later): sent ones are remembered.
  std::chrono::milliseconds late_window{10000};
};

void add_risk_routes(Router& router, const projections::runtime::ProjectionRuntime& runtime,
                     RiskFeedSettings settings = {});

// The risk marker of an enterprise: {"level": high|medium|low|none, "warnings": [...]}, or null
// when the risk view is not available yet.
nlohmann::json risk_marker(const projections::runtime::ProjectionRuntime& runtime, const std::string& enterprise);

}  // namespace xyd::api

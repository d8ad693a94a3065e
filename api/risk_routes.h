// The risk-warning routes (shared/DOMAIN.md, "Risk-warning feeds"), answered from the risk view
// (projections/risk/). Registered once at start-up; list handlers run on the HTTP threads, each
// SSE stream on a thread of its own that sleeps until the risk view commits (or 1 s passes).
//   GET /api/v1/risk-warnings          what the caller may see (risk_feed.read), in sequence order
//                                      (?after= &limit= &enterprise= &kind= &severity=; next_after)
//   GET /api/v1/feeds/risk-warnings    the same as Server-Sent Events: id = sequence, event =
//                                      warning | change, data = the entry; resumes after Last-Event-ID
//                                      (header) or ?last_event_id=; a comment every 15 s
// An entry the caller sees only because it follows the enterprise, not by its own scope, is shown
// only if the caller may read the enterprise (enterprise.read), and without a loan's details
// (application, loan, institution, subject, event, details).
// A stream re-authenticates its caller on every loop (at least every `recheck`): a disabled
// account, an ended session or a changed password ends it. Streams are capped per principal and
// in all; one more answers 429 with Retry-After.
#pragma once

#include <chrono>

#include "api/router.h"
#include "projections/runtime/view_source.h"

namespace xyd::api {

// How the SSE feed paces itself; set once by `xyd serve`, copied into each stream.
struct RiskFeedSettings {
  std::chrono::milliseconds heartbeat{15000};
  // How far back (in sequence time) a live stream looks again for entries that reached the view
  // after a later one (an event of another partition committed later): sent ones are remembered.
  std::chrono::milliseconds late_window{10000};
  // How long a quiet stream sleeps before it looks at the view and re-checks its caller again.
  std::chrono::milliseconds recheck{500};
  // Open streams at most, per principal (an account, a key, the operator) and in all.
  size_t max_streams_per_principal = 4;
  size_t max_streams = 256;
  // Seconds a refused client is told to wait (Retry-After).
  int retry_after_seconds = 5;
};

// `authenticate` is the server's authenticator (api/authenticator.h): each stream re-runs it on
// its request's credentials on every loop.
void add_risk_routes(Router& router, const projections::runtime::ViewSource& runtime, Authenticator authenticate,
                     RiskFeedSettings settings = {});

// The risk marker of an enterprise: {"level": high|medium|low|none, "warnings": [...]}, or null
// when the risk view is not available yet.
nlohmann::json risk_marker(const projections::runtime::ViewSource& runtime, const events::Actor& reader,
                           const std::string& enterprise);

}  // namespace xyd::api

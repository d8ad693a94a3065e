// The operator's endpoints of `xyd serve`: GET /livez (the process serves), GET /readyz (every
// view within `ready_max_lag` events of the log's end, and the log answering) and GET /metrics
// (Prometheus text from ops/telemetry, to loopback callers, the addresses of --metrics-allow, the
// local operator and system admins). Added once at start; the handlers are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/router.h"
#include "events/event_log.h"
#include "projections/runtime/runtime.h"

namespace xyd::api {

// The probes' settings, from serve's flags; copied into the handlers at start.
struct ProbeSettings {
  uint64_t ready_max_lag = 1000;             // events a live view may be behind the log and still be ready
  int retry_after_seconds = 5;               // Retry-After of a 503 from /readyz
  std::vector<std::string> metrics_allow;    // addresses or CIDR blocks that may scrape, besides loopback
  std::vector<std::string> trusted_proxies;  // who the client is behind a proxy (--trusted-proxies)
};

void add_probe_routes(Router& router, log::EventLog& log, const projections::runtime::ProjectionRuntime& projections,
                      ProbeSettings settings);

// Whether a view's live version is ready: running, not failed, caught up once and within max_lag.
bool view_ready(const projections::runtime::ProjectionStatus& status, uint64_t max_lag);

}  // namespace xyd::api

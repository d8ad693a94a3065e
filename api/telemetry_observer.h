// TelemetryObserver: the RequestObserver `xyd serve` installs. Before routing it gives the request
// its id (X-Request-Id / traceparent, checked, or generated: ops/telemetry/request_ids.h); once
// answered it echoes both ids, counts the request in /metrics by route template and status, and
// writes one access-log line (request id, method, route template, status, latency, principal id;
// never a token, a query string or a body). Stateless; any request thread.
#pragma once

#include "api/request_observer.h"

namespace xyd::api {

class TelemetryObserver final : public RequestObserver {
 public:
  void started(Request& request) override;
  void finished(const Request& request, Response& response, std::chrono::steady_clock::duration elapsed) override;
};

// Who a request acted as, for logs: the account id, "key:<key id>" for a machine key, "operator",
// or "" when anonymous. Never a credential.
std::string principal_id(const Request& request);

}  // namespace xyd::api

#include "api/telemetry_observer.h"

#include <cmath>

#include "ops/telemetry/logger.h"
#include "ops/telemetry/metrics.h"
#include "ops/telemetry/request_ids.h"

namespace xyd::api {

std::string principal_id(const Request& request) {
  if (!request.principal) return "";
  const Principal& p = *request.principal;
  if (p.kind == "operator") return "operator";
  if (p.kind == "machine_key") return "key:" + p.credential;
  return p.actor.account;
}

void TelemetryObserver::started(Request& request) {
  auto ids = telemetry::request_ids(request.header("x-request-id"), request.header("traceparent"));
  request.request_id = std::move(ids.request_id);
  request.traceparent = std::move(ids.traceparent);
}

void TelemetryObserver::finished(const Request& request, Response& response,
                                 std::chrono::steady_clock::duration elapsed) {
  response.headers["X-Request-Id"] = request.request_id;
  response.headers["traceparent"] = request.traceparent;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  telemetry::metrics().http_request(request.method, request.route, response.status, seconds);
  const auto level = response.status >= 500 ? telemetry::Level::error : telemetry::Level::info;
  if (!telemetry::logger().enabled(level)) return;
  telemetry::log(level, "access", request.method + " " + (request.route.empty() ? "(no route)" : request.route),
                 {{"request_id", request.request_id},
                  {"method", request.method},
                  {"route", request.route},
                  {"status", response.status},
                  {"latency_ms", std::round(seconds * 1e5) / 100},
                  {"principal", principal_id(request)}});
}

}  // namespace xyd::api

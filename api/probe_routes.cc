#include "api/probe_routes.h"

#include "api/authenticator.h"
#include "api/problem.h"
#include "ops/telemetry/metrics.h"

namespace xyd::api {
namespace {

bool may_scrape(const Request& request, const ProbeSettings& settings) {
  if (request.principal && (request.principal->kind == "operator" || request.principal->actor.role == "system_admin"))
    return true;
  const std::string client = client_address(request, settings.trusted_proxies);
  static const std::vector<std::string> loopback = {"127.0.0.0/8", "::1"};
  return address_in_blocks(client, loopback) || address_in_blocks(client, settings.metrics_allow);
}

}  // namespace

bool view_ready(const projections::runtime::ProjectionStatus& status, uint64_t max_lag) {
  if (!status.live) return false;  // its first version is still being built
  const auto& progress = status.live->progress;
  return status.live->running && !progress.failed && progress.ever_caught_up && progress.lag <= max_lag;
}

void add_probe_routes(Router& router, log::EventLog& log, const projections::runtime::ProjectionRuntime& projections,
                      ProbeSettings settings) {
  // Liveness: answering at all shows the request loop works; nothing here waits on the log.
  router.add(
      "GET", "/livez",
      [](const Request&) -> Result<Response> {
        Response r;
        r.body = {{"status", "ok"}};
        r.headers["Cache-Control"] = "no-store";
        return r;
      },
      Access::open);

  router.add(
      "GET", "/readyz",
      [&log, &projections, settings](const Request& request) -> Result<Response> {
        bool views = true;
        for (const auto& status : projections.status())  // the views; subscriptions serve no reads
          if (status.kind == "projection") views = views && view_ready(status, settings.ready_max_lag);
        const bool log_ok = log.ping().ok();
        Response r;
        r.headers["Cache-Control"] = "no-store";
        const nlohmann::json checks = {{"views", views ? "ok" : "failing"}, {"log", log_ok ? "ok" : "failing"}};
        if (views && log_ok) {
          r.body = {{"status", "ready"}, {"checks", checks}};
          return r;
        }
        // Which check failed, never why in detail: the broker's address and the views' names stay inside.
        std::string failed = !views ? "views" : "log";
        if (!views && !log_ok) failed = "views and log";
        const std::string detail = !views ? "a view is more than " + std::to_string(settings.ready_max_lag) +
                                                " events behind the log, or still being built"
                                          : "the event log does not answer";
        r.status = 503;
        r.content_type = "application/problem+json";
        r.body = problem(make_error(Errc::unavailable, "not ready: " + failed + " (" + detail + ")", "readiness",
                                    views ? "log-writable" : "views-caught-up"),
                         request.path);
        r.body["title"] = "Not ready to serve";
        r.body["checks"] = checks;
        r.headers["Retry-After"] = std::to_string(settings.retry_after_seconds);
        return r;
      },
      Access::open);

  router.add(
      "GET", "/metrics",
      [settings](const Request& request) -> Result<Response> {
        if (!may_scrape(request, settings))
          return make_error(Errc::forbidden,
                            "/metrics answers loopback callers, the addresses of --metrics-allow, the local operator "
                            "and system admins",
                            "client", "metrics-reader");
        Response r;
        r.raw = telemetry::metrics().scrape();
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.headers["Cache-Control"] = "no-store";
        return r;
      },
      Access::open);
}

}  // namespace xyd::api

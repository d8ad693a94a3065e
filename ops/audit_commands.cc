// `xyd audit verify [--aggregate TYPE/ID]`: recomputes the hash chain of every aggregate (or one)
// from the log and names the first broken link of each broken aggregate. Exit code 0: clean;
// 1: a broken chain or an error.
#include <iostream>
#include <thread>

#include "ops/commands.h"
#include "ops/projection_commands.h"
#include "projections/progress.h"
#include "projections/runtime/chain_audit.h"

namespace xyd::ops {
namespace {

using namespace std::chrono_literals;
using projections::ProgressFigures;

int print_report(const nlohmann::json& report) {
  const uint64_t events = report.value("events", uint64_t{0});
  const uint64_t aggregates = report.value("aggregates", uint64_t{0});
  if (report.value("clean", false)) {
    std::cout << "audit chain: clean (" << projections::with_commas(events) << " events of "
              << projections::with_commas(aggregates) << " aggregates verified)" << std::endl;
    return 0;
  }
  std::cout << "audit chain: BROKEN: " << report.value("broken_links", uint64_t{0}) << " broken link(s) in "
            << report.value("broken_aggregates", uint64_t{0}) << " aggregate(s), of "
            << projections::with_commas(events) << " events of " << projections::with_commas(aggregates)
            << " aggregates" << std::endl;
  bool first = true;
  for (const auto& b : report["first_breaks"]) {
    const auto& position = b["position"];
    std::cout << (first ? "first broken link: " : "     broken link: ") << b["aggregate"].value("type", std::string())
              << "/" << b["aggregate"].value("id", std::string()) << " version " << b.value("version", int64_t{0})
              << " at " << position.value("topic", std::string()) << "/" << position.value("partition", 0) << "@"
              << position.value("offset", int64_t{0}) << " [" << b.value("link", std::string())
              << "]: " << b.value("problem", std::string()) << std::endl;
    first = false;
  }
  if (report.value("truncated", false)) std::cout << "(more broken aggregates not listed)" << std::endl;
  return 1;
}

int verify_remotely(const CliOptions& options, const std::string& aggregate) {
  nlohmann::json body = nlohmann::json::object();
  if (!aggregate.empty()) body["aggregate"] = aggregate;
  auto started = call_server(options, "POST", "/api/v1/ops/audit/verify", body);
  if (!started.ok()) return fail("audit verify", started.error());
  std::cerr << "xyd: " << options.http << " holds the log; it verifies the chains" << std::endl;
  projections::ProgressPrinter printer("audit verify");
  while (true) {
    auto status = call_server(options, "GET", "/api/v1/ops/audit/verify");
    if (!status.ok()) return fail("audit verify", status.error());
    const auto& p = (*status)["progress"];
    auto f = projections::progress_figures(p.value("events_done", uint64_t{0}), p.value("events_total", uint64_t{0}),
                                           static_cast<double>(p.value("rate_per_second", int64_t{0})));
    const std::string state = status->value("state", std::string());
    if (state == "failed") return fail("audit verify", make_error(Errc::fatal, status->value("error", std::string())));
    if (state == "done") {
      printer.finish(f, "done");
      return print_report((*status)["report"]);
    }
    printer.update(f);
    std::this_thread::sleep_for(250ms);
  }
}

}  // namespace

int run_audit_verify(const CliOptions& options) {
  projections::runtime::ChainAuditOptions audit;
  const std::string aggregate = options.flag("aggregate");
  if (!aggregate.empty()) {
    auto parsed = projections::runtime::parse_aggregate(aggregate);
    if (!parsed.ok()) return fail("audit verify", parsed.error());
    audit.aggregate_type = parsed->first;
    audit.aggregate_id = parsed->second;
  }
  if (options.has("topic-prefix")) audit.topic_prefix = options.flag("topic-prefix");
  auto log = log::open_log(options.log_options());
  if (!log.ok()) {
    if (held_by_another_process(log.error())) return verify_remotely(options, aggregate);
    return fail("opening the log", log.error());
  }
  projections::ProgressPrinter printer("audit verify");
  projections::ProgressFigures last;
  auto report =
      projections::runtime::audit_chains(**log, audit, [&](const projections::runtime::ChainAuditProgress& p) {
        last = projections::progress_figures(p.done, p.total, p.rate);
        printer.update(last);
      });
  if (!report.ok()) return fail("audit verify", report.error());
  printer.finish(last, "done");
  return print_report(projections::runtime::report_json(*report));
}

}  // namespace xyd::ops

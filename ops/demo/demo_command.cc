// `xyd demo --seed S --enterprises N [--concurrency C]`: plans a reproducible dataset from the
// seed and creates it through the REST API of a running `xyd serve` (--http, --data for its
// operator token and SMS log), with a live progress line on stderr and a summary on stdout.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <thread>

#include "aggregates/reference.h"
#include "ops/commands.h"
#include "ops/demo/driver.h"
#include "ops/demo/plan.h"
#include "ops/demo/risk_activity.h"  // risk-warning feeds
#include "ops/projection_commands.h"
#include "projections/dashboard/dashboard_keys.h"
#include "projections/progress.h"

namespace xyd::ops {
namespace {

using namespace std::chrono_literals;
using projections::with_commas;

// Redraws "<phase> done/total (pct) · calls · calls/s · elapsed" every 0.5 s until `stop`.
void show_progress(const demo::DriverProgress& progress, const std::atomic<bool>& stop) {
  const bool terminal = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto last_time = start;
  uint64_t last_calls = 0;
  double rate = 0;
  int ticks = 0;
  while (!stop) {
    std::this_thread::sleep_for(100ms);
    if (++ticks % 5 != 0 || stop) continue;
    const auto now = std::chrono::steady_clock::now();
    const uint64_t calls = progress.counters.calls.load();
    const double seconds = std::chrono::duration<double>(now - last_time).count();
    rate = seconds > 0 ? 0.5 * rate + 0.5 * (calls - last_calls) / seconds : rate;
    last_time = now;
    last_calls = calls;
    const uint64_t done = progress.done.load(), total = progress.total.load();
    char line[256];
    std::snprintf(line, sizeof line, "xyd demo: %-16s %s/%s (%5.1f%%)  %s calls  %s calls/s  %s",
                  demo::phase_name(progress.phase.load()), with_commas(done).c_str(), with_commas(total).c_str(),
                  total ? 100.0 * done / total : 0.0, with_commas(calls).c_str(),
                  with_commas(static_cast<uint64_t>(rate)).c_str(),
                  projections::duration_text(std::chrono::duration<double>(now - start).count()).c_str());
    if (terminal)
      std::cerr << "\r" << line << "\033[K" << std::flush;
    else if (ticks % 20 == 0)
      std::cerr << line << std::endl;
  }
  if (terminal) std::cerr << "\r\033[K" << std::flush;
}

void print_summary(const demo::DemoPlan& plan, const demo::DriverProgress& progress, double seconds) {
  std::map<std::string, size_t> types, sections, provinces, methods, demands;
  for (const auto& i : plan.institutions) ++types[i.type];
  for (const auto& e : plan.enterprises) {
    ++sections[e.industry];
    ++provinces[domain::province_of(e.region)];
    ++methods[e.certification.empty() ? "not certified" : e.certification];
  }
  size_t loans = 0, repayments = 0, overdue = 0, write_offs = 0;
  for (const auto& e : plan.enterprises)
    for (const auto& a : e.applications) {
      loans += a.loans.size();
      for (const auto& l : a.loans) repayments += l.repayments.size();
      overdue += a.overdue ? 1 : 0;
      write_offs += a.write_off ? 1 : 0;
    }
  for (const auto& d : plan.demands) {
    ++demands["published"];
    if (d.claimed_by) ++demands["claimed"];
    if (!d.close_reason.empty()) ++demands[d.close_reason];
  }
  auto join = [](const std::map<std::string, size_t>& counts) {
    std::string text;
    for (const auto& [name, n] : counts) text += (text.empty() ? "" : ", ") + name + " " + std::to_string(n);
    return text;
  };
  std::printf("xyd demo --seed %llu: created in %s (base date %s)\n", static_cast<unsigned long long>(plan.seed),
              projections::duration_text(seconds).c_str(), plan.base_date.c_str());
  std::printf(
      "  accounts        %zu: 1 system admin, %zu institution admins, %zu account managers, %zu enterprise users, %zu "
      "readers\n",
      plan.accounts(), plan.admins.size(), plan.managers.size(), plan.users.size(), plan.readers.size());
  std::printf("  institutions    %zu of %zu types: %s\n", plan.institutions.size(), types.size(), join(types).c_str());
  std::printf("  products        %zu\n", plan.products.size());
  std::printf("  enterprises     %zu in %zu provinces, %zu industry sections; certification: %s\n",
              plan.enterprises.size(), provinces.size(), sections.size(), join(methods).c_str());
  std::printf("  demands         %s\n", join(demands).c_str());
  std::printf("  applications    %zu by final status:\n", plan.application_count());
  const auto counts = plan.path_counts();
  for (size_t p = 0; p < demo::kPathCount; ++p)
    std::printf("    %-20s %6zu\n", demo::path_name(static_cast<demo::Path>(p)), counts[p]);
  std::printf("  loans           %zu drawdowns, %zu repayments, %zu marked overdue, %zu written off\n", loans,
              repayments, overdue, write_offs);
  const uint64_t calls = progress.counters.calls.load();
  std::printf("  requests        %s (%s commands, %s replayed from an earlier run), %s/s\n", with_commas(calls).c_str(),
              with_commas(progress.counters.commands.load()).c_str(),
              with_commas(progress.counters.replays.load()).c_str(),
              with_commas(static_cast<uint64_t>(seconds > 0 ? calls / seconds : 0)).c_str());
  std::printf("  log in as the system admin: phone %s, password %s\n", plan.system_admin.phone.c_str(),
              plan.system_admin.password.c_str());
  for (const auto& r : plan.readers)
    std::printf("  log in as %-21s phone %s, password %s (region %s)\n", r.kind.c_str(), r.phone.c_str(),
                r.password.c_str(), r.region.c_str());
  for (const auto& e : plan.enterprises)
    if (!e.applications.empty()) {
      std::printf("  trace an order: GET /api/v1/audit/application/%s\n", e.applications.front().id.c_str());
      break;
    }
}

}  // namespace

int run_demo(const CliOptions& options) {
  const auto seed = static_cast<uint64_t>(options.number("seed"));
  const auto enterprises = static_cast<uint64_t>(options.number("enterprises"));
  const auto concurrency = static_cast<uint64_t>(options.number("concurrency"));

  // The history ends today (CST), so the latest dynamics and "this month" show data; --end-date
  // YYYY-MM-DD dates it otherwise (the same seed and date give the same dataset).
  const std::string end_date = options.flag("end-date", projections::dashboard::cst_today());
  if (!projections::dashboard::is_date(end_date)) {
    std::cerr << "xyd demo: --end-date " << end_date << " is not a YYYY-MM-DD date\n";
    return 2;
  }
  const demo::DemoPlan plan = demo::make_plan(seed, enterprises, {}, end_date);
  std::cerr << "xyd demo: seed " << seed << ": " << plan.accounts() << " accounts, " << plan.institutions.size()
            << " institutions, " << plan.products.size() << " products, " << plan.enterprises.size() << " enterprises, "
            << plan.demands.size() << " demands, " << plan.application_count() << " applications against "
            << options.http << std::endl;

  demo::DriverOptions driver_options{options.http, options.data_dir, runtime_options(options).rules_dir,
                                     static_cast<size_t>(concurrency)};
  demo::DriverProgress progress;
  std::atomic<bool> stop{false};
  const auto start = std::chrono::steady_clock::now();
  std::thread printer([&] { show_progress(progress, stop); });
  const Status done = demo::drive(plan, driver_options, progress);
  stop = true;
  printer.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!done.ok()) {
    std::cerr << "xyd demo: stopped in phase '" << demo::phase_name(progress.phase.load()) << "' after "
              << progress.counters.calls.load() << " requests" << std::endl;
    return fail("demo", done.error());
  }
  print_summary(plan, progress, seconds);
  // Risk-warning feeds: signals, profile changes and follows, after the lifecycle.
  const auto risk_steps = demo::plan_risk_activity(plan);
  if (const Status risk = demo::drive_risk_activity(plan, risk_steps, driver_options, progress.counters); !risk.ok())
    return fail("demo (risk activity)", risk.error());
  const auto risk = demo::summarize(risk_steps);
  std::printf("  risk activity   %zu signals (%zu high), %zu profile changes, %zu follows\n", risk.signals, risk.high,
              risk.changes, risk.follows);
  return 0;
}

}  // namespace xyd::ops

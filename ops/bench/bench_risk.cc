// xyd-bench-risk: the risk view's apply rate (events/s) over a synthetic history of enterprises and
// orders in which about one event in four raises a warning, beside the delinquency view over the
// same events in the same run (the reference: a view of the same shape that reads fewer events);
// then the feed read rate through a region-scoped viewer (what the list and the SSE stream do).
// In memory (tests/projections/memory_view.h), so it measures the projection, not RocksDB.
//   xyd-bench-risk [--events N] [--rules DIR]
#include <chrono>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <thread>

#include "events/schema/application.h"
#include "events/schema/enterprise.h"
#include "ops/bench/measure.h"
#include "projections/delinquency/delinquency_projection.h"
#include "projections/memory_view.h"
#include "projections/risk/risk_projection.h"
#include "projections/risk/risk_query.h"
#include "projections/sample_events.h"

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

using namespace xyd::bench;  // die, flag, number_flag, measure, ... (measure.h)

std::vector<xyd::log::Record> history(size_t count) {
  xyd::projections::ChainedEvents chains;
  std::mt19937_64 rng(42);
  std::vector<xyd::log::Record> out;
  auto add = [&](const std::string& type, const std::string& id, const std::string& name, json data,
                 const std::string& actor = "") {
    xyd::events::Actor who;
    who.account = actor;
    auto record = chains.next(type, id, name, std::move(data), who);
    if (!record.ok()) die("sealing", record.error());
    xyd::log::Record r;
    r.topic = record->topic;
    r.value = std::move(record->value);
    out.push_back(std::move(r));
  };
  const std::vector<std::string> regions = {"440305", "440106", "110105", "320508", "510104"};
  const size_t enterprises = std::max<size_t>(count / 50, 10), orders = enterprises * 2;
  for (size_t e = 0; e < enterprises; ++e)
    add("enterprise", "ent-" + std::to_string(e), xyd::events::enterprise::kEnterpriseRegistered,
        {{"region", regions[e % regions.size()]}, {"owner", "acc-" + std::to_string(e)}});
  for (size_t a = 0; a < orders; ++a) {
    const std::string app = "app-" + std::to_string(a), ent = "ent-" + std::to_string(a % enterprises);
    add("application", app, xyd::events::application::kApplicationSubmitted,
        {{"enterprise", ent},
         {"institution", "ins-" + std::to_string(a % 40)},
         {"region", regions[a % enterprises % regions.size()]}},
        "acc-" + std::to_string(a % enterprises));
    add("application", app, xyd::events::application::kManagerAssigned,
        {{"manager", "mgr-" + std::to_string(a % 200)}});
    add("application", app, xyd::events::application::kLoanDisbursed, {{"loan_number", "L1"}});
  }
  while (out.size() < count) {
    const uint64_t roll = rng() % 100, a = rng() % orders, e = rng() % enterprises;
    if (roll < 40)
      add("application", "app-" + std::to_string(a), xyd::events::application::kLoanOverdue,
          {{"loan_number", "L1"}, {"days_past_due", static_cast<int64_t>(rng() % 200)}});
    else if (roll < 60)
      add("enterprise", "ent-" + std::to_string(e), xyd::events::enterprise::kRiskSignalRecorded,
          {{"signal_type", "judicial"}, {"severity", rng() % 3 == 0 ? "high" : "low"}, {"source", "bench"}});
    else if (roll < 70)
      add("enterprise", "ent-" + std::to_string(e), xyd::events::enterprise::kEnterpriseProfileChanged,
          {{"field", "legal_representative"}, {"before", "a"}, {"after", "b"}, {"source", "bench"}});
    else
      add("application", "app-" + std::to_string(a), xyd::events::application::kRepaymentReceived,
          {{"loan_number", "L1"}});
  }
  return out;
}

double apply_rate(const xyd::projections::ProjectionSpec& spec, const std::string& rules_dir,
                  const std::vector<xyd::log::Record>& records, xyd::projections::MemoryView& view) {
  auto rules = xyd::projections::load_rule_set(rules_dir, spec.rule_set);
  if (!rules.ok()) die("loading " + spec.rule_set, rules.error());
  auto projection = spec.make(std::make_shared<xyd::projections::RuleSet>(*rules));
  if (!projection.ok()) die("making " + spec.name, projection.error());
  xyd::projections::ScannedEvent scanned;
  const auto start = Clock::now();
  for (const auto& record : records) {
    if (auto s = xyd::projections::scan_event(record.value, scanned); !s.ok()) die("scanning", s.error());
    xyd::projections::EventContext context{record, &scanned, nullptr};
    if (auto s = (*projection)->apply(view, context); !s.ok()) die("applying", s.error());
  }
  return static_cast<double>(records.size()) / std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const auto count = static_cast<size_t>(xyd::bench::number_flag(argc, argv, "events", 300000, 1, 100'000'000));
  const std::string rules_dir = flag(argc, argv, "rules", "ops/rules");
  std::cerr << "sealing " << count << " events..." << std::endl;
  const auto records = history(count);
  xyd::projections::MemoryView delinquency, risk;
  const double reference =
      apply_rate(xyd::projections::delinquency::delinquency_spec(), rules_dir, records, delinquency);
  const double rate = apply_rate(xyd::projections::risk::risk_spec(), rules_dir, records, risk);
  xyd::events::Actor city;
  city.role = "government_city";
  city.region = "440300";
  auto viewer = xyd::projections::risk::viewer_for(risk, city, xyd::domain::Scope::region);
  if (!viewer.ok()) die("viewer", viewer.error());
  const auto start = Clock::now();
  size_t shown = 0;
  uint64_t after = 0;
  while (true) {
    auto page = xyd::projections::risk::feed_after(risk, after, 500, &*viewer);
    if (!page.ok()) die("reading the feed", page.error());
    shown += page->items.size();
    if (!page->more) break;
    after = page->scanned_to;
  }
  const double read_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  size_t feed = 0;
  for (const auto& [key, value] : risk.rows) feed += key[0] == xyd::projections::risk::kFeed;
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("\nRisk view: %zu events, %zu feed entries, %u cores, load average %.1f.\n\n", records.size(), feed,
              std::thread::hardware_concurrency(), load[0]);
  std::printf("| what | rate |\n|---|---:|\n");
  std::printf("| reference: delinquency view apply (events/s) | %.0f |\n", reference);
  std::printf("| risk view apply (events/s) | %.0f |\n", rate);
  std::printf("| risk feed read, city viewer (entries scanned/s; %zu of %zu shown) | %.0f |\n", shown, feed,
              static_cast<double>(feed) / read_seconds);
  return 0;
}

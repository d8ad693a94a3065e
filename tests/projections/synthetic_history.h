// A seeded synthetic financing history covering every lifecycle path (accounts, enterprises,
// institutions, products, demands, applications with credit, drawdowns, repayments, overdue and
// write-offs; business dates reported late; aggregates' topics interleaved), and its sealing into
// log records. Shared by the read-model unit tests. Test code; one thread.
#pragma once

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "projections/event_scan.h"
#include "projections/memory_view.h"
#include "projections/projection.h"
#include "projections/sample_events.h"
#include "tests/projections/dashboard_fold.h"

namespace xyd::test::dashboard_fold {

// ---- the synthetic history ------------------------------------------------------------------

struct Generator {
  std::mt19937_64 rng;
  std::map<std::string, std::vector<Ev>> by_aggregate;  // per-aggregate event sequences
  std::vector<std::string> order;                       // aggregates in creation order

  explicit Generator(uint64_t seed) : rng(seed) {}

  int pick(int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); }
  bool chance(int percent) { return pick(100) < percent; }
  // A UTC instant on `day`; a third of them in the evening of a month's last day, which is the
  // next month in China Standard Time.
  std::string time_at(int day) {
    int hour = pick(24);
    if (chance(33)) {
      const std::string date = day_string(day);
      while (day_string(day + 1).substr(0, 7) == date.substr(0, 7)) ++day;
      hour = 16 + pick(8);
    }
    return day_string(day) + "T" + pad(hour, 2) + ":" + pad(pick(60), 2) + ":" + pad(pick(60), 2) + "Z";
  }
  void add(const std::string& type, const std::string& id, const std::string& name, json data, int day) {
    const std::string key = type + "/" + id;
    if (!by_aggregate.contains(key)) order.push_back(key);
    // An aggregate's events are in time order, as the write side records them.
    std::string time = time_at(day);
    if (!by_aggregate[key].empty()) time = std::max(time, by_aggregate[key].back().time);
    by_aggregate[key].push_back({type, id, name, std::move(data), std::move(time)});
  }

  // Merges the sequences into one log, each aggregate's events in order, aggregates shuffled.
  std::vector<Ev> merged(uint64_t seed) const {
    std::mt19937_64 mix(seed);
    std::map<std::string, size_t> next;
    std::vector<std::string> open = order;
    std::vector<Ev> out;
    while (!open.empty()) {
      const size_t i = mix() % open.size();
      const auto& events = by_aggregate.at(open[i]);
      out.push_back(events[next[open[i]]++]);
      if (next[open[i]] == events.size()) open.erase(open.begin() + static_cast<long>(i));
    }
    return out;
  }
};

inline const std::vector<std::string> kRegions = {"440305", "440306", "440300", "440104", "440100", "330106",
                                                  "330100", "330203", "110105", "510104", "440000"};
inline const std::vector<std::string> kIndustries = {"A", "C", "F", "I", "M", "E"};
inline const std::vector<std::string> kInstitutionTypes = {"bank", "guarantee", "microcredit", "insurance",
                                                           "factoring"};
inline const std::vector<std::string> kProductTypes = {"credit", "collateral", "guarantee", "tax"};

inline Generator generate(uint64_t seed) {
  Generator g(seed);
  // Accounts.
  for (int i = 0; i < 40; ++i)
    g.add("account", "acc-" + std::to_string(i), "AccountRegistered",
          {{"kind", i % 3 == 0   ? "account_manager"
                    : i % 3 == 1 ? "enterprise"
                                 : "individual"},
           {"phone", "1380000" + pad(i, 4)},
           {"region", kRegions[g.pick(static_cast<int>(kRegions.size()))]}},
          g.pick(1096));
  // Institutions (one removed); some of their products are published before they are onboarded
  // in the merged log (another topic).
  struct Institution {
    std::string id, type;
  };
  std::vector<Institution> institutions;
  for (int i = 0; i < 9; ++i) {
    Institution inst{"inst-" + std::to_string(i), kInstitutionTypes[i % kInstitutionTypes.size()]};
    const int day = g.pick(400);
    g.add("institution", inst.id, "InstitutionOnboarded",
          {{"type", inst.type},
           {"full_name", "机构" + std::to_string(i)},
           {"short_name", "机构" + std::to_string(i)},
           {"region", kRegions[g.pick(static_cast<int>(kRegions.size()))]}},
          day);
    // Moves, suspensions (one resumed) and a removal, at their times.
    if (i == 1 || i == 7) {
      const std::string to = kRegions[(i * 5) % kRegions.size()];
      g.add("institution", inst.id, "InstitutionUpdated",
            {{"changes", {{"region", {{"before", ""}, {"after", to}}}}}, {"by", "acc-0"}}, day + 200);
    }
    if (i == 5 || i == 6) g.add("institution", inst.id, "InstitutionSuspended", {{"reason", "整改"}}, day + 100);
    if (i == 5) g.add("institution", inst.id, "InstitutionResumed", json::object(), day + 450);
    if (i == 3) g.add("institution", inst.id, "InstitutionRemoved", json::object(), day + 300);
    institutions.push_back(inst);
  }
  // Products.
  std::vector<std::pair<std::string, Institution>> products;
  for (int i = 0; i < 16; ++i) {
    const Institution& inst = institutions[g.pick(static_cast<int>(institutions.size()))];
    const std::string id = "prod-" + std::to_string(i);
    int day = 400 + g.pick(300);
    g.add("product", id, "ProductPublished",
          {{"institution", inst.id},
           {"name", "产品" + std::to_string(i)},
           {"product_type", kProductTypes[g.pick(4)]},
           {"amount_min", 100000},
           {"amount_max", 1000000000}},
          day);
    const int path = g.pick(6);
    if (path == 1) g.add("product", id, "ProductDisabled", json::object(), day += 5);
    if (path == 2) {
      g.add("product", id, "ProductDisabled", json::object(), day += 5);
      g.add("product", id, "ProductEnabled", json::object(), day += 5);
    }
    if (path == 3) g.add("product", id, "ProductWithdrawn", json::object(), day += 5);
    if (path == 4)
      g.add("product", id, "ProductUpdated", {{"changes", {{"product_type", {{"before", "x"}, {"after", "other"}}}}}},
            day += 5);
    products.push_back({id, inst});
  }
  // Enterprises: registered, mostly certified, some moving region before certification.
  struct Enterprise {
    std::string id, name, region, industry;
    bool certified = false;
  };
  std::vector<Enterprise> enterprises;
  const std::vector<std::string> stems = {"深圳市", "杭州市", "北京", "成都市", "广州市"};
  for (int i = 0; i < 30; ++i) {
    Enterprise e{
        "ent-" + std::to_string(i),
        stems[i % stems.size()] + std::string(i % 4 == 0 ? "小" : "星辰数据科技") + std::to_string(i) + "有限公司",
        kRegions[g.pick(static_cast<int>(kRegions.size()))], kIndustries[g.pick(6)]};
    int day = g.pick(500);
    g.add("enterprise", e.id, "EnterpriseRegistered",
          {{"uscc", "USCC" + std::to_string(i)}, {"name", e.name}, {"region", e.region}, {"industry", e.industry}},
          day);
    if (g.chance(20)) {
      const std::string to = kRegions[g.pick(static_cast<int>(kRegions.size()))];
      g.add("enterprise", e.id, "EnterpriseProfileChanged",
            {{"field", "region"}, {"before", e.region}, {"after", to}, {"source", "market_supervision"}}, day += 3);
      e.region = to;
    }
    if (i < 25) {
      g.add("enterprise", e.id, "EnterpriseCertified", {{"method", "online"}}, day += 2);
      e.certified = true;
    }
    enterprises.push_back(e);
  }
  // Demands: some converted by DemandClosed, some by the application naming them only, some
  // withdrawn, some open.
  std::vector<std::string> convertible;
  std::vector<std::pair<std::string, bool>> demand_close_after;  // demand, closed converted by event
  for (int i = 0; i < 24; ++i) {
    const Enterprise& e = enterprises[g.pick(25)];
    const std::string id = "dem-" + std::to_string(i);
    const int day = 500 + g.pick(500);
    g.add("demand", id, "DemandPublished",
          {{"enterprise", e.id},
           {"amount", 1000000 + g.pick(90000000)},
           {"term_months", 12},
           {"region", e.region},
           {"industry", e.industry},
           {"product_type", "credit"},
           {"purpose", "流动资金"}},
          day);
    const int path = i % 4;
    if (path == 1) g.add("demand", id, "DemandClosed", {{"reason", "withdrawn"}}, day + 3);
    if (path == 2 || path == 3) convertible.push_back(id);
    if (path == 2) demand_close_after.push_back({id, true});
  }
  // Applications over every path; business dates spread over three years, some reported late.
  size_t next_demand = 0;
  for (int i = 0; i < 90; ++i) {
    const Enterprise& e = enterprises[g.pick(25)];
    const auto& [product, inst] = products[g.pick(static_cast<int>(products.size()))];
    const std::string id = "app-" + std::to_string(i);
    int day = 200 + g.pick(850);
    const int64_t amount = 5000000 + g.pick(500000000);
    json submitted = {{"enterprise", e.id},
                      {"enterprise_name", e.name},
                      {"product", product},
                      {"institution", inst.id},
                      {"institution_type", inst.type},
                      {"amount", amount},
                      {"term_months", 12},
                      {"purpose", "经营"},
                      {"region", e.region},
                      {"industry", e.industry},
                      {"channel", "web"}};
    if (i % 5 == 0 && next_demand < convertible.size()) {
      const std::string demand = convertible[next_demand++];
      submitted["demand"] = demand;
      for (const auto& [d, by_event] : demand_close_after)
        if (d == demand) g.add("demand", d, "DemandClosed", {{"reason", "converted"}, {"application", id}}, day + 1);
    }
    g.add("application", id, "ApplicationSubmitted", submitted, day);
    g.add("application", id, "RiskScreened", {{"verdict", "pass"}}, day);
    const int path = i % 9;
    if (path == 0) {
      g.add("application", id, "ApplicationTerminated", {{"reason", "risk"}, {"by", "system"}}, day);
      continue;
    }
    g.add("application", id, "ManagerAssigned", {{"manager", "acc-0"}, {"how", "auto"}}, day);
    if (path == 1) {
      g.add("application", id, "ApplicationWithdrawn", {{"by", "owner"}}, day += 2);
      continue;
    }
    const int64_t intended = amount - g.pick(1000000);
    g.add("application", id, "ApplicationAccepted",
          {{"manager", "acc-0"}, {"comment", ""}, {"intended_amount", intended}}, day += 1 + g.pick(20));
    if (path == 2) {
      g.add("application", id, "ApplicationTerminated", {{"reason", "资料不全"}, {"by", "acc-0"}}, day += 3);
      continue;
    }
    if (path == 3) {
      g.add("application", id, "CreditDeclined", {{"reason", "评分不足"}}, day += 3);
      continue;
    }
    if (path == 4) continue;  // docking
    // The business dates: usually near the event time, sometimes a late report of an old date.
    int business = g.chance(25) ? std::max(0, day - 200 - g.pick(150)) : day + g.pick(10);
    g.add("application", id, "CreditGranted",
          {{"credit_number", "C" + id},
           {"amount", intended},
           {"rate_bp", 450},
           {"term_months", 12},
           {"valid_until", day_string(business + 365)},
           {"granted_at", day_string(business)}},
          day += 2);
    if (path == 5) {
      if (g.chance(50)) g.add("application", id, "ApplicationWithdrawn", {{"by", "owner"}}, day += 2);
      continue;  // granted, waiting for the drawdown
    }
    const int drawdowns = 1 + g.pick(3);
    int64_t left = intended;
    std::vector<std::pair<std::string, int64_t>> loans;
    for (int k = 0; k < drawdowns && left > 0; ++k) {
      const int64_t loan_amount = k + 1 == drawdowns ? left : std::max<int64_t>(1, left / 3);
      left -= loan_amount;
      // The second drawdown is sometimes reported with an earlier date than the first.
      const int loan_day = k == 1 && g.chance(50) ? business + 1 : business + 5 + 20 * k;
      const std::string loan = "L" + id + "-" + std::to_string(k);
      g.add("application", id, "LoanDisbursed",
            {{"loan_number", loan},
             {"amount", loan_amount},
             {"rate_bp", 450},
             {"disbursed_at", day_string(loan_day)},
             {"maturity", day_string(loan_day + 365)},
             {"repayment_method", "bullet"}},
            day += 1 + g.pick(5));
      loans.push_back({loan, loan_amount});
    }
    for (size_t k = 0; k < loans.size(); ++k) {
      const auto& [loan, loan_amount] = loans[k];
      const std::string as_of = day_string(business + 100 + static_cast<int>(k));
      if (path == 6 || path == 7) {  // repaid and settled
        g.add("application", id, "RepaymentReceived",
              {{"loan_number", loan},
               {"installment", 1},
               {"principal", loan_amount},
               {"interest", 100},
               {"penalty", 0},
               {"paid_at", as_of}},
              day += 1);
        g.add("application", id, "LoanSettled", {{"loan_number", loan}, {"settled_at", as_of}}, day);
      } else if (k == 0 && path == 8) {  // overdue, then written off
        g.add("application", id, "LoanOverdue",
              {{"loan_number", loan}, {"days_past_due", 40}, {"overdue_principal", loan_amount}, {"as_of", as_of}},
              day += 1);
        g.add("application", id, "LoanWrittenOff",
              {{"loan_number", loan}, {"amount", loan_amount}, {"as_of", day_string(business + 300)}}, day += 1);
      } else {  // overdue, then current again
        g.add("application", id, "LoanOverdue",
              {{"loan_number", loan}, {"days_past_due", 10}, {"overdue_principal", 1}, {"as_of", as_of}}, day += 1);
        g.add("application", id, "LoanOverdue",
              {{"loan_number", loan}, {"days_past_due", 0}, {"overdue_principal", 0}, {"as_of", as_of}}, day += 1);
      }
    }
  }
  return g;
}

// ---- sealing and applying -------------------------------------------------------------------

inline std::vector<log::Record> seal(const std::vector<Ev>& events) {
  projections::ChainedEvents chains;
  std::vector<log::Record> out;
  int64_t offset = 0;
  for (const auto& e : events) {
    auto record = chains.next(e.type, e.id, e.name, e.data, {}, e.time);
    BOOST_REQUIRE_MESSAGE(record.ok(), record.error().to_string());
    log::Record r;
    r.topic = record->topic;
    r.offset = offset++;
    r.key = record->key;
    r.value = record->value;
    out.push_back(std::move(r));
  }
  return out;
}

// Applies records [from, to) to `projection` over `view` as one committed batch.
inline void apply_range(projections::Projection& projection, projections::MemoryView& view,
                        const std::vector<log::Record>& records, size_t from, size_t to) {
  auto applied = projections::apply_batch(projection, view, records, from, to);
  BOOST_REQUIRE_MESSAGE(applied.ok(), applied.error().to_string());
}

// A fresh projection of `spec` (one that reads no rule set).
inline std::unique_ptr<projections::Projection> make_projection(const projections::ProjectionSpec& spec) {
  auto made = spec.make(nullptr);
  BOOST_REQUIRE(made.ok());
  return std::move(made).value();
}

// The view `spec` builds from `records` in one batch.
inline projections::MemoryView build(const projections::ProjectionSpec& spec, const std::vector<log::Record>& records) {
  projections::MemoryView view;
  auto projection = make_projection(spec);
  projection->begin(true);  // a build from empty, as the runtime announces it
  apply_range(*projection, view, records, 0, records.size());
  return view;
}

}  // namespace xyd::test::dashboard_fold

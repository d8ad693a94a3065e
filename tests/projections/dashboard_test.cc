// Unit test of the dashboard projection: a seeded synthetic history covering every lifecycle
// path, sealed as real envelopes and applied on an in-memory view, against a plain fold over the
// same events written here from DOMAIN.md (no code shared with the projection); plus a rebuild
// in two batches, and another interleaving of the aggregates' topics, giving the same answers.
#define BOOST_TEST_MODULE dashboard_unit
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "aggregates/reference.h"
#include "projections/dashboard/dashboard_projection.h"
#include "projections/event_scan.h"
#include "projections/sample_events.h"
#include "tests/projections/memory_view.h"

using namespace xyd;
using nlohmann::json;

namespace {

// ---- the synthetic history ------------------------------------------------------------------

struct Ev {
  std::string type, id, name;
  json data;
  std::string time;  // RFC 3339 UTC
};

const int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int month_days(int y, int m) { return m == 2 && leap(y) ? 29 : kMonthDays[m - 1]; }

std::string pad(int n, int width) {
  std::string s = std::to_string(n);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}

// Day 0 is 2022-01-01.
std::string day_string(int day) {
  int y = 2022, m = 1;
  while (day >= month_days(y, m)) {
    day -= month_days(y, m);
    if (++m == 13) {
      m = 1;
      ++y;
    }
  }
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(day + 1, 2);
}

std::string next_day(const std::string& date) {
  int y = std::stoi(date.substr(0, 4)), m = std::stoi(date.substr(5, 2)), d = std::stoi(date.substr(8, 2));
  if (++d > month_days(y, m)) {
    d = 1;
    if (++m == 13) {
      m = 1;
      ++y;
    }
  }
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
}

std::string minus_days(std::string date, int n) {
  int y = std::stoi(date.substr(0, 4)), m = std::stoi(date.substr(5, 2)), d = std::stoi(date.substr(8, 2));
  while (n-- > 0) {
    if (--d == 0) {
      if (--m == 0) {
        m = 12;
        --y;
      }
      d = month_days(y, m);
    }
  }
  return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
}

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
    by_aggregate[key].push_back({type, id, name, std::move(data), time_at(day)});
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

const std::vector<std::string> kRegions = {"440305", "440306", "440300", "440104", "440100", "330106",
                                           "330100", "330203", "110105", "510104", "440000"};
const std::vector<std::string> kIndustries = {"A", "C", "F", "I", "M", "E"};
const std::vector<std::string> kInstitutionTypes = {"bank", "guarantee", "microcredit", "insurance", "factoring"};
const std::vector<std::string> kProductTypes = {"credit", "collateral", "guarantee", "tax"};

Generator generate(uint64_t seed) {
  Generator g(seed);
  // Accounts.
  for (int i = 0; i < 40; ++i)
    g.add("account", "acc-" + std::to_string(i), "AccountRegistered",
          {{"kind", i % 3 == 0 ? "account_manager" : i % 3 == 1 ? "enterprise" : "individual"},
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
          {{"institution", inst.id}, {"name", "产品" + std::to_string(i)}, {"product_type", kProductTypes[g.pick(4)]},
           {"amount_min", 100000}, {"amount_max", 1000000000}},
          day);
    const int path = g.pick(6);
    if (path == 1) g.add("product", id, "ProductDisabled", json::object(), day += 5);
    if (path == 2) {
      g.add("product", id, "ProductDisabled", json::object(), day += 5);
      g.add("product", id, "ProductEnabled", json::object(), day += 5);
    }
    if (path == 3) g.add("product", id, "ProductWithdrawn", json::object(), day += 5);
    if (path == 4)
      g.add("product", id, "ProductUpdated",
            {{"changes", {{"product_type", {{"before", "x"}, {"after", "other"}}}}}}, day += 5);
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
    Enterprise e{"ent-" + std::to_string(i),
                 stems[i % stems.size()] + std::string(i % 4 == 0 ? "小" : "星辰数据科技") + std::to_string(i) +
                     "有限公司",
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
          {{"enterprise", e.id}, {"amount", 1000000 + g.pick(90000000)}, {"term_months", 12}, {"region", e.region},
           {"industry", e.industry}, {"product_type", "credit"}, {"purpose", "流动资金"}},
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
    json submitted = {{"enterprise", e.id},  {"enterprise_name", e.name}, {"product", product},
                      {"institution", inst.id}, {"institution_type", inst.type}, {"amount", amount},
                      {"term_months", 12},   {"purpose", "经营"},             {"region", e.region},
                      {"industry", e.industry}, {"channel", "web"}};
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
    g.add("application", id, "ApplicationAccepted", {{"manager", "acc-0"}, {"comment", ""}, {"intended_amount", intended}},
          day += 1 + g.pick(20));
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
          {{"credit_number", "C" + id}, {"amount", intended}, {"rate_bp", 450}, {"term_months", 12},
           {"valid_until", day_string(business + 365)}, {"granted_at", day_string(business)}},
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
            {{"loan_number", loan}, {"amount", loan_amount}, {"rate_bp", 450}, {"disbursed_at", day_string(loan_day)},
             {"maturity", day_string(loan_day + 365)}, {"repayment_method", "bullet"}},
            day += 1 + g.pick(5));
      loans.push_back({loan, loan_amount});
    }
    for (size_t k = 0; k < loans.size(); ++k) {
      const auto& [loan, loan_amount] = loans[k];
      const std::string as_of = day_string(business + 100 + static_cast<int>(k));
      if (path == 6 || path == 7) {  // repaid and settled
        g.add("application", id, "RepaymentReceived",
              {{"loan_number", loan}, {"installment", 1}, {"principal", loan_amount}, {"interest", 100},
               {"penalty", 0}, {"paid_at", as_of}},
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

std::vector<log::Record> seal(const std::vector<Ev>& events) {
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

void apply_range(projections::Projection& projection, test::MemoryView& view, const std::vector<log::Record>& records,
                 size_t from, size_t to) {
  projections::ScannedEvent scanned;
  for (size_t i = from; i < to; ++i) {
    auto status = projections::scan_event(records[i].value, scanned);
    BOOST_REQUIRE_MESSAGE(status.ok(), status.error().to_string());
    projections::EventContext context{records[i], &scanned, nullptr};
    auto applied = projection.apply(view, context);
    BOOST_REQUIRE_MESSAGE(applied.ok(), applied.error().to_string());
  }
  projection.batch_done(true);
}

std::unique_ptr<projections::Projection> make_projection() {
  auto made = projections::dashboard::dashboard_spec().make(nullptr);
  BOOST_REQUIRE(made.ok());
  return std::move(made).value();
}

test::MemoryView build(const std::vector<log::Record>& records) {
  test::MemoryView view;
  auto projection = make_projection();
  apply_range(*projection, view, records, 0, records.size());
  return view;
}

json query(const test::MemoryView& view, const std::string& scope, const std::string& period, const std::string& as_of) {
  projections::dashboard::DashboardQuery q;
  q.scope = scope;
  q.period = period;
  q.as_of = as_of;
  auto result = projections::dashboard::dashboard(view, q);
  BOOST_REQUIRE_MESSAGE(result.ok(), result.error().to_string());
  return *result;
}

// ---- the plain fold -------------------------------------------------------------------------

// The China Standard Time date of "YYYY-MM-DDTHH:MM:SSZ".
std::string cst_day(const std::string& time) {
  const std::string date = time.substr(0, 10);
  return std::stoi(time.substr(11, 2)) + 8 >= 24 ? next_day(date) : date;
}

bool in_scope(const std::string& region, const std::string& scope) {
  if (scope == "CN") return true;
  if (scope.ends_with("0000")) return region.substr(0, 2) == scope.substr(0, 2);
  return region.substr(0, 4) == scope.substr(0, 4);
}

bool in_period(const std::string& date, const std::string& period) {
  return period == "all" || date.substr(0, period.size()) == period;
}

std::string child_of(const std::string& region, const std::string& scope) {
  if (scope == "CN") return region.substr(0, 2) + "0000";
  if (scope.ends_with("0000")) return region.substr(0, 4) + "00";
  return region;
}

std::string wan(int64_t fen) {
  int64_t hundredths = fen / 10000;
  if (fen % 10000 >= 5000) ++hundredths;
  return std::to_string(hundredths / 100) + "." + pad(static_cast<int>(hundredths % 100), 2);
}

json money(int64_t count, int64_t amount) { return {{"count", count}, {"amount_fen", amount}, {"amount_wan", wan(amount)}}; }

struct Sum {
  int64_t count = 0, amount = 0;
  void add(int64_t a) {
    ++count;
    amount += a;
  }
  json as_money() const { return money(count, amount); }
  bool zero() const { return count == 0 && amount == 0; }
};

json ratio(int64_t num, int64_t den) {
  int64_t bp = 0;
  if (den > 0) {
    bp = num * 10000 / den;
    if ((num * 10000 % den) * 2 >= den) ++bp;
  }
  return {{"numerator", num}, {"denominator", den}, {"basis_points", bp},
          {"rate", std::to_string(bp / 10000) + "." + pad(static_cast<int>(bp % 10000), 4)}};
}

std::string masked(const std::string& name) {
  std::vector<std::string> chars;
  for (char c : name) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) chars.back().push_back(c);
    else chars.push_back(std::string(1, c));
  }
  if (chars.size() <= 7) return chars.front() + "****";
  return chars[0] + chars[1] + chars[2] + "****" + chars[chars.size() - 4] + chars[chars.size() - 3] +
         chars[chars.size() - 2] + chars[chars.size() - 1];
}

// One fact: a figure's contribution at a date and place.
struct Fact {
  std::string figure, date, region, industry, itype, extra;
  int64_t amount = 0;
};

struct Fold {
  std::vector<Fact> facts;    // dated figures
  std::vector<Fact> current;  // docking, products_active, institutions_active
  struct Loan {
    std::string date, name, application, loan;
    int64_t amount;
    std::string region;
  };
  std::vector<Loan> loans;

  explicit Fold(const std::vector<Ev>& events) {
    // What later figures need to know, from the whole history.
    std::map<std::string, json> institution;  // id -> onboarded data
    std::set<std::string> converted, removed;
    for (const auto& e : events) {
      if (e.name == "InstitutionOnboarded") institution[e.id] = e.data;
      if (e.name == "InstitutionRemoved") removed.insert(e.id);
      if (e.name == "DemandClosed" && e.data["reason"] == "converted") converted.insert(e.id);
      if (e.name == "ApplicationSubmitted" && e.data.contains("demand")) converted.insert(e.data["demand"]);
    }
    std::map<std::string, std::string> enterprise_region;
    std::map<std::string, json> application;  // id -> submitted data
    std::map<std::string, std::string> product_status, product_type, product_institution;
    std::map<std::string, int64_t> intended;
    std::map<std::string, std::string> first_loan;
    std::set<std::string> ended, disbursed;
    for (const auto& e : events) {
      const std::string day = cst_day(e.time);
      const json& d = e.data;
      if (e.name == "AccountRegistered") facts.push_back({"accounts", day, d["region"], "", "", d["kind"], 0});
      if (e.name == "EnterpriseRegistered") {
        enterprise_region[e.id] = d["region"];
        facts.push_back({"enterprises", day, d["region"], "", "", "", 0});
      }
      if (e.name == "EnterpriseProfileChanged" && d["field"] == "region") enterprise_region[e.id] = d["after"];
      if (e.name == "EnterpriseCertified") facts.push_back({"certified", day, enterprise_region[e.id], "", "", "", 0});
      if (e.name == "InstitutionOnboarded") {
        facts.push_back({"institutions", day, d["region"], "", d["type"], "", 0});
        if (!removed.contains(e.id)) current.push_back({"institutions_active", "", d["region"], "", d["type"], "", 0});
      }
      if (e.name == "ProductPublished") {
        const json& inst = institution.at(d["institution"]);
        facts.push_back({"products", day, inst["region"], "", inst["type"], "", 0});
        product_institution[e.id] = d["institution"];
        product_type[e.id] = d["product_type"];
        product_status[e.id] = "enabled";
      }
      if (e.name == "ProductDisabled") product_status[e.id] = "disabled";
      if (e.name == "ProductEnabled") product_status[e.id] = "enabled";
      if (e.name == "ProductWithdrawn") product_status[e.id] = "withdrawn";
      if (e.name == "ProductUpdated") product_type[e.id] = d["changes"]["product_type"]["after"];
      if (e.name == "DemandPublished" && !converted.contains(e.id))
        facts.push_back({"demand", day, d["region"], d["industry"], "none", "", d["amount"]});
      if (e.name == "ApplicationSubmitted") {
        application[e.id] = d;
        facts.push_back({"demand", day, d["region"], d["industry"], d["institution_type"], "", d["amount"]});
      }
      if (!application.contains(e.id)) continue;
      const json& app = application[e.id];
      auto fact = [&](const std::string& figure, const std::string& date, int64_t amount) {
        facts.push_back({figure, date, app["region"], app["industry"], app["institution_type"], "", amount});
      };
      if (e.name == "ApplicationAccepted") {
        fact("accepted", day, d["intended_amount"]);
        intended[e.id] = d["intended_amount"];
      }
      if (e.name == "ApplicationTerminated" || e.name == "ApplicationWithdrawn" || e.name == "CreditDeclined")
        ended.insert(e.id);
      if (e.name == "CreditGranted") fact("credit", d["granted_at"], d["amount"]);
      if (e.name == "LoanDisbursed") {
        fact("loan", d["disbursed_at"], d["amount"]);
        disbursed.insert(e.id);
        if (!first_loan.contains(e.id) || d["disbursed_at"].get<std::string>() < first_loan[e.id])
          first_loan[e.id] = d["disbursed_at"];
        loans.push_back({d["disbursed_at"], masked(app["enterprise_name"]), e.id, d["loan_number"], d["amount"],
                         app["region"]});
      }
      if (e.name == "LoanWrittenOff") fact("bad_debt", d["as_of"], d["amount"]);
    }
    for (const auto& [id, date] : first_loan) {
      const json& app = application[id];
      facts.push_back({"loan_orders", date, app["region"], app["industry"], app["institution_type"], "", 0});
    }
    for (const auto& [id, amount] : intended)
      if (!ended.contains(id) && !disbursed.contains(id))
        current.push_back({"docking", "", application[id]["region"], "", "", "", amount});
    for (const auto& [id, status] : product_status)
      if (status == "enabled") {
        const json& inst = institution.at(product_institution[id]);
        current.push_back({"products_active", "", inst["region"], "", inst["type"], product_type[id], 0});
      }
  }

  // The sum of `figure` in a scope and period, optionally restricted by a predicate on the fact.
  Sum sum(const std::string& figure, const std::string& scope, const std::string& period,
          const std::function<bool(const Fact&)>& also = nullptr) const {
    Sum s;
    for (const auto& f : facts)
      if (f.figure == figure && in_scope(f.region, scope) && in_period(f.date, period) && (!also || also(f)))
        s.add(f.amount);
    return s;
  }
  Sum now(const std::string& figure, const std::string& scope, const std::function<bool(const Fact&)>& also = nullptr) const {
    Sum s;
    for (const auto& f : current)
      if (f.figure == figure && in_scope(f.region, scope) && (!also || also(f))) s.add(f.amount);
    return s;
  }

  json figures(const std::string& scope, const std::string& period) const {
    const Sum loan = sum("loan", scope, period), bad = sum("bad_debt", scope, period),
              accepted = sum("accepted", scope, period);
    json by_kind = json::object();
    for (const auto& f : facts)
      if (f.figure == "accounts" && in_scope(f.region, scope) && in_period(f.date, period))
        by_kind[f.extra] = by_kind.value(f.extra, 0) + 1;
    std::set<std::string> kinds, industries;
    for (const auto& f : current)
      if (f.figure == "products_active" && in_scope(f.region, scope)) kinds.insert(f.extra);
    for (const auto& f : facts)
      if (f.figure == "demand" && in_scope(f.region, scope) && in_period(f.date, period)) industries.insert(f.industry);
    json bad_debt = bad.as_money();
    bad_debt["rate_by_count"] = ratio(bad.count, loan.count);
    bad_debt["rate_by_amount"] = ratio(bad.amount, loan.amount);
    return {{"financing_demands", sum("demand", scope, period).as_money()},
            {"loans_disbursed", loan.as_money()},
            {"credit_granted", sum("credit", scope, period).as_money()},
            {"accepted_orders", accepted.as_money()},
            {"docking_in_progress", now("docking", scope).as_money()},
            {"registered_enterprises", sum("enterprises", scope, period).count},
            {"certified_enterprises", sum("certified", scope, period).count},
            {"registered_users", sum("accounts", scope, period).count},
            {"registered_users_by_kind", by_kind},
            {"products_published", sum("products", scope, period).count},
            {"active_products", now("products_active", scope).count},
            {"active_product_kinds", kinds.size()},
            {"industries_involved", industries.size()},
            {"institutions_onboarded", sum("institutions", scope, period).count},
            {"institutions", now("institutions_active", scope).count},
            {"loan_success_rate", ratio(sum("loan_orders", scope, period).count, accepted.count)},
            {"bad_debt", bad_debt}};
  }

  json new_figures(const std::string& scope, const std::string& period) const {
    json out = {{"period", period}};
    for (const char* f : {"demand", "loan", "credit", "accepted"}) out[f] = sum(f, scope, period).as_money();
    for (const char* f : {"enterprises", "certified", "accounts", "products", "institutions"})
      out[f] = sum(f, scope, period).count;
    return out;
  }

  json trend(const std::string& scope, const std::string& period) const {
    std::set<std::string> years, months;
    for (const auto& f : facts)
      if ((f.figure == "demand" || f.figure == "loan") && f.date.size() == 10) {
        years.insert(f.date.substr(0, 4));
        months.insert(f.date.substr(0, 7));
      }
    auto entry = [&](const std::string& p) {
      const Sum demand = sum("demand", scope, p), loan = sum("loan", scope, p);
      return std::make_pair(demand.zero() && loan.zero(),
                            json{{"period", p}, {"demand", demand.as_money()}, {"loans", loan.as_money()}});
    };
    json y = json::array(), m = json::array();
    for (const auto& p : years)
      if (auto [zero, j] = entry(p); !zero) y.push_back(j);
    for (const auto& p : months)
      if (auto [zero, j] = entry(p); !zero && (period == "all" || p.substr(0, 4) == period.substr(0, 4))) m.push_back(j);
    return {{"years", y}, {"months", m}};
  }

  json distribution(const std::string& scope, const std::string& period) const {
    json by_region = json::object();
    for (const char* figure : {"demand", "loan", "credit"}) {
      std::map<std::string, Sum> per;
      for (const auto& f : facts)
        if (f.figure == figure && in_scope(f.region, scope) && in_period(f.date, period))
          per[child_of(f.region, scope)].add(f.amount);
      for (const auto& [code, s] : per)
        if (!s.zero()) by_region[code][std::string(figure) == "loan" ? "loans" : figure] = s.as_money();
    }
    for (auto& [code, item] : by_region.items()) {
      item["name"] = domain::region_name(code);
      for (const char* f : {"demand", "loans", "credit"})
        if (!item.contains(f)) item[f] = money(0, 0);
    }
    json by_industry = json::object();
    for (const auto& section : domain::industry_sections()) {
      auto of = [&](const Fact& f) { return f.industry == section.id; };
      by_industry[section.id] = {{"name", section.name},
                                 {"demand", sum("demand", scope, period, of).as_money()},
                                 {"loans", sum("loan", scope, period, of).as_money()},
                                 {"credit", sum("credit", scope, period, of).as_money()}};
    }
    std::map<std::string, std::string> types;
    for (const auto& t : domain::institution_types()) types[t.id] = t.name;
    if (!sum("demand", scope, period, [](const Fact& f) { return f.itype == "none"; }).zero()) types["none"] = "";
    json by_type = json::object();
    for (const auto& [type, name] : types) {
      auto of = [&](const Fact& f) { return f.itype == type; };
      by_type[type] = {{"name", name},
                       {"demand", sum("demand", scope, period, of).as_money()},
                       {"accepted", sum("accepted", scope, period, of).as_money()},
                       {"credit", sum("credit", scope, period, of).as_money()},
                       {"loans", sum("loan", scope, period, of).as_money()},
                       {"institutions_onboarded", sum("institutions", scope, period, of).count},
                       {"institutions", now("institutions_active", scope, of).count},
                       {"active_products", now("products_active", scope, of).count}};
    }
    const std::string level = scope == "CN" ? "province" : scope.ends_with("0000") ? "city" : "county";
    return {{"by_region", {{"level", level}, {"items", by_region}}},
            {"by_industry", by_industry},
            {"by_institution_type", by_type}};
  }

  json dynamics(const std::string& scope) const {
    std::vector<Loan> in;
    for (const auto& l : loans)
      if (in_scope(l.region, scope)) in.push_back(l);
    std::sort(in.begin(), in.end(), [](const Loan& a, const Loan& b) {
      if (a.date != b.date) return a.date > b.date;
      if (a.application != b.application) return a.application < b.application;
      return a.loan < b.loan;
    });
    json items = json::array();
    if (in.empty()) return {{"newest_date", nullptr}, {"since", nullptr}, {"items", items}};
    const std::string since = minus_days(in.front().date, 14);
    for (const auto& l : in)
      if (l.date >= since && items.size() < 50)
        items.push_back({{"date", l.date}, {"enterprise", l.name}, {"amount_fen", l.amount}, {"amount_wan", wan(l.amount)},
                         {"application", l.application}, {"loan_number", l.loan}});
    return {{"newest_date", in.front().date}, {"since", since}, {"items", items}};
  }

  json dashboard(const std::string& scope, const std::string& period, const std::string& as_of) const {
    const std::string level = scope == "CN" ? "country" : scope.ends_with("0000") ? "province" : "city";
    const std::string kind = period == "all" ? "all" : period.size() == 4 ? "year" : "month";
    return {{"scope", {{"code", scope}, {"level", level}, {"name", scope == "CN" ? "全国" : domain::region_name(scope)}}},
            {"period", {{"kind", kind}, {"value", period}}},
            {"as_of", as_of},
            {"figures", figures(scope, period)},
            {"new",
             {{"today", new_figures(scope, as_of)},
              {"this_month", new_figures(scope, as_of.substr(0, 7))},
              {"this_year", new_figures(scope, as_of.substr(0, 4))}}},
            {"trend", trend(scope, period)},
            {"distribution", distribution(scope, period)},
            {"latest_dynamics", dynamics(scope)}};
  }
};

const std::vector<std::string> kScopes = {"CN", "440000", "330000", "440300", "330100"};
const std::vector<std::string> kPeriods = {"all", "2023", "2024", "2023-03", "2024-06", "2024-11"};

// The CST date of the 10th submission, so the "today" figures are not all zero.
std::string busy_day(const std::vector<Ev>& events) {
  int seen = 0;
  for (const auto& e : events)
    if (e.name == "ApplicationSubmitted" && ++seen == 10) return cst_day(e.time);
  return "2024-06-15";
}

void check_equal(const json& expected, const json& actual, const std::string& what) {
  if (expected == actual) return;
  BOOST_ERROR(what << " differs: " << json::diff(expected, actual).dump().substr(0, 3000));
}

std::map<std::string, std::string> counter_rows(const test::MemoryView& view) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : view.rows)
    if (!key.empty() && key[0] != 's') out[key] = value;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dashboard)

BOOST_AUTO_TEST_CASE(every_figure_matches_a_plain_fold_over_the_events) {
  const Generator g = generate(20240607);
  const std::vector<Ev> events = g.merged(1);
  const auto view = build(seal(events));
  const Fold fold(events);
  const std::string as_of = busy_day(events);
  BOOST_TEST_MESSAGE(events.size() << " events, " << view.rows.size() << " rows, as_of " << as_of);
  // The history covers what the figures are about.
  const json country = fold.figures("CN", "all");
  BOOST_TEST(country["loans_disbursed"]["count"].get<int64_t>() > 20);
  BOOST_TEST(country["bad_debt"]["count"].get<int64_t>() > 0);
  BOOST_TEST(country["docking_in_progress"]["count"].get<int64_t>() > 0);
  BOOST_TEST(country["active_products"].get<int64_t>() < country["products_published"].get<int64_t>());
  for (const auto& scope : kScopes)
    for (const auto& period : kPeriods)
      check_equal(fold.dashboard(scope, period, as_of), query(view, scope, period, as_of), scope + " " + period);
}

BOOST_AUTO_TEST_CASE(two_batches_with_a_restart_and_another_interleaving_give_the_same_view) {
  const Generator g = generate(77);
  const std::vector<Ev> events = g.merged(5);
  const auto records = seal(events);
  const auto whole = build(records);

  test::MemoryView batched;
  auto first = make_projection();
  apply_range(*first, batched, records, 0, records.size() / 2);
  auto second = make_projection();  // a restarted worker on the committed rows
  apply_range(*second, batched, records, records.size() / 2, records.size());
  BOOST_TEST((batched.rows == whole.rows));

  // The same history with the aggregates' topics interleaved otherwise (products before their
  // institution, applications before the demand they convert, ...).
  const std::vector<Ev> reordered = g.merged(99);
  const auto other = build(seal(reordered));
  BOOST_TEST((counter_rows(other) == counter_rows(whole)));
  const Fold fold(events);
  for (const auto& scope : kScopes)
    for (const auto& period : {"all", "2024"}) {
      check_equal(query(whole, scope, period, "2024-06-15"), query(other, scope, period, "2024-06-15"),
                  "reordered " + scope);
      check_equal(fold.dashboard(scope, period, "2024-06-15"), query(whole, scope, period, "2024-06-15"),
                  "seed 77 " + scope);
    }
}

BOOST_AUTO_TEST_CASE(query_refuses_malformed_scope_period_and_as_of) {
  test::MemoryView view;
  projections::dashboard::DashboardQuery q;
  q.scope = "440305";  // a county: not a dashboard scope
  BOOST_TEST(!projections::dashboard::dashboard(view, q).ok());
  q.scope = "440300";
  q.period = "2024-13";
  BOOST_TEST(!projections::dashboard::dashboard(view, q).ok());
  q.period = "2024";
  q.as_of = "2024-02-30";
  BOOST_TEST(!projections::dashboard::dashboard(view, q).ok());
  q.as_of = "2024-02-29";
  BOOST_TEST(projections::dashboard::dashboard(view, q).ok());
}

BOOST_AUTO_TEST_SUITE_END()

// A plain fold over a financing history written from shared/DOMAIN.md ("Read side", "Which date
// and which place"), sharing no code with projections/dashboard: what every dashboard figure must
// be. Used by the dashboard's unit test (synthetic history) and the end-to-end read-model suites
// (the demo's history read back from the log). Test code; plain values, one thread.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "aggregates/reference.h"

namespace xyd::test::dashboard_fold {

using nlohmann::json;

struct Ev {
  std::string type, id, name;
  json data;
  std::string time;  // RFC 3339 UTC
};

inline constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
inline bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}
inline int month_days(int y, int m) {
  return m == 2 && leap(y) ? 29 : kMonthDays[m - 1];
}

inline std::string pad(int n, int width) {
  std::string s = std::to_string(n);
  return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}

// Day 0 is 2022-01-01.
inline std::string day_string(int day) {
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

inline std::string next_day(const std::string& date) {
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

inline std::string minus_days(std::string date, int n) {
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

// ---- the plain fold -------------------------------------------------------------------------

// The China Standard Time wall clock "YYYY-MM-DDTHH:MM:SS" of "YYYY-MM-DDTHH:MM:SSZ" or of
// "YYYY-MM-DDTHH:MM:SS+08:00" (the two forms the test histories use).
inline std::string cst_clock(const std::string& time) {
  if (time.size() >= 25 && time.substr(19, 6) == "+08:00") return time.substr(0, 19);
  const int hour = std::stoi(time.substr(11, 2)) + 8;
  const std::string date = hour >= 24 ? next_day(time.substr(0, 10)) : time.substr(0, 10);
  return date + "T" + pad(hour % 24, 2) + time.substr(13, 6);
}
// Its China Standard Time date.
inline std::string cst_day(const std::string& time) {
  return cst_clock(time).substr(0, 10);
}

inline bool in_scope(const std::string& region, const std::string& scope) {
  if (scope == "CN") return true;
  if (scope.ends_with("0000")) return region.substr(0, 2) == scope.substr(0, 2);
  return region.substr(0, 4) == scope.substr(0, 4);
}

inline bool in_period(const std::string& date, const std::string& period) {
  return period == "all" || date.substr(0, period.size()) == period;
}

inline std::string child_of(const std::string& region, const std::string& scope) {
  if (scope == "CN") return region.substr(0, 2) + "0000";
  if (scope.ends_with("0000")) return region.substr(0, 4) + "00";
  return region;
}

inline std::string wan(int64_t fen) {
  int64_t hundredths = fen / 10000;
  if (fen % 10000 >= 5000) ++hundredths;
  return std::to_string(hundredths / 100) + "." + pad(static_cast<int>(hundredths % 100), 2);
}

inline json money(int64_t count, int64_t amount) {
  return {{"count", count}, {"amount_fen", amount}, {"amount_wan", wan(amount)}};
}

struct Sum {
  int64_t count = 0, amount = 0;
  void add(int64_t a) {
    ++count;
    amount += a;
  }
  json as_money() const { return money(count, amount); }
  bool zero() const { return count == 0 && amount == 0; }
};

// No denominator: no value (null), never 0 %.
inline json ratio(int64_t num, int64_t den) {
  if (den <= 0) return {{"numerator", num}, {"denominator", den}, {"basis_points", nullptr}, {"rate", nullptr}};
  int64_t bp = num * 10000 / den;
  if ((num * 10000 % den) * 2 >= den) ++bp;
  return {{"numerator", num},
          {"denominator", den},
          {"basis_points", bp},
          {"rate", std::to_string(bp / 10000) + "." + pad(static_cast<int>(bp % 10000), 4)}};
}

inline std::string masked(const std::string& name) {
  std::vector<std::string> chars;
  for (char c : name) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80)
      chars.back().push_back(c);
    else
      chars.push_back(std::string(1, c));
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
  std::vector<Ev> events;
  std::vector<Fact> facts;   // dated flow figures
  std::vector<Fact> cohort;  // accepted orders: acceptance day, first drawdown's date (extra)
  mutable std::map<std::string, std::vector<Fact>> stock_cache;
  struct Loan {
    std::string date, name, application, loan;
    int64_t amount;
    std::string region;
  };
  std::vector<Loan> loans;

  explicit Fold(const std::vector<Ev>& history) : events(history) {
    // What later figures need to know, from the whole history.
    std::map<std::string, json> institution;                                        // id -> onboarded data
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> moves;  // id -> (time, region)
    std::set<std::string> converted;
    for (const auto& e : events) {
      if (e.name == "InstitutionOnboarded" && !institution.contains(e.id)) {
        institution[e.id] = e.data;
        moves[e.id].push_back({e.time, e.data["region"]});
      }
      if (e.name == "InstitutionUpdated" && e.data["changes"].contains("region"))
        moves[e.id].push_back({e.time, e.data["changes"]["region"]["after"]});
      if (e.name == "DemandClosed" && e.data["reason"] == "converted") converted.insert(e.id);
      if (e.name == "ApplicationSubmitted" && e.data.contains("demand")) converted.insert(e.data["demand"]);
    }
    std::map<std::string, std::string> enterprise_region;
    std::map<std::string, json> application;  // id -> submitted data
    std::map<std::string, int64_t> intended;
    std::map<std::string, std::string> accepted_on;
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
      if (e.name == "InstitutionOnboarded") facts.push_back({"institutions", day, d["region"], "", d["type"], "", 0});
      if (e.name == "ProductPublished" && institution.contains(d["institution"])) {
        // Under the institution's region when published (where it was onboarded if it came later).
        std::string region = institution.at(d["institution"])["region"];
        for (const auto& [time, to] : moves[d["institution"]])
          if (cst_clock(time) <= cst_clock(e.time)) region = to;
        facts.push_back({"products", day, region, "", institution.at(d["institution"])["type"], "", 0});
      }
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
        accepted_on[e.id] = day;
      }
      if (e.name == "ApplicationTerminated" || e.name == "ApplicationWithdrawn" || e.name == "CreditDeclined")
        ended.insert(e.id);
      if (e.name == "CreditGranted") fact("credit", d["granted_at"], d["amount"]);
      if (e.name == "LoanDisbursed") {
        fact("loan", d["disbursed_at"], d["amount"]);
        disbursed.insert(e.id);
        if (!first_loan.contains(e.id) || d["disbursed_at"].get<std::string>() < first_loan[e.id])
          first_loan[e.id] = d["disbursed_at"];
        loans.push_back(
            {d["disbursed_at"], masked(app["enterprise_name"]), e.id, d["loan_number"], d["amount"], app["region"]});
      }
      if (e.name == "LoanWrittenOff") fact("bad_debt", d["as_of"], d["amount"]);
    }
    // The cohort of each accepted order: accepted on `date`, first drawdown dated `extra`.
    for (const auto& [id, date] : accepted_on)
      cohort.push_back(
          {"cohort", date, application[id]["region"], "", "", first_loan.contains(id) ? first_loan[id] : "", 0});
  }

  // The stock facts at the end of `date` (CST), from the events of each subject up to that day:
  // each subject as it then was (region, status), whatever the order the topics came in.
  std::vector<Fact> stocks(const std::string& date) const {
    if (auto it = stock_cache.find(date); it != stock_cache.end()) return it->second;
    struct Inst {
      std::string region, type;
      bool exists = false, suspended = false;
    };
    struct Prod {
      std::string institution, ptype;
      bool enabled = true;
    };
    struct Ent {
      std::string region;
      bool certified = false;
    };
    struct Order {
      std::string region, accepted, first_loan;
      int64_t intended = 0;
      bool ended = false;
    };
    std::map<std::string, Inst> insts;
    std::map<std::string, Prod> prods;
    std::map<std::string, Ent> ents;
    std::map<std::string, std::string> app_region;
    std::map<std::string, Order> orders;
    std::vector<Fact> out;
    for (const auto& e : events) {
      const json& d = e.data;
      // Drawdowns end docking by their business date, whenever reported.
      if (e.name == "LoanDisbursed" && orders.contains(e.id)) {
        const std::string at = d["disbursed_at"];
        if (at <= date) orders[e.id].ended = true;
      }
      if (e.name == "ApplicationSubmitted") app_region[e.id] = d["region"];
      if (cst_day(e.time) > date) continue;
      if (e.name == "AccountRegistered") out.push_back({"accounts", "", d["region"], "", "", d["kind"], 0});
      if (e.name == "EnterpriseRegistered") ents[e.id] = {d["region"], false};
      if (e.name == "EnterpriseProfileChanged" && d["field"] == "region" && ents.contains(e.id))
        ents[e.id].region = d["after"];
      if (e.name == "EnterpriseCertified" && ents.contains(e.id)) ents[e.id].certified = true;
      if (e.name == "InstitutionOnboarded" && !insts.contains(e.id))
        insts[e.id] = {d["region"], d["type"], true, false};
      if (insts.contains(e.id) && insts[e.id].exists) {
        if (e.name == "InstitutionUpdated" && d["changes"].contains("region"))
          insts[e.id].region = d["changes"]["region"]["after"];
        if (e.name == "InstitutionSuspended") insts[e.id].suspended = true;
        if (e.name == "InstitutionResumed") insts[e.id].suspended = false;
        if (e.name == "InstitutionRemoved") insts[e.id].exists = false;
      }
      if (e.name == "ProductPublished" && !prods.contains(e.id))
        prods[e.id] = {d["institution"], d["product_type"], true};
      if (prods.contains(e.id)) {
        if (e.name == "ProductDisabled" || e.name == "ProductWithdrawn") prods[e.id].enabled = false;
        if (e.name == "ProductEnabled") prods[e.id].enabled = true;
        if (e.name == "ProductUpdated" && d["changes"].contains("product_type"))
          prods[e.id].ptype = d["changes"]["product_type"]["after"];
      }
      if (e.name == "ApplicationAccepted" && app_region.contains(e.id) && !orders.contains(e.id)) {
        const bool drawn = orders[e.id].ended;  // a drawdown dated before the acceptance
        orders[e.id] = {app_region[e.id], cst_day(e.time), "", d["intended_amount"], drawn};
      }
      if ((e.name == "ApplicationTerminated" || e.name == "ApplicationWithdrawn" || e.name == "CreditDeclined") &&
          orders.contains(e.id))
        orders[e.id].ended = true;
    }
    for (const auto& [id, ent] : ents) {
      out.push_back({"enterprises", "", ent.region, "", "", "", 0});
      if (ent.certified) out.push_back({"certified", "", ent.region, "", "", "", 0});
    }
    for (const auto& [id, inst] : insts)
      if (inst.exists) out.push_back({"institutions_active", "", inst.region, "", inst.type, "", 0});
    for (const auto& [id, prod] : prods) {
      auto inst = insts.find(prod.institution);
      if (prod.enabled && inst != insts.end() && inst->second.exists && !inst->second.suspended)
        out.push_back({"products_active", "", inst->second.region, "", inst->second.type, prod.ptype, 0});
    }
    for (const auto& [id, order] : orders)
      if (!order.ended) out.push_back({"docking", "", order.region, "", "", "", order.intended});
    stock_cache[date] = out;
    return out;
  }

  // The day a period's stock figures are read at: as_of inside the period, else its last day.
  static std::string stock_day(const std::string& period, const std::string& as_of) {
    if (period == "all" || as_of.substr(0, period.size()) == period) return as_of;
    if (period.size() == 4) return period + "-12-31";
    const int y = std::stoi(period.substr(0, 4)), m = std::stoi(period.substr(5, 2));
    return period + "-" + pad(month_days(y, m), 2);
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
  // Of the orders accepted in the period, those with a drawdown dated on or before as_of.
  int64_t cohort_disbursed(const std::string& scope, const std::string& period, const std::string& as_of) const {
    int64_t n = 0;
    for (const auto& f : cohort)
      if (in_scope(f.region, scope) && in_period(f.date, period) && !f.extra.empty() && f.extra <= as_of) ++n;
    return n;
  }

  // A stock figure at the end of `date`.
  Sum stock(const std::string& figure, const std::string& scope, const std::string& date,
            const std::function<bool(const Fact&)>& also = nullptr) const {
    Sum s;
    for (const auto& f : stocks(date))
      if (f.figure == figure && in_scope(f.region, scope) && (!also || also(f))) s.add(f.amount);
    return s;
  }

  json figures(const std::string& scope, const std::string& period, const std::string& as_of) const {
    const std::string on = stock_day(period, as_of);
    const Sum loan = sum("loan", scope, period), bad = sum("bad_debt", scope, period),
              accepted = sum("accepted", scope, period);
    json by_kind = json::object();
    for (const auto& f : stocks(on))
      if (f.figure == "accounts" && in_scope(f.region, scope)) by_kind[f.extra] = by_kind.value(f.extra, 0) + 1;
    std::set<std::string> kinds, industries;
    for (const auto& f : stocks(on))
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
            {"docking_in_progress", stock("docking", scope, on).as_money()},
            {"registered_enterprises", stock("enterprises", scope, on).count},
            {"certified_enterprises", stock("certified", scope, on).count},
            {"registered_users", stock("accounts", scope, on).count},
            {"registered_users_by_kind", by_kind},
            {"products_published", sum("products", scope, period).count},
            {"active_products", stock("products_active", scope, on).count},
            {"active_product_kinds", kinds.size()},
            {"industries_involved", industries.size()},
            {"institutions_onboarded", sum("institutions", scope, period).count},
            {"institutions", stock("institutions_active", scope, on).count},
            {"loan_success_rate", ratio(cohort_disbursed(scope, period, as_of), accepted.count)},
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
      if (auto [zero, j] = entry(p); !zero && (period == "all" || p.substr(0, 4) == period.substr(0, 4)))
        m.push_back(j);
    return {{"years", y}, {"months", m}};
  }

  json distribution(const std::string& scope, const std::string& period, const std::string& as_of) const {
    const std::string on = stock_day(period, as_of);
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
                       {"institutions", stock("institutions_active", scope, on, of).count},
                       {"active_products", stock("products_active", scope, on, of).count}};
    }
    const std::string level = scope == "CN" ? "province" : scope.ends_with("0000") ? "city" : "county";
    return {{"by_region", {{"level", level}, {"items", by_region}}},
            {"by_industry", by_industry},
            {"by_institution_type", by_type}};
  }

  // The disbursements dated in the 15 days ending with as_of.
  json dynamics(const std::string& scope, const std::string& as_of) const {
    std::vector<Loan> in;
    for (const auto& l : loans)
      if (in_scope(l.region, scope)) in.push_back(l);
    std::sort(in.begin(), in.end(), [](const Loan& a, const Loan& b) {
      if (a.date != b.date) return a.date > b.date;
      if (a.application != b.application) return a.application < b.application;
      return a.loan < b.loan;
    });
    json items = json::array();
    const std::string since = minus_days(as_of, 14);
    for (const auto& l : in)
      if (l.date >= since && l.date <= as_of && items.size() < 50)
        items.push_back({{"date", l.date},
                         {"enterprise", l.name},
                         {"amount_fen", l.amount},
                         {"amount_wan", wan(l.amount)},
                         {"application", l.application},
                         {"loan_number", l.loan}});
    return {{"since", since}, {"until", as_of}, {"items", items}};
  }

  json dashboard(const std::string& scope, const std::string& period, const std::string& as_of) const {
    const std::string level = scope == "CN" ? "country" : scope.ends_with("0000") ? "province" : "city";
    const std::string kind = period == "all" ? "all" : period.size() == 4 ? "year" : "month";
    return {
        {"scope", {{"code", scope}, {"level", level}, {"name", scope == "CN" ? "全国" : domain::region_name(scope)}}},
        {"period", {{"kind", kind}, {"value", period}}},
        {"as_of", as_of},
        {"stock_date", stock_day(period, as_of)},
        {"figures", figures(scope, period, as_of)},
        {"new",
         {{"today", new_figures(scope, as_of)},
          {"this_month", new_figures(scope, as_of.substr(0, 7))},
          {"this_year", new_figures(scope, as_of.substr(0, 4))}}},
        {"trend", trend(scope, period)},
        {"distribution", distribution(scope, period, as_of)},
        {"latest_dynamics", dynamics(scope, as_of)}};
  }
};

}  // namespace xyd::test::dashboard_fold

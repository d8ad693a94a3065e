// A plain fold over a financing history written from shared/DOMAIN.md ("Read side", "Which date
// and which place"), sharing no code with projections/dashboard: what every dashboard figure must
// be. Used by the dashboard's unit test (synthetic history) and the end-to-end read-model suites
// (the demo's history read back from the log). Test code; plain values, one thread.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aggregates/reference.h"

namespace xyd::test::dashboard_fold {

using nlohmann::json;

struct Ev {
  std::string type, id, name;
  json data;
  std::string time;  // RFC 3339 UTC
};

inline constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
inline bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
inline int month_days(int y, int m) { return m == 2 && leap(y) ? 29 : kMonthDays[m - 1]; }

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

// The China Standard Time date of "YYYY-MM-DDTHH:MM:SSZ".
inline std::string cst_day(const std::string& time) {
  const std::string date = time.substr(0, 10);
  return std::stoi(time.substr(11, 2)) + 8 >= 24 ? next_day(date) : date;
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

inline json money(int64_t count, int64_t amount) { return {{"count", count}, {"amount_fen", amount}, {"amount_wan", wan(amount)}}; }

struct Sum {
  int64_t count = 0, amount = 0;
  void add(int64_t a) {
    ++count;
    amount += a;
  }
  json as_money() const { return money(count, amount); }
  bool zero() const { return count == 0 && amount == 0; }
};

inline json ratio(int64_t num, int64_t den) {
  int64_t bp = 0;
  if (den > 0) {
    bp = num * 10000 / den;
    if ((num * 10000 % den) * 2 >= den) ++bp;
  }
  return {{"numerator", num}, {"denominator", den}, {"basis_points", bp},
          {"rate", std::to_string(bp / 10000) + "." + pad(static_cast<int>(bp % 10000), 4)}};
}

inline std::string masked(const std::string& name) {
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
      if (e.name == "ProductPublished" && institution.contains(d["institution"])) {
        const json& inst = institution.at(d["institution"]);
        facts.push_back({"products", day, inst["region"], "", inst["type"], "", 0});
        product_institution[e.id] = d["institution"];
        product_type[e.id] = d["product_type"];
        product_status[e.id] = "enabled";
      }
      if (e.name == "ProductDisabled") product_status[e.id] = "disabled";
      if (e.name == "ProductEnabled") product_status[e.id] = "enabled";
      if (e.name == "ProductWithdrawn") product_status[e.id] = "withdrawn";
      if (e.name == "ProductUpdated" && d.contains("changes") && d["changes"].contains("product_type"))
        product_type[e.id] = d["changes"]["product_type"]["after"];
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
      if (status == "enabled" && institution.contains(product_institution[id])) {
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

}  // namespace xyd::test::dashboard_fold

// A plain fold over a financing history for the institution statistics and rankings, written
// from shared/DOMAIN.md ("Rankings", "Which date and which place") and sharing no code with
// projections/statistics: per institution and period, products published and accepted / credit /
// loans (count, amount); and the stock figures active products and orders docking at the end of
// a day, from the events up to that day. Test code; one thread.
#pragma once

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/projections/dashboard_fold.h"

namespace xyd::test::dashboard_fold {

struct InstitutionFold {
  struct Figures {
    Sum products, accepted, credit, loans;
  };
  struct Institution {
    std::string name, type, region;
    bool removed = false;
    std::map<std::string, Figures> by_period;  // "all", "YYYY", "YYYY-MM"
  };
  std::map<std::string, Institution> institutions;
  std::vector<Ev> events;
  struct Stocks {
    int64_t products_active = 0;
    Sum docking;
  };

  static std::vector<std::string> periods(const std::string& date) {
    if (date.size() != 10) return {"all"};
    return {"all", date.substr(0, 4), date.substr(0, 7)};
  }

  explicit InstitutionFold(const std::vector<Ev>& history) : events(history) {
    std::map<std::string, std::string> app_institution;
    std::set<std::string> accepted;
    std::vector<std::tuple<std::string, std::string, std::string, int64_t>> facts;  // inst, figure, date, amount
    for (const auto& e : events) {
      const json& d = e.data;
      const std::string day = cst_day(e.time);
      if (e.name == "InstitutionOnboarded" && !institutions.contains(e.id))
        institutions[e.id] = {d.value("full_name", ""), d.value("type", ""), d.value("region", ""), false, {}};
      if (e.name == "InstitutionRemoved") institutions[e.id].removed = true;
      if (e.name == "InstitutionUpdated")
        for (const auto& [field, change] : d["changes"].items()) {
          if (field == "full_name") institutions[e.id].name = change["after"];
          if (field == "region") institutions[e.id].region = change["after"];
        }
      if (e.name == "ProductPublished") facts.emplace_back(d["institution"], "products", day, 0);
      if (e.name == "ApplicationSubmitted") app_institution[e.id] = d["institution"];
      if (!app_institution.contains(e.id)) continue;
      const std::string inst = app_institution[e.id];
      if (e.name == "ApplicationAccepted" && accepted.insert(e.id).second)
        facts.emplace_back(inst, "accepted", day, d["intended_amount"]);
      if (e.name == "CreditGranted") facts.emplace_back(inst, "credit", d["granted_at"], d["amount"]);
      if (e.name == "LoanDisbursed") facts.emplace_back(inst, "loans", d["disbursed_at"], d["amount"]);
    }
    for (const auto& [inst, figure, date, amount] : facts) {
      if (!institutions.contains(inst)) continue;
      for (const auto& p : periods(date)) {
        Figures& f = institutions[inst].by_period[p];
        (figure == "products"   ? f.products
         : figure == "accepted" ? f.accepted
         : figure == "credit"   ? f.credit
                                : f.loans)
            .add(amount);
      }
    }
  }

  // Each institution's stock figures at the end of `date` (CST), from the events of that day and
  // before: an enabled product of an institution neither suspended nor removed then is active; an
  // accepted order docks until it is ended or has a drawdown dated on or before the day.
  std::map<std::string, Stocks> stocks(const std::string& date) const {
    if (auto it = stock_cache.find(date); it != stock_cache.end()) return it->second;
    std::map<std::string, std::string> app_institution, product_institution;
    std::map<std::string, bool> product_enabled, drawn;
    std::set<std::string> onboarded, suspended, removed, ended;
    std::map<std::string, int64_t> intended;
    for (const auto& e : events) {
      const json& d = e.data;
      if (e.name == "ApplicationSubmitted") app_institution[e.id] = d["institution"];
      if (e.name == "LoanDisbursed" && d["disbursed_at"].get<std::string>() <= date) drawn[e.id] = true;
      if (cst_day(e.time) > date) continue;
      if (e.name == "InstitutionOnboarded") onboarded.insert(e.id);
      if (e.name == "InstitutionSuspended") suspended.insert(e.id);
      if (e.name == "InstitutionResumed") suspended.erase(e.id);
      if (e.name == "InstitutionRemoved") removed.insert(e.id);
      if (e.name == "ProductPublished" && !product_institution.contains(e.id)) {
        product_institution[e.id] = d["institution"];
        product_enabled[e.id] = true;
      }
      if (e.name == "ProductDisabled" || e.name == "ProductWithdrawn") product_enabled[e.id] = false;
      if (e.name == "ProductEnabled") product_enabled[e.id] = true;
      if (e.name == "ApplicationAccepted" && !intended.contains(e.id)) intended[e.id] = d["intended_amount"];
      if (e.name == "ApplicationTerminated" || e.name == "ApplicationWithdrawn" || e.name == "CreditDeclined")
        ended.insert(e.id);
    }
    std::map<std::string, Stocks> out;
    for (const auto& [product, enabled] : product_enabled) {
      const std::string& inst = product_institution[product];
      if (enabled && onboarded.contains(inst) && !suspended.contains(inst) && !removed.contains(inst))
        ++out[inst].products_active;
    }
    for (const auto& [app, amount] : intended)
      if (!ended.contains(app) && !drawn.contains(app) && app_institution.contains(app))
        out[app_institution[app]].docking.add(amount);
    stock_cache[date] = out;
    return out;
  }

  // Where the institution was at the end of `date`: its onboarding region, then each move dated on
  // or before it (the onboarding region when it came later).
  std::string region_at(const std::string& id, const std::string& date) const {
    std::string region;
    bool onboarded = false;
    for (const auto& e : events) {
      if (e.id != id || e.type != "institution") continue;
      if (e.name == "InstitutionOnboarded" && !onboarded) {
        region = e.data.value("region", "");
        onboarded = true;
      }
      if (e.name == "InstitutionUpdated" && onboarded && cst_day(e.time) <= date &&
          e.data["changes"].contains("region"))
        region = e.data["changes"]["region"]["after"];
    }
    return region;
  }

  // The figures of one institution in a period, named as the statistics API names them: stocks
  // at as_of inside the period, else at its last day.
  std::map<std::string, int64_t> figures(const std::string& id, const std::string& period,
                                         const std::string& as_of) const {
    const Institution& i = institutions.at(id);
    auto it = i.by_period.find(period);
    const Figures f = it == i.by_period.end() ? Figures{} : it->second;
    const auto all = stocks(Fold::stock_day(period, as_of));
    const auto found = all.find(id);
    const Stocks s = found == all.end() ? Stocks{} : found->second;
    return {{"products", f.products.count},         {"products_active", s.products_active},
            {"accepted_count", f.accepted.count},   {"accepted_amount", f.accepted.amount},
            {"credit_count", f.credit.count},       {"credit_amount", f.credit.amount},
            {"loan_count", f.loans.count},          {"loan_amount", f.loans.amount},
            {"in_progress_count", s.docking.count}, {"in_progress_amount", s.docking.amount}};
  }

 private:
  mutable std::map<std::string, std::map<std::string, Stocks>> stock_cache;
};

}  // namespace xyd::test::dashboard_fold

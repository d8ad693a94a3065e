// A plain fold over a financing history for the institution statistics and rankings, written
// from shared/DOMAIN.md ("Rankings", "Which date and which place") and sharing no code with
// projections/statistics: per institution and period, products published, enabled products,
// accepted / credit / loans (count, amount) and orders docking. Test code; one thread.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/projections/dashboard_fold.h"

namespace xyd::test::dashboard_fold {

struct InstitutionFold {
  struct Figures {
    Sum products, accepted, credit, loans;
  };
  struct Institution {
    std::string name, type, region;
    bool removed = false;
    int64_t products_active = 0;
    Sum docking;
    std::map<std::string, Figures> by_period;  // "all", "YYYY", "YYYY-MM"
  };
  std::map<std::string, Institution> institutions;

  static std::vector<std::string> periods(const std::string& date) {
    if (date.size() != 10) return {"all"};
    return {"all", date.substr(0, 4), date.substr(0, 7)};
  }

  explicit InstitutionFold(const std::vector<Ev>& events) {
    std::map<std::string, std::string> app_institution, product_institution, product_status;
    std::map<std::string, int64_t> intended;
    std::set<std::string> ended, disbursed, suspended;
    std::vector<std::tuple<std::string, std::string, std::string, int64_t>> facts;  // inst, figure, date, amount
    for (const auto& e : events) {
      const json& d = e.data;
      const std::string day = cst_day(e.time);
      if (e.name == "InstitutionOnboarded" && !institutions.contains(e.id))
        institutions[e.id] = {d.value("full_name", ""), d.value("type", ""), d.value("region", ""), false, 0, {}, {}};
      if (e.name == "InstitutionRemoved") institutions[e.id].removed = true;
      if (e.name == "InstitutionSuspended") suspended.insert(e.id);
      if (e.name == "InstitutionResumed") suspended.erase(e.id);
      if (e.name == "InstitutionUpdated")
        for (const auto& [field, change] : d["changes"].items()) {
          if (field == "full_name") institutions[e.id].name = change["after"];
          if (field == "region") institutions[e.id].region = change["after"];
        }
      if (e.name == "ProductPublished") {
        product_institution[e.id] = d["institution"];
        product_status[e.id] = "enabled";
        facts.emplace_back(d["institution"], "products", day, 0);
      }
      if (e.name == "ProductDisabled" || e.name == "ProductWithdrawn") product_status[e.id] = "off";
      if (e.name == "ProductEnabled") product_status[e.id] = "enabled";
      if (e.name == "ApplicationSubmitted") app_institution[e.id] = d["institution"];
      if (!app_institution.contains(e.id)) continue;
      const std::string inst = app_institution[e.id];
      if (e.name == "ApplicationAccepted" && !intended.contains(e.id)) {
        intended[e.id] = d["intended_amount"];
        facts.emplace_back(inst, "accepted", day, d["intended_amount"]);
      }
      if (e.name == "ApplicationTerminated" || e.name == "ApplicationWithdrawn" || e.name == "CreditDeclined")
        ended.insert(e.id);
      if (e.name == "CreditGranted") facts.emplace_back(inst, "credit", d["granted_at"], d["amount"]);
      if (e.name == "LoanDisbursed") {
        disbursed.insert(e.id);
        facts.emplace_back(inst, "loans", d["disbursed_at"], d["amount"]);
      }
    }
    for (const auto& [inst, figure, date, amount] : facts) {
      if (!institutions.contains(inst)) continue;
      for (const auto& p : periods(date)) {
        Figures& f = institutions[inst].by_period[p];
        (figure == "products" ? f.products : figure == "accepted" ? f.accepted : figure == "credit" ? f.credit : f.loans).add(amount);
      }
    }
    // Active: an enabled product of an institution neither suspended nor removed.
    for (const auto& [product, status] : product_status)
      if (status == "enabled" && institutions.contains(product_institution[product]) &&
          !institutions[product_institution[product]].removed && !suspended.contains(product_institution[product]))
        ++institutions[product_institution[product]].products_active;
    for (const auto& [app, amount] : intended)
      if (!ended.contains(app) && !disbursed.contains(app) && institutions.contains(app_institution[app]))
        institutions[app_institution[app]].docking.add(amount);
  }

  // The figures of one institution in a period, named as the statistics API names them.
  std::map<std::string, int64_t> figures(const std::string& id, const std::string& period) const {
    const Institution& i = institutions.at(id);
    auto it = i.by_period.find(period);
    const Figures f = it == i.by_period.end() ? Figures{} : it->second;
    return {{"products", f.products.count},        {"products_active", i.products_active},
            {"accepted_count", f.accepted.count},  {"accepted_amount", f.accepted.amount},
            {"credit_count", f.credit.count},      {"credit_amount", f.credit.amount},
            {"loan_count", f.loans.count},         {"loan_amount", f.loans.amount},
            {"in_progress_count", i.docking.count}, {"in_progress_amount", i.docking.amount}};
  }
};

}  // namespace xyd::test::dashboard_fold

// The demo's plan (ops/demo/plan.h) is pure and seeded: the same seed gives the same plan; it
// covers every industry section, all 11 institution types, many provinces and every lifecycle
// path; its identifiers are valid and do not collide across seeds; its business dates are
// consistent (granted ≤ disbursed ≤ paid ≤ base date, within the credit's validity).
#define BOOST_TEST_MODULE demo_plan
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <set>

#include "aggregates/identifiers.h"
#include "aggregates/reference.h"
#include "ops/demo/plan.h"

using namespace xyd::ops::demo;

namespace {

const DemoPlan& plan_2000() {
  static const DemoPlan plan = make_plan(1, 2000);
  return plan;
}

std::string fingerprint(const DemoPlan& plan) {
  std::string text = plan.base_date + plan.system_admin.phone + plan.system_admin.password;
  for (const auto& e : plan.enterprises) {
    text += e.uscc + e.name + e.region + e.industry + e.certification;
    for (const auto& a : e.applications) {
      text += a.id + path_name(a.path) + std::to_string(a.amount) + a.credit.granted_at;
      for (const auto& l : a.loans)
        for (const auto& r : l.repayments) text += r.paid_at + std::to_string(r.principal);
    }
  }
  for (const auto& p : plan.products) text += p.id + p.name + std::to_string(p.amount_max);
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(same_seed_same_plan_other_seed_other_ids) {
  const DemoPlan again = make_plan(1, 2000);
  BOOST_TEST(fingerprint(again) == fingerprint(plan_2000()));
  const DemoPlan other = make_plan(2, 2000);
  BOOST_TEST(fingerprint(other) != fingerprint(plan_2000()));
  std::set<std::string> ids;
  for (const DemoPlan* plan : {&plan_2000(), &other}) {
    for (const auto& e : plan->enterprises) BOOST_TEST(ids.insert(e.uscc).second, e.uscc);
    for (const auto& a : {plan->system_admin}) BOOST_TEST(ids.insert(a.phone).second, a.phone);
    for (const auto* group : {&plan->admins, &plan->managers, &plan->users})
      for (const auto& a : *group) BOOST_TEST(ids.insert(a.phone).second, a.phone);
    for (const auto& i : plan->institutions) BOOST_TEST(ids.insert(i.id).second, i.id);
    for (const auto& p : plan->products) BOOST_TEST(ids.insert(p.id).second, p.id);
  }
}

BOOST_AUTO_TEST_CASE(identifiers_are_valid) {
  for (const auto& e : plan_2000().enterprises) {
    BOOST_TEST(xyd::domain::check_uscc(e.uscc).ok(), e.uscc);
    BOOST_TEST(e.uscc.substr(2, 6) == e.region);
    BOOST_TEST(xyd::domain::is_region(e.region), e.region);
    BOOST_TEST(xyd::domain::check_industry_section(e.industry).ok());
  }
  for (const auto* group : {&plan_2000().admins, &plan_2000().managers, &plan_2000().users})
    for (const auto& a : *group) {
      BOOST_TEST(xyd::domain::check_mobile(a.phone).ok(), a.phone);
      BOOST_TEST(a.password.size() >= 8u);
    }
}

BOOST_AUTO_TEST_CASE(covers_sections_types_provinces_and_paths) {
  const DemoPlan& plan = plan_2000();
  std::set<std::string> sections, provinces, types;
  for (const auto& e : plan.enterprises) {
    sections.insert(e.industry);
    provinces.insert(xyd::domain::province_of(e.region));
  }
  for (const auto& i : plan.institutions) types.insert(i.type);
  BOOST_TEST(sections.size() == 20u);
  BOOST_TEST(types.size() == 11u);
  BOOST_TEST(provinces.size() >= 30u);
  const auto counts = plan.path_counts();
  for (size_t p = 0; p < kPathCount; ++p) BOOST_TEST(counts[p] > 0u, path_name(static_cast<Path>(p)));
  // The mix is roughly as configured: settled about 35 %.
  const double settled = static_cast<double>(counts[0]) / plan.application_count();
  BOOST_TEST(settled > 0.30);
  BOOST_TEST(settled < 0.40);
  BOOST_TEST(plan.application_count() > 2000u);
  size_t converted = 0;
  for (const auto& d : plan.demands) converted += d.close_reason == "converted";
  BOOST_TEST(converted > 0u);
}

BOOST_AUTO_TEST_CASE(products_serve_their_applicants_within_their_terms) {
  const DemoPlan& plan = plan_2000();
  for (const auto& e : plan.enterprises)
    for (const auto& a : e.applications) {
      const auto& p = plan.products[a.product];
      bool served = false;
      for (const auto& scope : p.service_regions) served = served || xyd::domain::region_scope_covers(scope, e.region);
      BOOST_TEST(served, a.id);
      BOOST_TEST(a.amount >= p.amount_min);
      BOOST_TEST(a.amount <= p.amount_max);
      BOOST_TEST(a.term_months >= p.term_min_months);
      BOOST_TEST(a.term_months <= p.term_max_months);
      BOOST_TEST(a.intended_amount >= 1);
      BOOST_TEST(a.intended_amount <= a.amount);
    }
}

BOOST_AUTO_TEST_CASE(business_dates_are_consistent) {
  const DemoPlan& plan = plan_2000();
  for (const auto& e : plan.enterprises)
    for (const auto& a : e.applications) {
      if (a.loans.empty()) continue;
      const auto& c = a.credit;
      BOOST_TEST(c.granted_at <= c.valid_until);
      BOOST_TEST(c.granted_at <= plan.base_date);
      int64_t disbursed = 0;
      for (const auto& l : a.loans) {
        BOOST_TEST(c.granted_at <= l.disbursed_at, a.id);
        BOOST_TEST(l.disbursed_at <= c.valid_until, a.id);
        BOOST_TEST(l.disbursed_at < l.maturity, a.id);
        BOOST_TEST(l.disbursed_at <= plan.base_date, a.id);
        disbursed += l.amount;
        std::string previous = l.disbursed_at;
        int64_t principal = 0;
        for (const auto& r : l.repayments) {
          BOOST_TEST(previous <= r.paid_at, a.id);
          BOOST_TEST(r.paid_at <= plan.base_date, a.id);
          BOOST_TEST(r.principal + r.interest + r.penalty > 0);
          previous = r.paid_at;
          principal += r.principal;
        }
        BOOST_TEST(l.outstanding_after_repayments == l.amount - principal);
        if (a.path == Path::settled)
          BOOST_TEST(l.outstanding_after_repayments == 0);
        else
          BOOST_TEST(l.outstanding_after_repayments > 0);
      }
      BOOST_TEST(disbursed <= c.amount);
      if (a.overdue) {
        const auto& l = a.loans.front();
        BOOST_TEST(a.overdue->as_of >= (l.repayments.empty() ? l.disbursed_at : l.repayments.back().paid_at));
        BOOST_TEST(a.overdue->as_of <= plan.base_date);
        BOOST_TEST(a.overdue->overdue_principal <= l.outstanding_after_repayments);
        BOOST_TEST(a.overdue->days_past_due > 0);
      }
      if (a.write_off) {
        BOOST_TEST(a.write_off->as_of >= a.overdue->as_of);
        BOOST_TEST(a.write_off->as_of <= plan.base_date);
        BOOST_TEST(a.write_off->amount == a.loans.front().outstanding_after_repayments);
      }
    }
}

BOOST_AUTO_TEST_CASE(date_arithmetic) {
  BOOST_TEST(date_from_days(days_from_date("2024-02-28") + 1) == "2024-02-29");
  BOOST_TEST(date_from_days(days_from_date("2023-12-31") + 1) == "2024-01-01");
  BOOST_TEST(days_from_date("1970-01-01") == 0);
  BOOST_TEST(add_months("2024-01-31", 1) == "2024-02-29");
  BOOST_TEST(add_months("2024-11-15", 14) == "2026-01-15");
}

// `xyd demo` passes today (CST) as the end date: the history ends on the date given, with
// drawdowns in its last months, and the same seed and date give the same plan.
BOOST_AUTO_TEST_CASE(history_ends_on_the_end_date_given) {
  const DemoPlan plan = make_plan(3, 2000, {}, "2026-12-07");
  BOOST_TEST(plan.base_date == "2026-12-07");
  std::string latest;
  for (const auto& e : plan.enterprises)
    for (const auto& a : e.applications)
      for (const auto& l : a.loans) {
        BOOST_TEST(l.disbursed_at <= plan.base_date, a.id);
        latest = std::max(latest, l.disbursed_at);
      }
  BOOST_TEST(latest >= std::string("2026-09-07"), latest);
  BOOST_TEST(make_plan(3, 2000, {}, "2026-12-07").application_count() == plan.application_count());
}

// Unit test of the dashboard projection: a seeded synthetic history covering every lifecycle
// path, sealed as real envelopes and applied on an in-memory view, against a plain fold over the
// same events written here from DOMAIN.md (no code shared with the projection); plus a rebuild
// in two batches, and another interleaving of the aggregates' topics, giving the same answers.
#define BOOST_TEST_MODULE dashboard_unit
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "aggregates/reference.h"
#include "projections/dashboard/dashboard_projection.h"
#include "projections/dashboard/dashboard_query.h"
#include "projections/event_scan.h"
#include "projections/memory_view.h"
#include "projections/sample_events.h"
#include "tests/projections/dashboard_fold.h"
#include "tests/projections/synthetic_history.h"

using namespace xyd;
using nlohmann::json;
using namespace xyd::test::dashboard_fold;

namespace {

json query(const projections::MemoryView& view, const std::string& scope, const std::string& period,
           const std::string& as_of) {
  projections::dashboard::DashboardQuery q;
  q.scope = scope;
  q.period = period;
  q.as_of = as_of;
  auto result = projections::dashboard::dashboard(view, q);
  BOOST_REQUIRE_MESSAGE(result.ok(), result.error().to_string());
  return *result;
}

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

std::map<std::string, std::string> counter_rows(const projections::MemoryView& view) {
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
  const auto view = build(projections::dashboard::dashboard_spec(), seal(events));
  const Fold fold(events);
  const std::string as_of = busy_day(events);
  BOOST_TEST_MESSAGE(events.size() << " events, " << view.rows.size() << " rows, as_of " << as_of);
  // The history covers what the figures are about.
  const json country = fold.figures("CN", "all", "2026-12-31");
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
  const auto whole = build(projections::dashboard::dashboard_spec(), records);

  projections::MemoryView batched;
  auto first = make_projection(projections::dashboard::dashboard_spec());
  apply_range(*first, batched, records, 0, records.size() / 2);
  auto second = make_projection(projections::dashboard::dashboard_spec());  // a restarted worker on the committed rows
  apply_range(*second, batched, records, records.size() / 2, records.size());
  BOOST_TEST((batched.rows == whole.rows));

  // The same history with the aggregates' topics interleaved otherwise (products before their
  // institution, applications before the demand they convert, ...).
  const std::vector<Ev> reordered = g.merged(99);
  const auto other = build(projections::dashboard::dashboard_spec(), seal(reordered));
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

// Hand-made edge cases, each figure also written out by hand: an institution suspended at
// 23:59:59 and resumed at 00:00:00 +08:00, moved, then removed; a product published before its
// institution in the log; an enterprise moving; an order accepted on the last second of 2024 and
// disbursed in 2025; as_of inside and outside the period; a cohort with no acceptance (0/0).
BOOST_AUTO_TEST_CASE(moves_suspensions_cohorts_and_cst_midnight_by_hand) {
  const std::vector<Ev> events = {
      {"institution",
       "nj",
       "InstitutionOnboarded",
       {{"type", "bank"}, {"full_name", "南京银行"}, {"short_name", "南京"}, {"region", "320100"}},
       "2024-01-10T02:00:00Z"},
      {"product",
       "p2",
       "ProductPublished",
       {{"institution", "sz"}, {"name", "后到"}, {"product_type", "tax"}},
       "2024-02-02T02:00:00Z"},
      {"product",
       "p1",
       "ProductPublished",
       {{"institution", "nj"}, {"name", "贷"}, {"product_type", "credit"}},
       "2024-02-01T02:00:00Z"},
      {"institution", "nj", "InstitutionSuspended", {{"reason", "整改"}}, "2024-03-31T23:59:59+08:00"},
      {"institution", "nj", "InstitutionResumed", json::object(), "2024-04-01T00:00:00+08:00"},
      {"institution",
       "nj",
       "InstitutionUpdated",
       {{"changes", {{"region", {{"before", "320100"}, {"after", "320200"}}}}}},
       "2024-05-15T03:00:00Z"},
      {"institution", "nj", "InstitutionSuspended", {{"reason", "整改"}}, "2024-06-01T00:00:00+08:00"},
      {"institution", "nj", "InstitutionRemoved", json::object(), "2024-07-01T03:00:00Z"},
      {"institution",
       "sz",
       "InstitutionOnboarded",
       {{"type", "guarantee"}, {"full_name", "深担"}, {"short_name", "深担"}, {"region", "440300"}},
       "2024-01-05T02:00:00Z"},
      {"enterprise",
       "e1",
       "EnterpriseRegistered",
       {{"name", "南京某某科技有限公司"}, {"region", "320102"}},
       "2024-01-31T23:59:59+08:00"},
      {"enterprise", "e1", "EnterpriseCertified", json::object(), "2024-02-01T00:00:00+08:00"},
      {"enterprise",
       "e1",
       "EnterpriseProfileChanged",
       {{"field", "region"}, {"before", "320102"}, {"after", "440305"}},
       "2024-08-01T00:00:00+08:00"},
      {"application",
       "a1",
       "ApplicationSubmitted",
       {{"enterprise", "e1"},
        {"enterprise_name", "南京某某科技有限公司"},
        {"product", "p2"},
        {"institution", "sz"},
        {"institution_type", "guarantee"},
        {"amount", 1000000},
        {"region", "440305"},
        {"industry", "C"}},
       "2024-12-30T02:00:00Z"},
      {"application", "a1", "ApplicationAccepted", {{"intended_amount", 900000}}, "2024-12-31T23:59:59+08:00"},
      {"application",
       "a1",
       "LoanDisbursed",
       {{"loan_number", "L1"}, {"amount", 900000}, {"disbursed_at", "2025-01-05"}},
       "2025-01-05T01:00:00Z"},
  };
  const auto view = build(projections::dashboard::dashboard_spec(), seal(events));
  const Fold fold(events);
  for (const std::string scope : {"CN", "320000", "320100", "320200", "440000", "440300"})
    for (const std::string period : {"all", "2024", "2024-03", "2024-04", "2024-06", "2025", "2023"})
      for (const std::string as_of :
           {"2024-03-31", "2024-04-01", "2024-05-15", "2024-12-31", "2025-01-04", "2025-01-05"})
        check_equal(fold.dashboard(scope, period, as_of), query(view, scope, period, as_of),
                    scope + " " + period + " " + as_of);
  auto figures = [&](const std::string& scope, const std::string& period, const std::string& as_of) {
    return query(view, scope, period, as_of)["figures"];
  };
  // Suspended at the last second of March: no active product at its end; resumed at midnight.
  BOOST_TEST(figures("320100", "2024-03", "2024-12-31")["active_products"] == 1 - 1);
  BOOST_TEST(figures("320100", "2024-03", "2024-12-31")["institutions"] == 1);
  BOOST_TEST(figures("320100", "2024-04", "2024-12-31")["active_products"] == 1);
  // Moved to Wuxi on May 15th: counted there from then on; suspended again, then removed.
  BOOST_TEST(figures("320100", "all", "2024-05-15")["institutions"] == 0);
  BOOST_TEST(figures("320200", "all", "2024-05-15")["active_products"] == 1);
  BOOST_TEST(figures("320200", "2024-06", "2024-12-31")["active_products"] == 0);
  BOOST_TEST(figures("320200", "2024-06", "2024-12-31")["institutions"] == 1);
  BOOST_TEST(figures("320000", "2024", "2024-12-31")["institutions"] == 0);
  // The product published before its institution in the log counts under it.
  BOOST_TEST(figures("440300", "2024", "2024-12-31")["active_products"] == 1);
  // Registered at 23:59:59 on January 31st (CST), certified at midnight: January has it registered only.
  BOOST_TEST(figures("320100", "2024-01", "2024-12-31")["registered_enterprises"] == 1);
  BOOST_TEST(figures("320100", "2024-01", "2024-12-31")["certified_enterprises"] == 0);
  BOOST_TEST(figures("320100", "2024-02", "2024-12-31")["certified_enterprises"] == 1);
  BOOST_TEST(figures("440000", "2024", "2024-12-31")["certified_enterprises"] == 1);  // it moved
  BOOST_TEST(figures("320000", "2024", "2024-12-31")["registered_enterprises"] == 0);
  // The 2024 cohort: accepted on its last second, disbursed in 2025; docking until then.
  const json y2024_before = figures("CN", "2024", "2025-01-04"), y2024_after = figures("CN", "2024", "2025-01-05");
  BOOST_TEST(y2024_before["loan_success_rate"]["numerator"] == 0);
  BOOST_TEST(y2024_before["loan_success_rate"]["denominator"] == 1);
  BOOST_TEST(y2024_before["loan_success_rate"]["rate"] == "0.0000");
  BOOST_TEST(y2024_after["loan_success_rate"]["rate"] == "1.0000");
  BOOST_TEST(y2024_after["docking_in_progress"]["count"] == 1);  // at the end of 2024
  BOOST_TEST(figures("CN", "all", "2025-01-05")["docking_in_progress"]["count"] == 0);
  BOOST_TEST(figures("CN", "2025", "2025-01-05")["loan_success_rate"]["rate"].is_null());  // 0/0
  BOOST_TEST(figures("CN", "2025", "2025-01-05")["bad_debt"]["rate_by_count"]["rate"] == "0.0000");
  BOOST_TEST(figures("CN", "2023", "2025-01-05")["bad_debt"]["rate_by_count"]["rate"].is_null());
  // The latest dynamics: the 15 days ending at as_of.
  BOOST_TEST(query(view, "CN", "all", "2025-01-19")["latest_dynamics"]["items"].size() == 1u);
  BOOST_TEST(query(view, "CN", "all", "2025-01-20")["latest_dynamics"]["items"].empty());
  BOOST_TEST(query(view, "CN", "all", "2025-01-04")["latest_dynamics"]["items"].empty());
}

BOOST_AUTO_TEST_CASE(query_refuses_malformed_scope_period_and_as_of) {
  projections::MemoryView view;
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

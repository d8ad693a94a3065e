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
#include "tests/projections/dashboard_fold.h"
#include "tests/projections/synthetic_history.h"
#include "tests/projections/memory_view.h"

using namespace xyd;
using nlohmann::json;
using namespace xyd::test::dashboard_fold;

namespace {

json query(const test::MemoryView& view, const std::string& scope, const std::string& period, const std::string& as_of) {
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

  test::MemoryView batched;
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

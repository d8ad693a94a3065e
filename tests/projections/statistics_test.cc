// Unit test of the institution statistics projection and the rankings: the seeded synthetic
// history of the dashboard test, sealed and applied on an in-memory view, against a plain fold
// (tests/projections/statistics_fold.h, no code shared with the projection), over every period
// and filter; a rebuild in two batches and another interleaving give the same rows; rankings
// order by value then code and weigh the composite as documented.
#define BOOST_TEST_MODULE statistics_unit
#include <boost/test/unit_test.hpp>

#include "aggregates/reference.h"
#include "projections/event_scan.h"
#include "projections/memory_view.h"
#include "projections/statistics/ranking.h"
#include "projections/statistics/statistics_projection.h"
#include "projections/statistics/statistics_query.h"
#include "tests/projections/statistics_fold.h"
#include "tests/projections/synthetic_history.h"

using namespace xyd;
using namespace xyd::test::dashboard_fold;
using nlohmann::json;
namespace stats = xyd::projections::statistics;

namespace {

std::map<std::string, int64_t> figures_of(const stats::InstitutionStatistics& s) {
  return {{"products", s.products.count},         {"products_active", s.products_active.count},
          {"accepted_count", s.accepted.count},   {"accepted_amount", s.accepted.amount},
          {"credit_count", s.credit.count},       {"credit_amount", s.credit.amount},
          {"loan_count", s.loans.count},          {"loan_amount", s.loans.amount},
          {"in_progress_count", s.docking.count}, {"in_progress_amount", s.docking.amount}};
}

void check_query(const projections::MemoryView& view, const InstitutionFold& fold,
                 const stats::StatisticsQuery& query) {
  auto table = stats::institution_statistics(view, query);
  BOOST_REQUIRE_MESSAGE(table.ok(), table.error().to_string());
  const auto* rows = &table->rows;
  const std::string stock_day = Fold::stock_day(query.period.empty() ? "all" : query.period, query.as_of);
  std::set<std::string> expected_ids;
  for (const auto& [id, inst] : fold.institutions) {
    if (!query.type.empty() && inst.type != query.type) continue;
    if (!query.region.empty() && !domain::region_scope_covers(query.region, fold.region_at(id, stock_day))) continue;
    expected_ids.insert(id);
  }
  std::set<std::string> ids;
  for (const auto& row : *rows) {
    ids.insert(row.id);
    BOOST_TEST_CONTEXT(row.id << " in " << query.period << " as of " << query.as_of) {
      BOOST_TEST((figures_of(row) == fold.figures(row.id, query.period.empty() ? "all" : query.period, query.as_of)));
      BOOST_TEST(row.type == fold.institutions.at(row.id).type);
      BOOST_TEST(row.region == fold.region_at(row.id, stock_day));
      BOOST_TEST(row.removed == fold.institutions.at(row.id).removed);
    }
  }
  BOOST_TEST((ids == expected_ids),
             "institutions listed for " << query.period << " " << query.type << " " << query.region);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(statistics)

BOOST_AUTO_TEST_CASE(every_institution_figure_matches_a_plain_fold) {
  const Generator g = generate(20240607);
  const std::vector<Ev> events = g.merged(1);
  const auto view = build(stats::statistics_spec(), seal(events));
  const InstitutionFold fold(events);
  int64_t loans = 0, docking = 0;
  std::set<int64_t> past_docking;  // the docking stock differs from day to day
  for (const auto& [id, inst] : fold.institutions) {
    loans += fold.figures(id, "all", "2099-01-01").at("loan_count");
    docking += fold.figures(id, "all", "2099-01-01").at("in_progress_count");
  }
  for (const std::string day : {"2023-03-31", "2023-12-31", "2024-06-15"}) {
    int64_t total = 0;
    for (const auto& [id, inst] : fold.institutions) total += fold.figures(id, "all", day).at("in_progress_count");
    past_docking.insert(total);
  }
  BOOST_TEST(loans > 20);  // the history covers what the figures are about
  BOOST_TEST(docking > 0);
  BOOST_TEST(past_docking.size() > 1u);
  size_t moved = 0;  // institutions listed under another region for an earlier day
  for (const auto& [id, inst] : fold.institutions)
    moved += fold.region_at(id, "2023-01-31") != fold.region_at(id, "2099-01-01");
  BOOST_TEST(moved > 0u);
  // as_of inside a period (the stock at as_of) and outside it (at the period's last day).
  for (const std::string as_of : {"2023-03-15", "2024-06-30", "2099-01-01"})
    for (const std::string period : {"", "2023", "2024", "2023-03", "2024-06"})
      for (const std::string type : {"", "bank", "guarantee"})
        for (const std::string region : {"", "440000", "440300"})
          check_query(view, fold, {period, type, region, "", as_of});
}

BOOST_AUTO_TEST_CASE(batches_and_interleavings_give_the_same_rows) {
  const Generator g = generate(77);
  const auto records = seal(g.merged(5));
  const auto whole = build(stats::statistics_spec(), records);
  projections::MemoryView batched;
  auto first = make_projection(stats::statistics_spec());
  apply_range(*first, batched, records, 0, records.size() / 2);
  auto second = make_projection(stats::statistics_spec());
  apply_range(*second, batched, records, records.size() / 2, records.size());
  BOOST_TEST((batched.rows == whole.rows));
  // Another interleaving of the topics: the same figures (state rows keep their timelines in the
  // order they came).
  auto figure_rows = [](const projections::MemoryView& view) {
    std::map<std::string, std::string> out;
    for (const auto& [key, value] : view.rows)
      if (key[0] == 'c' || key[0] == 's' || key[0] == 'i') out.emplace(key, value);
    return out;
  };
  BOOST_TEST((figure_rows(build(stats::statistics_spec(), seal(g.merged(99)))) == figure_rows(whole)));
}

BOOST_AUTO_TEST_CASE(malformed_filters_are_refused_naming_the_field) {
  projections::MemoryView view;
  auto bad_period = stats::institution_statistics(view, {"2024-13", "", "", ""});
  BOOST_REQUIRE(!bad_period.ok());
  BOOST_TEST(bad_period.error().field == "period");
  auto bad_region = stats::institution_statistics(view, {"", "", "999999", ""});
  BOOST_REQUIRE(!bad_region.ok());
  BOOST_TEST(bad_region.error().field == "region");
  auto bad_as_of = stats::institution_statistics(view, {"", "", "", "", "2024-02-30"});
  BOOST_REQUIRE(!bad_as_of.ok());
  BOOST_TEST(bad_as_of.error().field == "as_of");
  // as_of left to its default is today (CST): this check depends on the day it runs.
  BOOST_TEST(stats::institution_statistics(view, {}).value().as_of == projections::dashboard::cst_today());
  BOOST_TEST(stats::period_of("2024", "5").value() == "2024-05");
  BOOST_TEST(stats::period_of("", "").value() == "all");
  BOOST_TEST(stats::period_of("", "5").error().field == "year");
  BOOST_TEST(stats::period_of("2024", "13").error().field == "month");
}

BOOST_AUTO_TEST_CASE(rankings_order_by_value_then_code_and_weigh_the_composite) {
  using projections::ranking::Candidate;
  std::vector<Candidate> candidates = {{"b", "B", {{"x", 10}, {"y", 0}}, json::object()},
                                       {"a", "A", {{"x", 10}, {"y", 5}}, json::object()},
                                       {"c", "C", {{"x", 30}, {"y", 1}}, json::object()}};
  projections::ranking::Weights weights{"ranking", "v1", {{"x", 60}, {"y", 40}}};
  auto by_x = projections::ranking::rank(candidates, "x", 10, weights, {"x", "y"});
  BOOST_REQUIRE(by_x.ok());
  std::vector<std::string> order;
  for (const auto& item : (*by_x)["items"]) order.push_back(item["code"]);
  BOOST_TEST((order == std::vector<std::string>{"c", "a", "b"}));  // a and b tie on 10: code order
  // composite: c = 60*30/30 + 40*1/5 = 60 + 8 = 68; a = 60*10/30 + 40 = 20 + 40 = 60; b = 20.
  auto composite = projections::ranking::rank(candidates, "composite", 2, weights, {"x", "y"});
  BOOST_REQUIRE(composite.ok());
  BOOST_TEST((*composite)["items"].size() == 2u);
  BOOST_TEST((*composite)["items"][0]["code"] == "c");
  BOOST_TEST((*composite)["items"][0]["value"] == 680000);
  BOOST_TEST((*composite)["items"][1]["value"] == 600000);
  BOOST_TEST((*composite)["rule_set"]["version"] == "v1");
  auto unknown = projections::ranking::rank(candidates, "z", 10, weights, {"x", "y"});
  BOOST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.error().field == "by");
}

BOOST_AUTO_TEST_SUITE_END()

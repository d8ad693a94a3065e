#define BOOST_TEST_MODULE reference
#include "aggregates/reference.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <set>

#include "aggregates/rule_eval.h"

using namespace xyd::domain;

BOOST_AUTO_TEST_SUITE(reference_data)

BOOST_AUTO_TEST_CASE(regions_have_names_levels_and_parents) {
  BOOST_CHECK(is_region("440300"));
  BOOST_CHECK_EQUAL(region_name("440300"), "深圳市");
  BOOST_CHECK_EQUAL(region_name("440000"), "广东省");
  BOOST_CHECK(level_of("440000") == RegionLevel::province);
  BOOST_CHECK(level_of("440300") == RegionLevel::city);
  BOOST_CHECK(level_of("440305") == RegionLevel::county);
  BOOST_CHECK_EQUAL(province_of("440305"), "440000");
  BOOST_CHECK_EQUAL(city_of("440305"), "440300");
  BOOST_CHECK_EQUAL(city_of("440000"), "");
  BOOST_CHECK(!is_region("999999"));
  BOOST_CHECK(level_of("999999") == RegionLevel::unknown);
  BOOST_CHECK_EQUAL(province_of("999999"), "");
}

BOOST_AUTO_TEST_CASE(municipalities_have_their_city_level_at_xx0100) {
  BOOST_CHECK_EQUAL(region_name("110000"), "北京市");
  BOOST_CHECK_EQUAL(region_name("110100"), "北京市");
  BOOST_CHECK(level_of("110100") == RegionLevel::city);
  BOOST_CHECK_EQUAL(city_of("110105"), "110100");
  BOOST_CHECK_EQUAL(region_name("500200"), "重庆市辖县");
}

BOOST_AUTO_TEST_CASE(lists_cover_every_province_and_prefecture) {
  BOOST_CHECK_EQUAL(provinces().size(), 34u);  // 31 mainland + Taiwan, Hong Kong, Macao
  BOOST_CHECK_GE(cities().size(), 333u);
  std::set<std::string> seen;
  for (const auto& city : cities()) {
    BOOST_CHECK(!city.name.empty());
    BOOST_CHECK(is_region(province_of(city.code)));
    seen.insert(city.code);
  }
  BOOST_CHECK(seen.contains("440300"));
  auto guangdong = cities_of("440000");
  BOOST_CHECK_EQUAL(guangdong.size(), 21u);
  BOOST_CHECK_GT(all_regions().size(), 3000u);
  BOOST_CHECK(reference_version().find("regions=") == 0);
}

BOOST_AUTO_TEST_CASE(check_region_names_the_field_and_the_rule) {
  BOOST_CHECK(check_region("440300").ok());
  auto unknown = check_region("999999", "service_regions");
  BOOST_REQUIRE(!unknown.ok());
  BOOST_CHECK(unknown.error().code == xyd::Errc::invalid_argument);
  BOOST_CHECK_EQUAL(unknown.error().field, "service_regions");
  BOOST_CHECK_EQUAL(unknown.error().rule, "gb2260-code");
  BOOST_CHECK(unknown.error().message.find("region 999999 is not a GB/T 2260 code") != std::string::npos);
  BOOST_CHECK_EQUAL(check_region("44").error().rule, "gb2260-format");
}

BOOST_AUTO_TEST_CASE(prefix_scoping) {
  BOOST_CHECK(region_scope_covers("440000", "440305"));
  BOOST_CHECK(region_scope_covers("440300", "440305"));
  BOOST_CHECK(!region_scope_covers("440300", "440100"));
  BOOST_CHECK(region_scope_covers("440305", "440305"));
  BOOST_CHECK(!region_scope_covers("440305", "440300"));
  BOOST_CHECK(!region_scope_covers("999999", "999999"));
}

BOOST_AUTO_TEST_CASE(industries_institution_and_product_types) {
  BOOST_CHECK_EQUAL(industry_sections().size(), 20u);
  BOOST_CHECK_EQUAL(industry_name("C"), "制造业");
  BOOST_CHECK_EQUAL(industry_name("T"), "国际组织");
  BOOST_CHECK_EQUAL(institution_types().size(), 11u);
  BOOST_CHECK(is_institution_type("financial_leasing"));
  BOOST_CHECK(!is_institution_type("pawnshop"));
  BOOST_CHECK_EQUAL(product_types().size(), 5u);
  BOOST_CHECK(is_product_type("tax_based"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rule_sets)

nlohmann::json shipped(const std::string& name) {
  std::ifstream in(std::string(XYD_RULES_DIR) + "/" + name + ".json");
  return nlohmann::json::parse(in);
}

BOOST_AUTO_TEST_CASE(the_shipped_rule_sets_are_valid) {
  BOOST_CHECK(validate_certification_rules(shipped("certification")).ok());
  BOOST_CHECK(validate_screening_rules(shipped("screening")).ok());
}

BOOST_AUTO_TEST_CASE(conditions) {
  nlohmann::json facts = {{"a", {{"n", 5}, {"s", "x"}, {"b", true}, {"same", "x"}}}};
  auto holds = [&](nlohmann::json c) { return evaluate_condition(c, facts, "test").value(); };
  BOOST_CHECK(holds({{"fact", "a.n"}, {"op", "at_least"}, {"value", 5}}));
  BOOST_CHECK(!holds({{"fact", "a.n"}, {"op", "at_most"}, {"value", 4}}));
  BOOST_CHECK(holds({{"fact", "a.s"}, {"op", "in"}, {"value", {"x", "y"}}}));
  BOOST_CHECK(holds({{"fact", "a.s"}, {"op", "equals_fact"}, {"value", "a.same"}}));
  BOOST_CHECK(holds({{"fact", "a.missing"}, {"op", "absent"}}));
  BOOST_CHECK(!holds({{"fact", "a.missing"}, {"op", "not_equals"}, {"value", 1}}));
  BOOST_CHECK(holds({{"not", {{"fact", "a.b"}, {"op", "false"}}}}));
  BOOST_CHECK(holds({{"any", {{{"fact", "a.b"}, {"op", "false"}}, {{"fact", "a.b"}, {"op", "true"}}}}}));
  auto bad = evaluate_condition({{"fact", "a.n"}, {"op", "roughly"}}, facts, "rules.x");
  BOOST_REQUIRE(!bad.ok());
  BOOST_CHECK_EQUAL(bad.error().rule, "rule-grammar");
  BOOST_CHECK_EQUAL(bad.error().field, "rules.x");
}

BOOST_AUTO_TEST_CASE(screening_verdict_is_the_strongest_hit) {
  auto rules = shipped("screening");
  nlohmann::json facts = {{"application", {{"amount", 100000}}}, {"enterprise", {{"credit_score", 700}}}};
  BOOST_CHECK_EQUAL(evaluate_screening(rules, facts)->verdict, "pass");
  facts["enterprise"]["medium_risk_signals"] = 1;
  BOOST_CHECK_EQUAL(evaluate_screening(rules, facts)->verdict, "review");
  facts["enterprise"]["high_risk_signals"] = 2;
  auto outcome = evaluate_screening(rules, facts);
  BOOST_CHECK_EQUAL(outcome->verdict, "reject");
  BOOST_CHECK_EQUAL(outcome->version, "2025.1");
  BOOST_CHECK_EQUAL(outcome->runs.size(), 4u);
}

BOOST_AUTO_TEST_CASE(certification_runs_the_methods_rules) {
  auto rules = shipped("certification");
  nlohmann::json facts = {{"enterprise", {{"name", "深圳某科技有限公司"}, {"legal_representative", "张三"}}},
                          {"sources",
                           {{"market_supervision",
                             {{"registered", true},
                              {"name", "深圳某科技有限公司"},
                              {"legal_representative", "张三"},
                              {"operating_status", "存续"}}}}}};
  auto basic = evaluate_certification(rules, "basic", facts);
  BOOST_REQUIRE(basic.ok());
  BOOST_CHECK(basic->reasons.empty());
  BOOST_CHECK(!basic->manual_review);
  facts["sources"]["market_supervision"]["legal_representative"] = "李四";
  BOOST_CHECK_EQUAL(evaluate_certification(rules, "basic", facts)->reasons.size(), 1u);
  BOOST_CHECK_EQUAL(evaluate_certification(rules, "telepathy", facts).error().rule, "certification-method");
  BOOST_CHECK(certification_agreement(rules)->min_read_seconds > 0);
}

BOOST_AUTO_TEST_SUITE_END()

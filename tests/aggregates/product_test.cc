#define BOOST_TEST_MODULE product
#include "aggregates/product.h"

#include "tests/aggregates/domain_fixtures.h"

using namespace xyd::domain;
using namespace xyd::domain::testing;
using nlohmann::json;
using xyd::Errc;

namespace {

const ProductAggregate kProduct;
const auto kAdminA = actor("acc-adm-a", "institution_admin", "inst-a");
const json kActive = {{"institution", {{"status", "active"}}}};

json terms() {
  return {{"institution", "inst-a"},
          {"name", "科创信用贷"},
          {"product_type", "credit"},
          {"amount_min", 10000000},
          {"amount_max", 300000000},
          {"rate_min_bp", 350},
          {"rate_max_bp", 600},
          {"term_min_months", 6},
          {"term_max_months", 36},
          {"service_regions", {"440300"}},
          {"featured", true},
          {"admission_rules", {{"min_years", 2}}},
          {"docking_mode", "offline_manager"}};
}

Command cmd(const std::string& name, json body, json context = kActive, xyd::events::Actor who = kAdminA) {
  return command(kProduct, "prd-1", name, std::move(body), std::move(who), std::move(context));
}

AggregateState published() {
  AggregateState state;
  step(kProduct, state, cmd("PublishProduct", terms()));
  return state;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(product_aggregate)

BOOST_AUTO_TEST_CASE(publishing_checks_ranges_regions_and_the_institution) {
  auto with = [](const char* field, json value) {
    json body = terms();
    body[field] = std::move(value);
    return cmd("PublishProduct", body);
  };
  check_refused(kProduct, {}, with("amount_min", 400000000), Errc::invalid_argument, "amount-range-ordered");
  check_refused(kProduct, {}, with("rate_min_bp", 700), Errc::invalid_argument, "rate-range-ordered");
  check_refused(kProduct, {}, with("term_min_months", 48), Errc::invalid_argument, "term-range-ordered");
  check_refused(kProduct, {}, with("service_regions", {"440300", "999999"}), Errc::invalid_argument, "gb2260-code");
  check_refused(kProduct, {}, with("product_type", "magic"), Errc::invalid_argument, "product-type");
  check_refused(kProduct, {}, with("docking_mode", "fax"), Errc::invalid_argument, "docking-mode");
  check_refused(kProduct, {}, with("docking_mode", "online_link"), Errc::invalid_argument, "required");
  check_refused(kProduct, {}, with("rate_min_bp", 3.5), Errc::invalid_argument, "integer");
  check_refused(kProduct, {}, cmd("PublishProduct", terms(), {{"institution", {{"status", "suspended"}}}}),
                Errc::refused, "institution-active");
  check_refused(kProduct, {}, cmd("PublishProduct", terms(), json::object()), Errc::invalid_argument, "context-fact");
  check_refused(kProduct, {}, cmd("PublishProduct", terms(), kActive, actor("b", "institution_admin", "inst-b")),
                Errc::forbidden, "scope-institution");
  AggregateState state = published();
  BOOST_CHECK_EQUAL(state.data["status"], "enabled");
  BOOST_CHECK_EQUAL(state.data["featured"], true);
}

BOOST_AUTO_TEST_CASE(service_regions_scope_by_prefix) {
  json regions = {"440000", "110100"};
  BOOST_CHECK(serves_region(regions, "440305"));
  BOOST_CHECK(serves_region(regions, "110105"));
  BOOST_CHECK(!serves_region(regions, "120101"));
  BOOST_CHECK(!serves_region(json::array({"440305"}), "440300"));
}

BOOST_AUTO_TEST_CASE(updates_keep_the_terms_consistent) {
  AggregateState state = published();
  auto events = step(kProduct, state, cmd("UpdateProduct", {{"changes", {{"amount_max", 500000000}}}}));
  BOOST_CHECK_EQUAL(events[0].data["changes"]["amount_max"]["before"], 300000000);
  BOOST_CHECK_EQUAL(state.data["amount_max"], 500000000);
  check_refused(kProduct, state, cmd("UpdateProduct", {{"changes", {{"amount_max", 1}}}}), Errc::invalid_argument,
                "amount-range-ordered");
  check_refused(kProduct, state, cmd("UpdateProduct", {{"changes", {{"institution", "inst-b"}}}}),
                Errc::invalid_argument, "updatable-field");
}

BOOST_AUTO_TEST_CASE(disable_enable_withdraw) {
  AggregateState state = published();
  check_refused(kProduct, state, cmd("EnableProduct", json::object()), Errc::refused, "product-disabled");
  step(kProduct, state, cmd("DisableProduct", json::object()));
  check_refused(kProduct, state, cmd("DisableProduct", json::object()), Errc::refused, "product-enabled");
  check_refused(kProduct, state, cmd("EnableProduct", json::object(), {{"institution", {{"status", "suspended"}}}}),
                Errc::refused, "institution-active");
  step(kProduct, state, cmd("EnableProduct", json::object()));
  step(kProduct, state, cmd("WithdrawProduct", json::object()));
  BOOST_CHECK_EQUAL(state.data["status"], "withdrawn");
  check_refused(kProduct, state, cmd("EnableProduct", json::object()), Errc::refused, "terminal-state");
  check_refused(kProduct, state, cmd("UpdateProduct", {{"changes", {{"name", "x"}}}}), Errc::refused, "terminal-state");
}

BOOST_AUTO_TEST_SUITE_END()

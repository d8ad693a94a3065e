#define BOOST_TEST_MODULE demand
#include "aggregates/demand.h"

#include "tests/aggregates/domain_fixtures.h"

using namespace xyd::domain;
using namespace xyd::domain::testing;
using nlohmann::json;
using xyd::Errc;

namespace {

const DemandAggregate kDemand;
const auto kOwner = actor("acc-owner", "enterprise_user");
const json kContext = {
    {"enterprise", {{"exists", true}, {"owner", "acc-owner"}, {"industry", "C"}, {"region", "440305"}}},
    {"managers", {{{"account", "acc-m1"}, {"enabled", true}}, {{"account", "acc-m2"}, {"enabled", false}}}}};

Command cmd(const std::string& name, json body, xyd::events::Actor who, json context = kContext) {
  return command(kDemand, "dmd-1", name, std::move(body), std::move(who), std::move(context));
}

json demand() {
  return {{"enterprise", "ent-1"}, {"amount", 50000000},       {"term_months", 12},
          {"region", "440305"},    {"product_type", "credit"}, {"purpose", "采购原材料"}};
}

AggregateState published() {
  AggregateState state;
  step(kDemand, state, cmd("PublishDemand", demand(), kOwner));
  return state;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(demand_aggregate)

BOOST_AUTO_TEST_CASE(publish_by_the_owner_only) {
  AggregateState state = published();
  BOOST_CHECK_EQUAL(state.data["owner"], "acc-owner");
  BOOST_CHECK_EQUAL(state.data["status"], "open");
  check_refused(kDemand, {}, cmd("PublishDemand", demand(), actor("acc-other", "enterprise_user")), Errc::forbidden,
                "scope-own");
  json missing = kContext;
  missing["enterprise"]["exists"] = false;
  check_refused(kDemand, {}, cmd("PublishDemand", demand(), actor("sys", "system"), missing), Errc::refused,
                "enterprise-exists");
  json body = demand();
  body["region"] = "999999";
  check_refused(kDemand, {}, cmd("PublishDemand", body, kOwner), Errc::invalid_argument, "enterprise-region");
}

BOOST_AUTO_TEST_CASE(the_region_is_the_enterprises_never_the_bodys) {
  json body = demand();
  body.erase("region");
  AggregateState state;
  auto events = step(kDemand, state, cmd("PublishDemand", body, kOwner));
  BOOST_CHECK_EQUAL(events[0].data["region"], "440305");  // from context.enterprise
  body["region"] = "110101";                              // another province's code, valid but not the enterprise's
  check_refused(kDemand, {}, cmd("PublishDemand", body, kOwner), Errc::invalid_argument, "enterprise-region");
  body["region"] = 5;
  check_refused(kDemand, {}, cmd("PublishDemand", body, kOwner), Errc::invalid_argument, "string");
  // Without the enterprise's region the server failed to say where it counts: nothing is published.
  json no_region = kContext;
  no_region["enterprise"].erase("region");
  body.erase("region");
  check_refused(kDemand, {}, cmd("PublishDemand", body, actor("sys", "system"), no_region), Errc::invalid_argument,
                "context-fact");
}

BOOST_AUTO_TEST_CASE(claim_assign_close) {
  AggregateState state = published();
  auto manager = actor("acc-m1", "account_manager", "inst-a");
  step(kDemand, state, cmd("ClaimDemand", json::object(), manager));
  BOOST_CHECK_EQUAL(state.data["manager"], "acc-m1");
  check_refused(kDemand, state, cmd("ClaimDemand", json::object(), actor("acc-m3", "account_manager", "inst-b")),
                Errc::refused, "demand-open");
  auto admin_b = actor("acc-adm-b", "institution_admin", "inst-b");
  check_refused(kDemand, state, cmd("AssignDemand", {{"manager", "acc-m1"}}, admin_b), Errc::refused,
                "claimed-by-other-institution");
  auto admin_a = actor("acc-adm-a", "institution_admin", "inst-a");
  check_refused(kDemand, state, cmd("AssignDemand", {{"manager", "acc-m2"}}, admin_a), Errc::refused,
                "manager-enabled");
  check_refused(kDemand, state, cmd("AssignDemand", {{"manager", "acc-m1"}}, admin_a), Errc::refused,
                "different-manager");
  check_refused(kDemand, state, cmd("CloseDemand", {{"reason", "converted"}}, manager), Errc::invalid_argument,
                "required");
  step(kDemand, state, cmd("CloseDemand", {{"reason", "converted"}, {"application", "app-1"}}, manager));
  BOOST_CHECK_EQUAL(state.data["status"], "closed");
  check_refused(kDemand, state, cmd("CloseDemand", {{"reason", "expired"}}, kOwner), Errc::refused, "terminal-state");
}

BOOST_AUTO_TEST_CASE(assignment_by_an_admin) {
  AggregateState state = published();
  auto admin_a = actor("acc-adm-a", "institution_admin", "inst-a");
  auto events = step(kDemand, state, cmd("AssignDemand", {{"manager", "acc-m1"}}, admin_a));
  BOOST_CHECK_EQUAL(events[0].data["by"], "acc-adm-a");
  BOOST_CHECK_EQUAL(state.data["institution"], "inst-a");
  check_refused(kDemand, state,
                cmd("CloseDemand", {{"reason", "expired"}}, actor("acc-m9", "account_manager", "inst-a")),
                Errc::forbidden, "scope-assigned");
  check_refused(kDemand, state, cmd("CloseDemand", {{"reason", "lost"}}, kOwner), Errc::invalid_argument,
                "close-reason");
}

BOOST_AUTO_TEST_SUITE_END()

#include <boost/test/unit_test.hpp>

#include "aggregates/account.h"

using namespace xyd::domain;

namespace {

Command registration(const std::string& phone, const std::string& region = "440300") {
  Command c;
  c.id = "cmd-" + phone;
  c.name = "RegisterAccount";
  c.aggregate_type = "account";
  c.aggregate_id = account_id_for_phone(phone);
  c.body = {{"phone", phone}, {"kind", "enterprise_user"}, {"region", region}};
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(account_aggregate)

BOOST_AUTO_TEST_CASE(registration_yields_one_event_without_any_secret) {
  AccountAggregate account;
  auto events = account.decide(AggregateState{}, registration("13800138000"));
  BOOST_REQUIRE(events.ok());
  BOOST_REQUIRE_EQUAL(events->size(), 1u);
  BOOST_CHECK_EQUAL(events->front().name, "AccountRegistered");
  BOOST_CHECK(!events->front().data.contains("password"));
  BOOST_CHECK_EQUAL(events->front().data["credential_ref"], "cmd-13800138000");
  AggregateState state;
  account.apply(state, "AccountRegistered", events->front().data);
  BOOST_CHECK_EQUAL(state.data["status"], "active");
}

BOOST_AUTO_TEST_CASE(a_registered_phone_is_refused_with_field_and_rule) {
  AccountAggregate account;
  AggregateState state;
  state.version = 1;
  auto again = account.decide(state, registration("13800138000"));
  BOOST_REQUIRE(!again.ok());
  BOOST_CHECK(again.error().code == xyd::Errc::conflict);
  BOOST_CHECK_EQUAL(again.error().field, "phone");
  BOOST_CHECK_EQUAL(again.error().rule, "unique-phone");
}

BOOST_AUTO_TEST_CASE(bad_input_names_the_field) {
  AccountAggregate account;
  BOOST_CHECK_EQUAL(account.decide({}, registration("12345")).error().field, "phone");
  BOOST_CHECK_EQUAL(account.decide({}, registration("13800138000", "44")).error().field, "region");
  auto wrong_id = registration("13800138000");
  wrong_id.aggregate_id = "acc-other";
  BOOST_CHECK_EQUAL(account.decide({}, wrong_id).error().rule, "derived-from-phone");
  auto bad_kind = registration("13800138000");
  bad_kind.body["kind"] = "pirate";
  BOOST_CHECK_EQUAL(account.decide({}, bad_kind).error().field, "kind");
}

BOOST_AUTO_TEST_CASE(expected_version_is_checked_before_deciding) {
  AccountAggregate account;
  auto command = registration("13800138000");
  command.expected_version = 3;
  auto refused = decide_checked(account, AggregateState{}, command);
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK(refused.error().code == xyd::Errc::conflict);
  BOOST_CHECK_EQUAL(refused.error().field, "expected_version");
}

BOOST_AUTO_TEST_SUITE_END()

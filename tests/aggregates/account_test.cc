#include "aggregates/account.h"

#include <boost/test/unit_test.hpp>

using namespace xyd::domain;
using nlohmann::json;

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

xyd::events::Actor who(std::string account, std::string role, std::string institution = "", std::string region = "") {
  return {std::move(account), std::move(role), std::move(institution), std::move(region)};
}

// An existing account of `kind` in `region`, with `status`.
AggregateState account_of(const std::string& kind, const std::string& region, const std::string& status,
                          const std::string& institution = "") {
  AggregateState state;
  state.version = 1;
  state.data = {{"kind", kind}, {"phone", "13800138000"}, {"region", region}, {"status", status}};
  if (!institution.empty()) state.data["institution"] = institution;
  return state;
}

Command status_change(const std::string& name, const xyd::events::Actor& actor) {
  Command c;
  c.id = "cmd-" + name;
  c.name = name;
  c.aggregate_type = "account";
  c.aggregate_id = "acc-target";
  c.actor = actor;
  c.body = json::object();
  if (name == "RejectAccount") c.body["reason"] = "wrong person";
  return c;
}

// decide_checked's refusal rule, or "" when allowed.
std::string rule_of(const AggregateState& state, const Command& command) {
  auto decided = decide_checked(AccountAggregate(), state, command);
  return decided.ok() ? "" : decided.error().rule;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(account_aggregate)

// Who may approve, reject, enable or disable which account: the matrix's scope, then the kinds
// each role manages. Each row: actor, the target's kind/region/status, the command, the rule.
BOOST_AUTO_TEST_CASE(who_manages_which_accounts) {
  const auto province = who("acc-gd", "government_province", "", "440000");
  const auto admin = who("acc-admin", "system_admin", "", "000000");
  const auto ins_admin = who("acc-ia", "institution_admin", "ins-a", "440300");
  struct Row {
    xyd::events::Actor actor;
    std::string kind, region, status, institution, command, rule;
  };
  const std::vector<Row> rows = {
      // a province never touches a system admin, even one registered in its region
      {province, "system_admin", "440300", "active", "", "DisableAccount", "manageable-kinds"},
      {province, "system_admin", "440300", "disabled", "", "EnableAccount", "manageable-kinds"},
      // nor an enterprise user, an institution's people or another province's account
      {province, "enterprise_user", "440300", "active", "", "DisableAccount", "manageable-kinds"},
      {province, "institution_admin", "440300", "active", "ins-a", "DisableAccount", "manageable-kinds"},
      {province, "government_province", "440000", "active", "", "DisableAccount", "manageable-kinds"},
      // its own cities' government accounts: yes; another province's cities: no
      {province, "government_city", "440300", "active", "", "DisableAccount", ""},
      {province, "government_city", "440300", "disabled", "", "EnableAccount", ""},
      {province, "government_city", "440300", "pending", "", "ApproveAccount", ""},
      {province, "government_city", "440300", "pending", "", "RejectAccount", ""},
      {province, "government_city", "320500", "pending", "", "ApproveAccount", "scope-region"},
      {province, "government_city", "320500", "active", "", "DisableAccount", "scope-region"},
      // an institution admin: its own institution's managers, no other admin
      {ins_admin, "account_manager", "440300", "active", "ins-a", "DisableAccount", ""},
      {ins_admin, "account_manager", "440300", "active", "ins-b", "DisableAccount", "scope-institution"},
      {ins_admin, "institution_admin", "440300", "active", "ins-a", "DisableAccount", "manageable-kinds"},
      {ins_admin, "system_admin", "440300", "active", "ins-a", "DisableAccount", "manageable-kinds"},
      // the system admin: any account
      {admin, "system_admin", "440300", "active", "", "DisableAccount", ""},
      {admin, "government_province", "440000", "disabled", "", "EnableAccount", ""},
  };
  for (const auto& row : rows)
    BOOST_CHECK_MESSAGE(rule_of(account_of(row.kind, row.region, row.status, row.institution),
                                status_change(row.command, row.actor)) == row.rule,
                        row.actor.role << " " << row.command << " of a " << row.kind << " in " << row.region
                                       << ": expected '" << row.rule << "'");
}

BOOST_AUTO_TEST_CASE(self_registration_sets_no_institution_and_no_other_kind) {
  AccountAggregate account;
  auto with_institution = registration("13800138000");
  with_institution.body["institution"] = "ins-a";
  auto refused = account.decide({}, with_institution);
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK(refused.error().code == xyd::Errc::invalid_argument);
  BOOST_CHECK_EQUAL(refused.error().field, "institution");
  BOOST_CHECK_EQUAL(refused.error().rule, "self-registration-fields");
  with_institution.body["institution"] = 5;  // once a crash (type_error): a clean refusal now
  BOOST_CHECK_EQUAL(account.decide({}, with_institution).error().rule, "self-registration-fields");
  for (const char* kind : {"institution_admin", "account_manager", "government_city", "system_admin", "auditor"}) {
    auto claimed = registration("13800138000");
    claimed.body["kind"] = kind;
    BOOST_CHECK_MESSAGE(account.decide({}, claimed).error().rule == "self-registration-kinds", kind);
  }
  auto individual = registration("13800138000");
  individual.body["kind"] = "individual";
  BOOST_CHECK(account.decide({}, individual).ok());
}

BOOST_AUTO_TEST_CASE(regions_exist_in_the_reference_data) {
  AccountAggregate account;
  BOOST_CHECK_EQUAL(account.decide({}, registration("13800138000", "999999")).error().rule, "gb2260-code");
  BOOST_CHECK_EQUAL(account.decide({}, registration("13800138000", "000000")).error().rule, "nationwide-kinds");
  BOOST_CHECK(account.decide({}, registration("13800138000", "110101")).ok());
  auto created = registration("13800138000", "000000");
  created.name = "CreateAccount";
  created.actor = who("acc-admin", "system_admin");
  created.body["kind"] = "auditor";
  BOOST_CHECK(account.decide({}, created).ok());
  created.body["kind"] = "government_city";
  created.body["region"] = "449900";  // city-shaped, but no such city
  BOOST_CHECK_EQUAL(account.decide({}, created).error().rule, "gb2260-code");
  created.body["region"] = "440305";  // a county, not a city
  BOOST_CHECK_EQUAL(account.decide({}, created).error().rule, "government-region-level");
  created.body["region"] = 440300;
  BOOST_CHECK_EQUAL(account.decide({}, created).error().field, "region");
}

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

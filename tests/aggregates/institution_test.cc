#define BOOST_TEST_MODULE institution
#include "aggregates/institution.h"

#include "tests/aggregates/domain_fixtures.h"

using namespace xyd::domain;
using namespace xyd::domain::testing;
using nlohmann::json;
using xyd::Errc;

namespace {

const InstitutionAggregate kInstitution;
const auto kSysAdmin = actor("acc-sys", "system_admin");
const auto kAdminA = actor("acc-adm-a", "institution_admin", "inst-a");

Command cmd(const std::string& name, json body, xyd::events::Actor who = kSysAdmin) {
  return command(kInstitution, "inst-a", name, std::move(body), std::move(who));
}

AggregateState onboarded() {
  AggregateState state;
  step(kInstitution, state,
       cmd("OnboardInstitution", {{"type", "bank"},
                                  {"full_name", "深圳农村商业银行股份有限公司"},
                                  {"short_name", "深圳农商行"},
                                  {"region", "440300"}}));
  return state;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(institution_aggregate)

BOOST_AUTO_TEST_CASE(onboarding_checks_type_and_region) {
  json body = {{"type", "pawnshop"}, {"full_name", "x"}, {"short_name", "x"}, {"region", "440300"}};
  check_refused(kInstitution, {}, cmd("OnboardInstitution", body), Errc::invalid_argument, "institution-type");
  body["type"] = "bank";
  body["region"] = "999999";
  check_refused(kInstitution, {}, cmd("OnboardInstitution", body), Errc::invalid_argument, "gb2260-code");
  AggregateState state = onboarded();
  BOOST_CHECK_EQUAL(state.data["status"], "active");
  check_refused(kInstitution, state, cmd("OnboardInstitution", body), Errc::conflict, "unique-id");
}

BOOST_AUTO_TEST_CASE(update_records_before_and_after) {
  AggregateState state = onboarded();
  auto events = step(kInstitution, state, cmd("UpdateInstitution", {{"changes", {{"short_name", "农商行"}}}}, kAdminA));
  BOOST_CHECK_EQUAL(events[0].data["changes"]["short_name"]["before"], "深圳农商行");
  BOOST_CHECK_EQUAL(state.data["short_name"], "农商行");
  check_refused(kInstitution, state, cmd("UpdateInstitution", {{"changes", {{"type", "trust"}}}}),
                Errc::invalid_argument, "updatable-field");
  check_refused(
      kInstitution, state,
      cmd("UpdateInstitution", {{"changes", {{"short_name", "x"}}}}, actor("acc-adm-b", "institution_admin", "inst-b")),
      Errc::forbidden, "scope-institution");
}

BOOST_AUTO_TEST_CASE(a_new_region_stays_within_the_callers_scope) {
  AggregateState state = onboarded();
  const auto shenzhen = actor("acc-sz", "government_city", "", "440300");
  // Within its city: allowed. Out of it (Guangzhou), or to a code that does not exist: refused.
  step(kInstitution, state, cmd("UpdateInstitution", {{"changes", {{"region", "440305"}}}}, shenzhen));
  BOOST_CHECK_EQUAL(state.data["region"], "440305");
  check_refused(kInstitution, state, cmd("UpdateInstitution", {{"changes", {{"region", "440100"}}}}, shenzhen),
                Errc::forbidden, "scope-region");
  auto refused =
      decide_checked(kInstitution, state, cmd("UpdateInstitution", {{"changes", {{"region", "440100"}}}}, shenzhen));
  BOOST_CHECK_EQUAL(refused.error().field, "changes.region");
  check_refused(kInstitution, state, cmd("UpdateInstitution", {{"changes", {{"region", "449999"}}}}, shenzhen),
                Errc::invalid_argument, "gb2260-code");
  check_refused(kInstitution, state, cmd("UpdateInstitution", {{"changes", {{"region", 440300}}}}, shenzhen),
                Errc::invalid_argument, "required");
  // A province moves it anywhere in its province; the system admin anywhere.
  step(kInstitution, state,
       cmd("UpdateInstitution", {{"changes", {{"region", "440100"}}}},
           actor("acc-gd", "government_province", "", "440000")));
  step(kInstitution, state, cmd("UpdateInstitution", {{"changes", {{"region", "110101"}}}}));
  BOOST_CHECK_EQUAL(state.data["region"], "110101");
}

BOOST_AUTO_TEST_CASE(suspend_resume) {
  AggregateState state = onboarded();
  check_refused(kInstitution, state, cmd("ResumeInstitution", json::object()), Errc::refused, "institution-suspended");
  step(kInstitution, state, cmd("SuspendInstitution", {{"reason", "整改"}}));
  BOOST_CHECK_EQUAL(state.data["status"], "suspended");
  check_refused(kInstitution, state, cmd("SuspendInstitution", {{"reason", "x"}}), Errc::refused, "institution-active");
  step(kInstitution, state, cmd("ResumeInstitution", json::object()));
  BOOST_CHECK_EQUAL(state.data["status"], "active");
}

BOOST_AUTO_TEST_CASE(managers_and_removal) {
  AggregateState state = onboarded();
  step(kInstitution, state, cmd("AddManager", {{"manager", "acc-m1"}}, kAdminA));
  check_refused(kInstitution, state, cmd("AddManager", {{"manager", "acc-m1"}}, kAdminA), Errc::conflict,
                "manager-once");
  check_refused(kInstitution, state, cmd("EnableManager", {{"manager", "acc-m1"}}, kAdminA), Errc::refused,
                "manager-disabled");
  step(kInstitution, state, cmd("DisableManager", {{"manager", "acc-m1"}}, kAdminA));
  BOOST_CHECK_EQUAL(state.data["managers"]["acc-m1"]["enabled"], false);
  check_refused(kInstitution, state, cmd("DisableManager", {{"manager", "acc-m1"}}, kAdminA), Errc::refused,
                "manager-enabled");
  step(kInstitution, state, cmd("EnableManager", {{"manager", "acc-m1"}}, kAdminA));
  check_refused(kInstitution, state, cmd("RemoveManager", {{"manager", "acc-m9"}}, kAdminA), Errc::refused,
                "manager-of-institution");
  check_refused(kInstitution, state, cmd("RemoveInstitution", json::object()), Errc::refused, "no-managers-remain");
  step(kInstitution, state, cmd("RemoveManager", {{"manager", "acc-m1"}}, kAdminA));
  step(kInstitution, state, cmd("RemoveInstitution", json::object()));
  BOOST_CHECK_EQUAL(state.data["status"], "removed");
  check_refused(kInstitution, state, cmd("AddManager", {{"manager", "acc-m2"}}), Errc::refused, "terminal-state");
}

BOOST_AUTO_TEST_SUITE_END()

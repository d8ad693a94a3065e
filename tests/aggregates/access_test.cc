// The role x action matrix as the write side and the API read it: auditors change nothing, the
// anonymous only register, region scoping is prefix scoping by level, and each scope admits
// exactly its subjects.
#define BOOST_TEST_MODULE access
#include "aggregates/access.h"

#include <boost/test/unit_test.hpp>
#include <cctype>

using namespace xyd::domain;
using xyd::events::Actor;

namespace {
bool is_command(const std::string& action) {
  return std::isupper(static_cast<unsigned char>(action.front()));
}
}  // namespace

BOOST_AUTO_TEST_SUITE(access_matrix)

BOOST_AUTO_TEST_CASE(auditors_change_nothing_and_read_the_audit) {
  for (const auto& action : known_actions())
    if (is_command(action) && action != "ChangePassword")  // its own password is not data
      BOOST_CHECK_MESSAGE(scope_of("auditor", action) == Scope::none, "auditor may " << action);
  BOOST_CHECK(scope_of("auditor", "ChangePassword") == Scope::own);
  BOOST_CHECK(scope_of("auditor", "audit.read") == Scope::all);
  BOOST_CHECK(scope_of("auditor", "flow_log.read") == Scope::all);
}

BOOST_AUTO_TEST_CASE(the_anonymous_only_register) {
  for (const auto& action : known_actions())
    if (is_command(action))
      BOOST_CHECK_MESSAGE((scope_of("anonymous", action) != Scope::none) == (action == "RegisterAccount"),
                          "anonymous and " << action);
  BOOST_CHECK(scope_of("", "RegisterAccount") == Scope::all);  // no role is anonymous
  BOOST_CHECK(scope_of("nobody", "audit.read") == Scope::none);
}

BOOST_AUTO_TEST_CASE(every_role_has_something_to_do) {
  for (const auto& role : all_roles()) {
    bool any = false;
    for (const auto& action : known_actions()) any = any || scope_of(role, action) != Scope::none;
    BOOST_CHECK_MESSAGE(any, role << " may do nothing");
  }
}

BOOST_AUTO_TEST_CASE(region_scoping_is_prefix_scoping_by_level) {
  BOOST_CHECK(region_covers("government_national", "000000", "650100"));
  BOOST_CHECK(region_covers("government_province", "440000", "440305"));
  BOOST_CHECK(!region_covers("government_province", "440000", "450100"));
  BOOST_CHECK(region_covers("government_city", "440300", "440305"));
  BOOST_CHECK(!region_covers("government_city", "440300", "440100"));
  BOOST_CHECK(!region_covers("government_city", "440300", ""));
}

BOOST_AUTO_TEST_CASE(each_scope_admits_exactly_its_subjects) {
  const Actor city{"acc-sz", "government_city", "", "440300"};
  BOOST_CHECK(authorize(city, "account.read", {.region = "440305"}).ok());
  auto refused = authorize(city, "account.read", {.region = "440105"});
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK(refused.error().code == xyd::Errc::forbidden);
  BOOST_CHECK_EQUAL(refused.error().rule, "scope-region");

  const Actor admin_a{"acc-a", "institution_admin", "ins-a", "440300"};
  BOOST_CHECK(authorize(admin_a, "PublishProduct", {.institution = "ins-a"}).ok());
  BOOST_CHECK_EQUAL(authorize(admin_a, "PublishProduct", {.institution = "ins-b"}).error().rule, "scope-institution");

  const Actor manager{"acc-m", "account_manager", "ins-a", "440300"};
  BOOST_CHECK(authorize(manager, "AcceptApplication", {.institution = "ins-a", .manager = "acc-m"}).ok());
  BOOST_CHECK(!authorize(manager, "AcceptApplication", {.institution = "ins-a", .manager = "acc-other"}).ok());
  BOOST_CHECK(!authorize(manager, "AcceptApplication", {.institution = "ins-b", .manager = "acc-m"}).ok());

  const Actor user{"acc-u", "enterprise_user", "", "440300"};
  BOOST_CHECK(authorize(user, "SubmitApplication", {.owner = "acc-u"}).ok());
  BOOST_CHECK(!authorize(user, "SubmitApplication", {.owner = "acc-v"}).ok());
  BOOST_CHECK_EQUAL(authorize(user, "AcceptApplication", {.owner = "acc-u"}).error().rule, "role-may-not");

  const Actor bank{"key:1", "bank_connector", "ins-a", ""};
  BOOST_CHECK(authorize(bank, "GrantCredit", {.institution = "ins-a"}).ok());
  BOOST_CHECK(!authorize(bank, "GrantCredit", {.institution = "ins-b"}).ok());
}

BOOST_AUTO_TEST_CASE(following_reaches_as_far_as_reading) {
  // An enterprise user follows only the enterprises it may read (its own), as every role.
  for (const auto& role : all_roles())
    BOOST_CHECK_MESSAGE(scope_of(role, "FollowEnterprise") == Scope::none ||
                            scope_of(role, "FollowEnterprise") == scope_of(role, "enterprise.read"),
                        role << " follows beyond what it reads");
  const Actor user{"acc-u", "enterprise_user", "", "440300"};
  BOOST_CHECK(authorize(user, "FollowEnterprise", {.owner = "acc-u"}).ok());
  BOOST_CHECK_EQUAL(authorize(user, "FollowEnterprise", {.owner = "acc-v", .region = "440300"}).error().rule,
                    "scope-own");
}

BOOST_AUTO_TEST_CASE(who_manages_which_account_kinds) {
  for (const auto& kind : {"system_admin", "government_province", "government_city", "account_manager"})
    BOOST_CHECK_MESSAGE(manages_account_kind("system_admin", kind), kind);
  BOOST_CHECK(manages_account_kind("government_province", "government_city"));
  BOOST_CHECK(manages_account_kind("institution_admin", "account_manager"));
  for (const auto& role : all_roles())
    if (role != "system_admin" && role != "system")
      BOOST_CHECK_MESSAGE(!manages_account_kind(role, "system_admin"), role << " manages system admins");
  for (const auto& kind : {"enterprise_user", "institution_admin", "government_province", "auditor"})
    BOOST_CHECK_MESSAGE(!manages_account_kind("government_province", kind), "a province manages " << kind);
  BOOST_CHECK(!manages_account_kind("institution_admin", "institution_admin"));
  BOOST_CHECK(!manages_account_kind("government_national", "government_city"));
}

BOOST_AUTO_TEST_CASE(a_new_value_is_checked_as_the_subject_it_makes) {
  const Actor city{"acc-sz", "government_city", "", "440300"};
  BOOST_CHECK(
      authorize_new_value(city, "UpdateInstitution", {.institution = "ins-a", .region = "440305"}, "region").ok());
  auto refused =
      authorize_new_value(city, "UpdateInstitution", {.institution = "ins-a", .region = "440100"}, "changes.region");
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK_EQUAL(refused.error().field, "changes.region");
  BOOST_CHECK_EQUAL(refused.error().rule, "scope-region");
}

BOOST_AUTO_TEST_SUITE_END()

// Identity and access end to end, through `xyd serve` on the backend under test: a fresh
// installation has no account until `xyd admin create`; the first login must change the one-time
// password; each role is allowed and refused what the matrix says, on real ids, across regions and
// institutions, and a refusal changes nothing; disabled accounts, expired, revoked and logged-out
// tokens stop at once; failed logins lock out for a while; one-time codes log in; no password,
// token or hash reaches the log.
#define BOOST_TEST_MODULE identity
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <random>
#include <thread>

#include "tests/support/backend.h"
#include "tests/support/server_process.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

// One running server with a system admin, and the accounts of every role the tests use.
struct World {
  std::string data = fresh_dir("identity");
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  ServerProcess server{data, "identity-" + run, {"--lockout-seconds", "3"}};
  std::string admin_phone = phone(1), admin_password, admin_token, admin_id;
  std::map<std::string, std::string> ids, tokens, phones;  // by name: account id, token, phone
  std::vector<std::string> secrets;                        // every password and token handed out

  std::string phone(int n) const { return "15" + run + std::to_string(10 + n); }
  std::string url() const { return server.url(); }

  HttpReply call(const std::string& token, const std::string& method, const std::string& path,
                 const json& body = nullptr) const {
    return http_request(url(), method, path, body,
                        token.empty() ? std::map<std::string, std::string>{} : bearer(token));
  }
  HttpReply login(const std::string& phone, const std::string& password) const {
    return call("", "POST", "/api/v1/sessions", {{"phone", phone}, {"password", password}});
  }
  // Logs in with the initial password from the SMS, changes it, logs in again: a full token.
  std::string first_login(const std::string& phone, const std::string& initial) {
    auto first = login(phone, initial);
    BOOST_REQUIRE_MESSAGE(first.status == 201, "first login of " << phone << ": " << first.body.dump());
    BOOST_CHECK(first.body["password_change_required"].get<bool>());
    const std::string id = first.body["account"]["id"], restricted = first.body["token"];
    BOOST_CHECK_EQUAL(call(restricted, "GET", "/api/v1/accounts").status, 403);  // must change first
    const std::string chosen = "pw-" + phone + "-chosen";
    auto changed = call(restricted, "PUT", "/api/v1/accounts/" + id + "/password",
                        {{"current_password", initial}, {"new_password", chosen}});
    BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
    auto full = login(phone, chosen);
    BOOST_REQUIRE_EQUAL(full.status, 201);
    BOOST_CHECK(!full.body["password_change_required"].get<bool>());
    secrets.insert(secrets.end(), {initial, chosen, restricted, full.body["token"].get<std::string>()});
    return full.body["token"];
  }
  // An account created by `creator` (name -> id, token once approved and logged in).
  HttpReply create(const std::string& creator, const std::string& name, int n, json body) {
    body["phone"] = phones[name] = phone(n);
    auto reply = call(tokens[creator], "POST", "/api/v1/accounts", body);
    if (reply.status == 201) ids[name] = reply.body["id"];
    return reply;
  }
  void log_in_created(const std::string& name) {
    const std::string initial = text_after(last_sms(data, phones[name]), "Initial password: ", 16);
    BOOST_REQUIRE_MESSAGE(initial.size() == 16, "no initial password was sent to " << name);
    tokens[name] = first_login(phones[name], initial);
  }
  void self_register(const std::string& name, int n, const std::string& region) {
    phones[name] = phone(n);
    const std::string password = "pw-" + phones[name] + "-own";
    auto reply = register_with_code(url(), data, {{"phone", phones[name]}, {"region", region}, {"password", password}});
    BOOST_REQUIRE_MESSAGE(reply.status == 201, reply.body.dump());
    ids[name] = reply.body["id"];
    auto session = login(phones[name], password);
    BOOST_REQUIRE_EQUAL(session.status, 201);
    tokens[name] = session.body["token"];
    secrets.insert(secrets.end(), {password, tokens[name]});
  }
  int64_t version_of(const std::string& name) {
    return call(tokens["admin"], "GET", "/api/v1/accounts/" + ids[name]).body.value("version", int64_t{-1});
  }

  // Healthy, and its reference view live (a request no longer answers 503).
  void start_and_wait() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "serve did not come up; see " << data << ".server.log");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (login(admin_phone, "any-password-1").status == 503 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(100ms);
  }

  World() {
    // A fresh installation: nobody can log in, and there are no accounts.
    start_and_wait();
    BOOST_CHECK_EQUAL(login(admin_phone, "any-password-1").status, 401);
    auto none = http_request(url(), "GET", "/api/v1/accounts", nullptr, server.operator_auth());
    BOOST_REQUIRE_EQUAL(none.status, 200);
    // (On Kafka the tests share one broker's topics, so other runs' accounts are there.)
    if (!on_kafka()) BOOST_CHECK_EQUAL(none.body["items"].size(), 0u);
    server.kill_with(SIGTERM);
    // The bootstrap command creates the first system admin and prints a one-time password.
    auto [status, output] = run_command_line(std::string(XYD_BINARY) + " admin create --phone " + admin_phone +
                                             " --data '" + data + "'" + backend_flags_text() + " 2>&1");
    BOOST_REQUIRE_MESSAGE(status == 0, "xyd admin create failed: " << output);
    admin_password = text_after(output, "one-time password: ", 16);
    BOOST_REQUIRE_EQUAL(admin_password.size(), 16u);
    start_and_wait();
    tokens["admin"] = first_login(admin_phone, admin_password);
    secrets.push_back(admin_password);

    // Government accounts: two provinces, national; cities created by a province wait for it.
    BOOST_REQUIRE_EQUAL(create("admin", "gd", 2, {{"kind", "government_province"}, {"region", "440000"}}).status, 201);
    BOOST_REQUIRE_EQUAL(create("admin", "js", 3, {{"kind", "government_province"}, {"region", "320000"}}).status, 201);
    BOOST_REQUIRE_EQUAL(create("admin", "national", 4, {{"kind", "government_national"}, {"region", "000000"}}).status,
                        201);
    BOOST_REQUIRE_EQUAL(create("admin", "auditor", 5, {{"kind", "auditor"}, {"region", "000000"}}).status, 201);
    for (auto name : {"gd", "js", "national", "auditor"}) log_in_created(name);
    BOOST_REQUIRE_EQUAL(create("gd", "sz", 6, {{"kind", "government_city"}, {"region", "440300"}}).status, 201);
    BOOST_REQUIRE_EQUAL(create("gd", "gz", 7, {{"kind", "government_city"}, {"region", "440100"}}).status, 201);
    BOOST_CHECK_EQUAL(call(tokens["admin"], "GET", "/api/v1/accounts/" + ids["sz"]).body["status"], "pending");
    const std::string sz_initial = text_after(last_sms(data, phones["sz"]), "Initial password: ", 16);
    BOOST_CHECK_EQUAL(login(phones["sz"], sz_initial).status, 403);  // pending: not approved yet
    BOOST_REQUIRE_EQUAL(call(tokens["gd"], "POST", "/api/v1/accounts/" + ids["sz"] + "/approve").status, 200);
    BOOST_REQUIRE_EQUAL(call(tokens["gd"], "POST", "/api/v1/accounts/" + ids["gz"] + "/approve").status, 200);
    log_in_created("sz");
    log_in_created("gz");
    // Institutions' people: an admin of institution A creates its managers.
    BOOST_REQUIRE_EQUAL(create("admin", "ia_admin", 8,
                               {{"kind", "institution_admin"}, {"region", "440300"}, {"institution", "ins-a-" + run}})
                            .status,
                        201);
    log_in_created("ia_admin");
    BOOST_REQUIRE_EQUAL(create("ia_admin", "ia_manager", 9,
                               {{"kind", "account_manager"}, {"region", "440300"}, {"institution", "ins-a-" + run}})
                            .status,
                        201);
    BOOST_REQUIRE_EQUAL(create("admin", "ib_manager", 10,
                               {{"kind", "account_manager"}, {"region", "440100"}, {"institution", "ins-b-" + run}})
                            .status,
                        201);
    log_in_created("ia_manager");
    // Enterprise users register themselves, in two cities of one province and in another province.
    self_register("e_sz", 11, "440300");
    self_register("e_gz", 12, "440100");
    self_register("e_js", 13, "320500");
    // A second system admin, registered in Shenzhen: inside the Guangdong province's region.
    BOOST_REQUIRE_EQUAL(create("admin", "admin_sz", 14, {{"kind", "system_admin"}, {"region", "440300"}}).status, 201);
  }
};

World& world() {
  return shared_setup<World>();
}

struct Case {
  std::string who, method, path;
  json body;
  int expected;
  std::string unchanged;  // for a refused command: the account whose version must not move
};

}  // namespace

BOOST_AUTO_TEST_SUITE(identity_and_access)

BOOST_AUTO_TEST_CASE(fresh_installation_bootstrap_and_first_login) {
  auto& w = world();
  // The admin's first session was restricted until the password changed; now it is a full one.
  auto me = w.call(w.tokens["admin"], "GET", "/api/v1/sessions/current");
  BOOST_REQUIRE_EQUAL(me.status, 200);
  BOOST_CHECK_EQUAL(me.body["role"], "system_admin");
  BOOST_CHECK_EQUAL(w.login(w.admin_phone, w.admin_password).status, 401);  // the one-time password is gone
}

BOOST_AUTO_TEST_CASE(each_role_is_allowed_and_refused_what_the_matrix_says) {
  auto& w = world();
  auto& id = w.ids;
  const std::string accounts = "/api/v1/accounts/";
  const json city_in_js = {{"kind", "government_city"}, {"region", "320500"}, {"phone", w.phone(40)}};
  const json manager_of_b = {
      {"kind", "account_manager"}, {"region", "440100"}, {"institution", "ins-b-" + w.run}, {"phone", w.phone(41)}};
  const std::vector<Case> cases = {
      // enterprise user: itself only
      {"e_sz", "GET", accounts + id["e_sz"], nullptr, 200, ""},
      {"e_sz", "GET", accounts + id["e_gz"], nullptr, 403, ""},
      {"e_sz", "GET", "/api/v1/accounts", nullptr, 403, ""},
      {"e_sz", "POST", accounts + id["e_gz"] + "/disable", nullptr, 403, "e_gz"},
      {"e_sz", "GET", "/api/v1/audit/account/" + id["e_sz"], nullptr, 403, ""},
      {"e_sz", "GET", "/api/v1/logs/login", nullptr, 403, ""},
      {"e_sz", "GET", "/api/v1/ops/processor", nullptr, 403, ""},
      // city government: its city only (Shenzhen reading Guangzhou is refused)
      {"sz", "GET", accounts + id["e_sz"], nullptr, 200, ""},
      {"sz", "GET", accounts + id["e_gz"], nullptr, 403, ""},
      {"sz", "GET", accounts + id["e_js"], nullptr, 403, ""},
      {"gz", "GET", accounts + id["e_gz"], nullptr, 200, ""},
      {"gz", "GET", accounts + id["e_sz"], nullptr, 403, ""},
      {"sz", "POST", accounts + id["e_sz"] + "/disable", nullptr, 403, "e_sz"},
      {"sz", "GET", "/api/v1/audit", nullptr, 403, ""},
      // province: its cities, not another province's; creates and approves only its cities
      {"gd", "GET", accounts + id["e_sz"], nullptr, 200, ""},
      {"gd", "GET", accounts + id["e_gz"], nullptr, 200, ""},
      {"gd", "GET", accounts + id["e_js"], nullptr, 403, ""},
      {"gd", "POST", "/api/v1/accounts", city_in_js, 403, ""},
      {"js", "GET", accounts + id["e_sz"], nullptr, 403, ""},
      {"js", "GET", accounts + id["e_js"], nullptr, 200, ""},
      {"js", "POST", accounts + id["sz"] + "/disable", nullptr, 403, "sz"},
      // national: reads everything, manages no accounts
      {"national", "GET", accounts + id["e_js"], nullptr, 200, ""},
      {"national", "GET", accounts + id["e_sz"], nullptr, 200, ""},
      {"national", "POST", accounts + id["e_sz"] + "/disable", nullptr, 403, "e_sz"},
      // auditor: reads everything, changes nothing
      {"auditor", "GET", "/api/v1/audit/account/" + id["e_sz"], nullptr, 200, ""},
      {"auditor", "GET", "/api/v1/logs/login", nullptr, 200, ""},
      {"auditor", "GET", "/api/v1/logs/account-management", nullptr, 200, ""},
      {"auditor", "POST", accounts + id["e_sz"] + "/disable", nullptr, 403, "e_sz"},
      {"auditor",
       "POST",
       "/api/v1/accounts",
       {{"kind", "auditor"}, {"region", "000000"}, {"phone", w.phone(42)}},
       403,
       ""},
      {"auditor", "POST", "/api/v1/ops/projections/audit/rebuild", nullptr, 403, ""},
      // institution admin: its own institution's people only
      {"ia_admin", "GET", accounts + id["ia_manager"], nullptr, 200, ""},
      {"ia_admin", "GET", accounts + id["ib_manager"], nullptr, 403, ""},
      {"ia_admin", "POST", "/api/v1/accounts", manager_of_b, 403, ""},
      {"ia_admin", "POST", accounts + id["ib_manager"] + "/disable", nullptr, 403, "ib_manager"},
      {"ia_admin", "GET", accounts + id["e_sz"], nullptr, 403, ""},
      // account manager: itself
      {"ia_manager", "GET", accounts + id["ia_manager"], nullptr, 200, ""},
      {"ia_manager", "GET", "/api/v1/accounts", nullptr, 403, ""},
      {"ia_manager", "POST", accounts + id["ia_manager"] + "/disable", nullptr, 403, "ia_manager"},
      // system admin: operations and every account
      {"admin", "GET", accounts + id["e_js"], nullptr, 200, ""},
      {"admin", "GET", "/api/v1/ops/processor", nullptr, 200, ""},
      {"admin", "GET", "/api/v1/logs/business-operations", nullptr, 200, ""},
      // nobody: only registration and login are open
      {"", "GET", accounts + id["e_sz"], nullptr, 401, ""},
      {"", "GET", "/api/v1/audit", nullptr, 401, ""},
  };
  for (const auto& c : cases) {
    const int64_t before = c.unchanged.empty() ? 0 : w.version_of(c.unchanged);
    auto reply = w.call(c.who.empty() ? "" : w.tokens[c.who], c.method, c.path, c.body);
    BOOST_CHECK_MESSAGE(reply.status == c.expected, c.who << " " << c.method << " " << c.path << ": " << reply.status
                                                          << " (expected " << c.expected << ") " << reply.body.dump());
    if (reply.status >= 400) BOOST_CHECK_MESSAGE(reply.body.contains("rule"), "a refusal names its rule: " << c.path);
    if (!c.unchanged.empty())
      BOOST_CHECK_MESSAGE(w.version_of(c.unchanged) == before,
                          c.who << " changed " << c.unchanged << " though refused");
  }
  // A city user's list holds its city only; a province's holds its cities.
  auto listed = w.call(w.tokens["sz"], "GET", "/api/v1/accounts");
  BOOST_REQUIRE_EQUAL(listed.status, 200);
  BOOST_CHECK(!listed.body["items"].empty());
  for (const auto& a : listed.body["items"]) BOOST_CHECK(a["region"].get<std::string>().starts_with("4403"));
  // Phones are masked except for those who need them.
  BOOST_CHECK_EQUAL(w.call(w.tokens["sz"], "GET", accounts + id["e_sz"]).body["phone"].get<std::string>().find('*') !=
                        std::string::npos,
                    true);
  BOOST_CHECK_EQUAL(w.call(w.tokens["e_sz"], "GET", accounts + id["e_sz"]).body["phone"], w.phones["e_sz"]);
  auto audited = w.call(w.tokens["auditor"], "GET", "/api/v1/audit/account/" + id["e_sz"]);
  BOOST_CHECK(audited.body.dump().find(w.phones["e_sz"]) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(each_role_manages_only_the_account_kinds_below_it) {
  auto& w = world();
  auto& id = w.ids;
  const std::string accounts = "/api/v1/accounts/";
  // (Once a province disabled and re-enabled a system admin of its region.)
  const std::vector<Case> cases = {
      {"gd", "POST", accounts + id["admin_sz"] + "/disable", nullptr, 403, "admin_sz"},
      {"gd", "POST", accounts + id["e_sz"] + "/disable", nullptr, 403, "e_sz"},
      {"gd", "POST", accounts + id["ia_admin"] + "/disable", nullptr, 403, "ia_admin"},
      {"gd", "POST", accounts + id["js"] + "/disable", nullptr, 403, "js"},
      {"ia_admin", "POST", accounts + id["admin_sz"] + "/disable", nullptr, 403, "admin_sz"},
      {"national", "POST", accounts + id["admin_sz"] + "/disable", nullptr, 403, "admin_sz"},
      {"admin", "POST", accounts + id["admin_sz"] + "/disable", {{"reason", "test"}}, 200, ""},
      {"gd", "POST", accounts + id["admin_sz"] + "/enable", nullptr, 403, "admin_sz"},
      {"admin", "POST", accounts + id["admin_sz"] + "/enable", nullptr, 200, ""},
  };
  for (const auto& c : cases) {
    const int64_t before = c.unchanged.empty() ? 0 : w.version_of(c.unchanged);
    auto reply = w.call(w.tokens[c.who], c.method, c.path, c.body);
    BOOST_CHECK_MESSAGE(reply.status == c.expected, c.who << " " << c.method << " " << c.path << ": " << reply.status
                                                          << " (expected " << c.expected << ") " << reply.body.dump());
    if (!c.unchanged.empty())
      BOOST_CHECK_MESSAGE(w.version_of(c.unchanged) == before,
                          c.who << " changed " << c.unchanged << " though refused");
  }
  BOOST_CHECK_EQUAL(w.call(w.tokens["gd"], "POST", accounts + id["e_sz"] + "/disable").body.value("rule", ""),
                    "manageable-kinds");
  BOOST_CHECK_EQUAL(w.call(w.tokens["admin"], "GET", accounts + id["admin_sz"]).body["status"], "active");
}

BOOST_AUTO_TEST_CASE(new_accounts_name_real_regions_and_self_registration_no_institution) {
  auto& w = world();
  // A region code that is not in the reference data, for any creator.
  auto made = w.call(w.tokens["admin"], "POST", "/api/v1/accounts",
                     {{"kind", "auditor"}, {"region", "999999"}, {"phone", w.phone(43)}});
  BOOST_CHECK_EQUAL(made.status, 400);
  BOOST_CHECK_EQUAL(made.body.value("rule", ""), "gb2260-code");
  made = w.call(w.tokens["gd"], "POST", "/api/v1/accounts",
                {{"kind", "government_city"}, {"region", "449900"}, {"phone", w.phone(44)}});
  BOOST_CHECK_EQUAL(made.status, 400);
  // Self-registration: an enterprise user of no institution, whatever the body claims.
  auto claimed = w.call("", "POST", "/api/v1/accounts",
                        {{"phone", w.phone(45)},
                         {"region", "440300"},
                         {"password", "pw-" + w.phone(45) + "-own"},
                         {"institution", "ins-a-" + w.run}});
  BOOST_CHECK_EQUAL(claimed.status, 400);
  BOOST_CHECK_EQUAL(claimed.body.value("field", ""), "institution");
  BOOST_CHECK_EQUAL(claimed.body.value("rule", ""), "not-self-registrable");  // the route refuses it first
  auto kind = w.call("", "POST", "/api/v1/accounts",
                     {{"phone", w.phone(46)},
                      {"region", "440300"},
                      {"password", "pw-" + w.phone(46) + "-own"},
                      {"kind", "government_city"}});
  BOOST_CHECK_GE(kind.status, 400);
  BOOST_CHECK_LT(kind.status, 500);
  // None of them exists: a login with the password sent is refused like an unknown phone's.
  BOOST_CHECK_EQUAL(w.login(w.phone(45), "pw-" + w.phone(45) + "-own").status, 401);
}

BOOST_AUTO_TEST_CASE(province_approval_is_its_own) {
  auto& w = world();
  BOOST_REQUIRE_EQUAL(w.create("gd", "fs", 20, {{"kind", "government_city"}, {"region", "440600"}}).status, 201);
  BOOST_CHECK_EQUAL(w.call(w.tokens["js"], "POST", "/api/v1/accounts/" + w.ids["fs"] + "/approve").status, 403);
  BOOST_CHECK_EQUAL(w.call(w.tokens["admin"], "GET", "/api/v1/accounts/" + w.ids["fs"]).body["status"], "pending");
  BOOST_CHECK_EQUAL(
      w.call(w.tokens["gd"], "POST", "/api/v1/accounts/" + w.ids["fs"] + "/reject", {{"reason", "wrong person"}})
          .status,
      200);
  BOOST_CHECK_EQUAL(w.call(w.tokens["admin"], "GET", "/api/v1/accounts/" + w.ids["fs"]).body["status"], "rejected");
}

BOOST_AUTO_TEST_CASE(disabled_accounts_lose_their_sessions_at_once) {
  auto& w = world();
  BOOST_REQUIRE_EQUAL(w.call(w.tokens["gz"], "GET", "/api/v1/accounts/" + w.ids["e_gz"]).status, 200);
  BOOST_REQUIRE_EQUAL(
      w.call(w.tokens["admin"], "POST", "/api/v1/accounts/" + w.ids["gz"] + "/disable", {{"reason", "left"}}).status,
      200);
  auto refused = w.call(w.tokens["gz"], "GET", "/api/v1/accounts/" + w.ids["e_gz"]);
  BOOST_CHECK_EQUAL(refused.status, 401);
  BOOST_CHECK_EQUAL(refused.body["rule"], "account-active");
  BOOST_CHECK_EQUAL(w.login(w.phones["gz"], "pw-" + w.phones["gz"] + "-chosen").status, 403);
  BOOST_REQUIRE_EQUAL(w.call(w.tokens["admin"], "POST", "/api/v1/accounts/" + w.ids["gz"] + "/enable").status, 200);
  BOOST_CHECK_EQUAL(w.login(w.phones["gz"], "pw-" + w.phones["gz"] + "-chosen").status, 201);
}

BOOST_AUTO_TEST_CASE(password_change_ends_other_sessions_and_logout_ends_this_one) {
  auto& w = world();
  const std::string phone = w.phones["e_js"], password = "pw-" + phone + "-own";
  auto other = w.login(phone, password);
  BOOST_REQUIRE_EQUAL(other.status, 201);
  const std::string other_token = other.body["token"];
  auto changed = w.call(w.tokens["e_js"], "PUT", "/api/v1/accounts/" + w.ids["e_js"] + "/password",
                        {{"current_password", password}, {"new_password", password + "-2"}});
  BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
  BOOST_CHECK_GE(changed.body["other_sessions_ended"].get<int>(), 1);
  BOOST_CHECK_EQUAL(w.call(other_token, "GET", "/api/v1/sessions/current").status, 401);
  BOOST_CHECK_EQUAL(w.call(w.tokens["e_js"], "GET", "/api/v1/sessions/current").status, 200);
  BOOST_CHECK_EQUAL(w.login(phone, password).status, 401);
  BOOST_CHECK_EQUAL(w.call(w.tokens["e_js"], "DELETE", "/api/v1/sessions/current").status, 204);
  BOOST_CHECK_EQUAL(w.call(w.tokens["e_js"], "GET", "/api/v1/sessions/current").status, 401);
  w.secrets.insert(w.secrets.end(), {password + "-2", other_token});
}

BOOST_AUTO_TEST_CASE(sessions_expire) {
  auto& w = world();
  auto short_lived =
      w.call("", "POST", "/api/v1/sessions",
             {{"phone", w.phones["e_sz"]}, {"password", "pw-" + w.phones["e_sz"] + "-own"}, {"ttl_seconds", 1}});
  BOOST_REQUIRE_EQUAL(short_lived.status, 201);
  const std::string token = short_lived.body["token"];
  BOOST_CHECK_EQUAL(w.call(token, "GET", "/api/v1/sessions/current").status, 200);
  std::this_thread::sleep_for(1500ms);
  auto expired = w.call(token, "GET", "/api/v1/sessions/current");
  BOOST_CHECK_EQUAL(expired.status, 401);
  BOOST_CHECK_EQUAL(expired.body["rule"], "token-expired");
  BOOST_CHECK(!expired.headers["WWW-Authenticate"].empty());
}

BOOST_AUTO_TEST_CASE(failed_logins_lock_out_for_a_while) {
  auto& w = world();
  const std::string phone = w.phones["e_gz"], password = "pw-" + phone + "-own";
  for (int i = 0; i < 5; ++i) BOOST_CHECK_EQUAL(w.login(phone, "wrong-password-" + std::to_string(i)).status, 401);
  auto locked = w.login(phone, password);
  BOOST_CHECK_EQUAL(locked.status, 429);
  BOOST_CHECK_EQUAL(locked.body["rule"], "login-lockout");
  std::this_thread::sleep_for(3500ms);  // the server runs with --lockout-seconds 3
  BOOST_CHECK_EQUAL(w.login(phone, password).status, 201);
  // Every failure is in the login log, with the client address.
  auto log = w.call(w.tokens["auditor"], "GET", "/api/v1/logs/login?subject=account/" + w.ids["e_gz"] + "&limit=100");
  BOOST_REQUIRE_EQUAL(log.status, 200);
  int failures = 0;
  for (const auto& item : log.body["items"])
    if (item["name"] == "LoginFailed" && item["data"]["client_address"] == "127.0.0.1") ++failures;
  BOOST_CHECK_GE(failures, 5);
}

BOOST_AUTO_TEST_CASE(one_time_codes_log_in) {
  auto& w = world();
  const std::string phone = w.phones["e_sz"];
  BOOST_REQUIRE_EQUAL(w.call("", "POST", "/api/v1/sessions/codes", {{"phone", phone}}).status, 202);
  const std::string code = text_after(last_sms(w.data, phone), "login code: ", 6);
  BOOST_REQUIRE_EQUAL(code.size(), 6u);
  BOOST_CHECK_EQUAL(
      w.call("", "POST", "/api/v1/sessions", {{"phone", phone}, {"code", "000000" == code ? "111111" : "000000"}})
          .status,
      401);
  auto session = w.call("", "POST", "/api/v1/sessions", {{"phone", phone}, {"code", code}});
  BOOST_REQUIRE_EQUAL(session.status, 201);
  BOOST_CHECK_EQUAL(w.call("", "POST", "/api/v1/sessions", {{"phone", phone}, {"code", code}}).status,
                    401);  // used once
  // An unknown phone gets the same answer and no code.
  BOOST_CHECK_EQUAL(w.call("", "POST", "/api/v1/sessions/codes", {{"phone", w.phone(89)}}).status, 202);
  BOOST_CHECK(last_sms(w.data, w.phone(89)).empty());
  w.secrets.push_back(session.body["token"]);
}

BOOST_AUTO_TEST_CASE(connectors_act_for_their_own_institution_only) {
  auto& w = world();
  for (const std::string letter : {"a", "b"}) {
    auto onboarded = w.call(w.tokens["admin"], "POST", "/api/v1/institutions",
                            {{"id", "ins-" + letter + "-" + w.run},
                             {"type", "bank"},
                             {"full_name", "测试银行" + letter},
                             {"short_name", "测试" + letter},
                             {"region", "440300"},
                             {"parent", ""}});
    BOOST_REQUIRE_MESSAGE(onboarded.status == 201, onboarded.body.dump());
  }
  const std::string a = "/api/v1/institutions/ins-a-" + w.run, b = "/api/v1/institutions/ins-b-" + w.run;
  auto first = w.call(w.tokens["ia_admin"], "POST", a + "/api-keys");
  BOOST_REQUIRE_MESSAGE(first.status == 201, first.body.dump());
  BOOST_CHECK_EQUAL(w.call(w.tokens["ia_admin"], "POST", b + "/api-keys").status, 403);  // another institution's
  BOOST_CHECK_EQUAL(w.call(w.tokens["e_sz"], "POST", a + "/api-keys").status, 403);
  auto second = w.call(w.tokens["ia_admin"], "POST", a + "/api-keys");  // rotation: both work for a while
  BOOST_REQUIRE_EQUAL(second.status, 201);
  const std::string key1 = first.body["key"], key2 = second.body["key"];
  auto with_key = [&](const std::string& key, const std::string& method, const std::string& path) {
    return http_request(w.url(), method, path, nullptr, {{"Authorization", "ApiKey " + key}});
  };
  auto me = with_key(key1, "GET", "/api/v1/sessions/current");
  BOOST_REQUIRE_EQUAL(me.status, 200);
  BOOST_CHECK_EQUAL(me.body["role"], "bank_connector");
  BOOST_CHECK_EQUAL(me.body["institution"], "ins-a-" + w.run);
  BOOST_CHECK_EQUAL(with_key(key2, "GET", a).status, 200);
  BOOST_CHECK_EQUAL(with_key(key1, "GET", b).status, 403);                 // not its institution
  BOOST_CHECK_EQUAL(with_key(key1, "POST", a + "/api-keys").status, 403);  // keys do not make keys
  auto listed = w.call(w.tokens["ia_admin"], "GET", a + "/api-keys");
  BOOST_REQUIRE_EQUAL(listed.status, 200);
  BOOST_CHECK_EQUAL(listed.body["items"].size(), 2u);
  BOOST_CHECK(listed.body.dump().find(key1) == std::string::npos);  // listed without secrets
  BOOST_CHECK_EQUAL(
      w.call(w.tokens["ia_admin"], "DELETE", a + "/api-keys/" + first.body["key_id"].get<std::string>()).status, 204);
  BOOST_CHECK_EQUAL(with_key(key1, "GET", "/api/v1/sessions/current").status, 401);
  BOOST_CHECK_EQUAL(with_key(key2, "GET", "/api/v1/sessions/current").status, 200);
  auto secret = w.call(w.tokens["ia_admin"], "POST", a + "/webhook-secrets");
  BOOST_REQUIRE_EQUAL(secret.status, 201);
  BOOST_CHECK(secret.body["secret"].get<std::string>().starts_with("whsec_"));
  w.secrets.insert(w.secrets.end(), {key1, key2, secret.body["secret"].get<std::string>()});
}

BOOST_AUTO_TEST_CASE(a_new_region_stays_within_the_callers_scope) {
  auto& w = world();
  // Institution A (onboarded above) is in Shenzhen; the Shenzhen account may not move it out.
  const std::string a = "/api/v1/institutions/ins-a-" + w.run;
  auto moved = w.call(w.tokens["sz"], "PATCH", a, {{"changes", {{"region", "440100"}}}});
  BOOST_CHECK_EQUAL(moved.status, 403);
  BOOST_CHECK_EQUAL(moved.body.value("field", ""), "changes.region");
  BOOST_CHECK_EQUAL(moved.body.value("rule", ""), "scope-region");
  BOOST_CHECK_EQUAL(w.call(w.tokens["admin"], "GET", a).body["region"], "440300");
  auto within = w.call(w.tokens["sz"], "PATCH", a, {{"changes", {{"region", "440305"}}}});
  BOOST_CHECK_MESSAGE(within.status == 200, within.body.dump());
  BOOST_CHECK_EQUAL(w.call(w.tokens["admin"], "GET", a).body["region"], "440305");
}

BOOST_AUTO_TEST_CASE(no_secret_reaches_the_log) {
  auto& w = world();
  std::string everything;
  for (const std::string topic : {"xyd.events.account", "xyd.events.institution", "xyd.commands", "xyd.outcomes"}) {
    auto [status, output] = run_command_line(std::string(XYD_BINARY) + " log tail --topic " + topic + " --data '" +
                                             w.data + "'" + backend_flags_text() + " 2>/dev/null");
    BOOST_REQUIRE_MESSAGE(status == 0, "xyd log tail " << topic << " failed");
    everything += output;
  }
  BOOST_REQUIRE(everything.find(w.ids["e_sz"]) != std::string::npos);  // the tail did read the events
  BOOST_CHECK(everything.find("$argon2") == std::string::npos);
  for (const auto& secret : w.secrets)
    BOOST_CHECK_MESSAGE(everything.find(secret) == std::string::npos,
                        "a secret is in the log: " << secret.substr(0, 6));
}

BOOST_AUTO_TEST_SUITE_END()

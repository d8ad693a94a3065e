// What the open identity routes rely on against abuse: the common-password deny-list, the code and
// registration budgets of LoginLimiter, who the client is behind trusted proxies, the argon2 decoy
// for unknown phones, deleting a refused registration's hash, and separate registration codes.
#include <boost/test/unit_test.hpp>
#include <chrono>

#include "api/authenticator.h"
#include "api/login_limiter.h"
#include "identity/common_passwords.h"
#include "identity/credential_store.h"
#include "tests/identity/secret_store_fixture.h"

using namespace xyd;
using api::Action;
using api::LimiterOptions;
using api::LoginLimiter;

namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kMinute = 60 * 1000;

api::Request from(const std::string& peer, const std::string& forwarded_for) {
  api::Request request;
  request.client_address = peer;
  if (!forwarded_for.empty()) request.headers["x-forwarded-for"] = forwarded_for;
  return request;
}

double seconds_of(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(common_passwords)

BOOST_AUTO_TEST_CASE(the_most_common_passwords_are_refused_whatever_their_case) {
  BOOST_TEST(identity::is_common_password("12345678"));
  BOOST_TEST(identity::is_common_password("password"));
  BOOST_TEST(identity::is_common_password("PassWord"));
  BOOST_TEST(identity::is_common_password("qwertyuiop"));
  BOOST_TEST(!identity::is_common_password("pw-13800138000-own"));
  BOOST_TEST(!identity::is_common_password("correct horse battery staple"));
  auto refused = identity::check_password_rule("12345678");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().field == "password");
  BOOST_TEST(refused.error().rule == "not-common");
  BOOST_TEST(identity::check_password_rule("Tr0ub4dor-and-more").ok());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(send_and_registration_budgets)

BOOST_AUTO_TEST_CASE(one_code_a_minute_per_phone_with_the_seconds_to_wait) {
  LoginLimiter limiter(LimiterOptions{});
  BOOST_TEST(!limiter.spend(Action::code_send, "13800138000", "10.0.0.1", kT0));
  auto again = limiter.spend(Action::code_send, "13800138000", "10.0.0.2", kT0 + 1000);
  BOOST_REQUIRE(again.has_value());
  BOOST_TEST(again->error.code == Errc::too_many);
  BOOST_TEST(again->error.field == "phone");
  BOOST_TEST(again->error.rule == "code-send-rate");
  BOOST_TEST(again->retry_after_s == 59);
  BOOST_TEST(!limiter.spend(Action::code_send, "13900139000", "10.0.0.2", kT0 + 1000));  // another phone
  BOOST_TEST(!limiter.spend(Action::code_send, "13800138000", "10.0.0.2", kT0 + kMinute));
}

BOOST_AUTO_TEST_CASE(an_address_has_a_budget_of_sends_and_of_registrations_an_hour) {
  LimiterOptions options;
  options.code_sends_per_address.max = 3;
  options.registrations_per_address.max = 2;
  LoginLimiter limiter(options);
  for (int i = 0; i < 3; ++i)
    BOOST_TEST(!limiter.spend(Action::code_send, "1380013800" + std::to_string(i), "10.0.0.1", kT0 + i));
  auto refused = limiter.spend(Action::code_send, "13800138009", "10.0.0.1", kT0 + 10);
  BOOST_REQUIRE(refused.has_value());
  BOOST_TEST(refused->error.field == "client_address");
  BOOST_TEST(refused->retry_after_s == 3600);
  // A refusal spends nothing: that phone may still get its code from another address.
  BOOST_TEST(!limiter.spend(Action::code_send, "13800138009", "10.0.0.2", kT0 + 10));
  // Registrations count apart from sends.
  BOOST_TEST(!limiter.spend(Action::registration, "13800138000", "10.0.0.1", kT0));
  BOOST_TEST(!limiter.spend(Action::registration, "13800138001", "10.0.0.1", kT0));
  auto third = limiter.spend(Action::registration, "13800138002", "10.0.0.1", kT0);
  BOOST_REQUIRE(third.has_value());
  BOOST_TEST(third->error.rule == "registration-rate");
  BOOST_TEST(!limiter.spend(Action::registration, "13800138002", "10.0.0.1", kT0 + 3600 * 1000));
}

BOOST_AUTO_TEST_CASE(a_phone_has_five_registration_attempts_an_hour_and_zero_means_no_limit) {
  LimiterOptions options;
  options.registrations_per_address.max = 0;
  LoginLimiter limiter(options);
  for (int i = 0; i < 5; ++i) BOOST_TEST(!limiter.spend(Action::registration, "13800138000", "", kT0 + i));
  auto sixth = limiter.spend(Action::registration, "13800138000", "", kT0 + 5);
  BOOST_REQUIRE(sixth.has_value());
  BOOST_TEST(sixth->error.field == "phone");
  for (int i = 0; i < 100; ++i)
    BOOST_TEST(!limiter.spend(Action::registration, "1390013" + std::to_string(9000 + i), "10.0.0.1", kT0));
}

BOOST_AUTO_TEST_CASE(a_lockout_tells_when_to_retry) {
  LoginLimiter limiter(LimiterOptions{});
  for (int i = 0; i < 5; ++i) limiter.failed("13800138000", "", kT0);
  auto locked = limiter.locked_out("13800138000", "", kT0 + 1000);
  BOOST_REQUIRE(locked.has_value());
  BOOST_TEST(locked->retry_after_s == 899);
  api::Request request;
  request.path = "/api/v1/sessions";
  auto response = api::too_many_response(*locked, request);
  BOOST_TEST(response.status == 429);
  BOOST_TEST(response.headers["Retry-After"] == "899");
  BOOST_TEST(response.body.value("rule", "") == "login-lockout");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(client_address)

BOOST_AUTO_TEST_CASE(x_forwarded_for_never_counts_by_default) {
  BOOST_TEST(api::client_address(from("203.0.113.7", "198.51.100.1"), {}) == "203.0.113.7");
  BOOST_TEST(api::client_address(from("127.0.0.1", "198.51.100.1"), {}) == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client) {
  const std::vector<std::string> proxies = {"127.0.0.1", "10.0.0.0/8", "::1"};
  BOOST_TEST(api::client_address(from("127.0.0.1", "198.51.100.1"), proxies) == "198.51.100.1");
  // What the client wrote itself (left of what the proxies appended) never counts.
  BOOST_TEST(api::client_address(from("10.1.2.3", "6.6.6.6, 198.51.100.1, 10.0.0.5"), proxies) == "198.51.100.1");
  BOOST_TEST(api::client_address(from("::1", "2001:db8::5"), proxies) == "2001:db8::5");
  // An untrusted peer's header does not count; nor a missing or garbled one.
  BOOST_TEST(api::client_address(from("203.0.113.7", "198.51.100.1"), proxies) == "203.0.113.7");
  BOOST_TEST(api::client_address(from("127.0.0.1", ""), proxies) == "127.0.0.1");
  BOOST_TEST(api::client_address(from("127.0.0.1", "198.51.100.1, not-an-ip"), proxies) == "127.0.0.1");
  // All hops trusted: the left-most.
  BOOST_TEST(api::client_address(from("127.0.0.1", "10.0.0.9, 10.0.0.8"), proxies) == "10.0.0.9");
}

BOOST_AUTO_TEST_CASE(the_list_takes_addresses_and_cidr_blocks_and_refuses_anything_else) {
  auto parsed = api::parse_trusted_proxies(" 127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8");
  BOOST_REQUIRE(parsed.ok());
  BOOST_TEST(parsed->size() == 4u);
  BOOST_TEST(api::parse_trusted_proxies("").value().empty());
  for (const char* wrong : {"localhost", "10.0.0.0/33", "10.0.0.0/", "1.2.3", "::1/129"}) {
    auto refused = api::parse_trusted_proxies(wrong);
    BOOST_TEST(!refused.ok(), wrong);
    if (!refused.ok()) BOOST_TEST(refused.error().rule == "ip-or-cidr");
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_SUITE(registration_secrets, test::StoreFixture)

BOOST_AUTO_TEST_CASE(an_unknown_reference_costs_the_argon2_time_of_a_known_one) {
  BOOST_REQUIRE(store->set_password("cmd-1", "correct horse").ok());
  BOOST_REQUIRE(!store->verify_password("", "warm-up").value());  // the decoy is made once
  double known = 1e9, unknown = 1e9;
  for (int i = 0; i < 3; ++i) {
    known = std::min(known, seconds_of([&] { BOOST_TEST(!store->verify_password("cmd-1", "wrong").value()); }));
    unknown = std::min(unknown, seconds_of([&] { BOOST_TEST(!store->verify_password("cmd-x", "wrong").value()); }));
  }
  BOOST_TEST(unknown > known * 0.5, "unknown " << unknown << " s, known " << known << " s");
}

BOOST_AUTO_TEST_CASE(a_forgotten_hash_is_gone) {
  BOOST_REQUIRE(store->set_password("cmd-1", "correct horse").ok());
  BOOST_TEST(store->has_password("cmd-1").value());
  BOOST_REQUIRE(store->forget_password("cmd-1").ok());
  BOOST_TEST(!store->has_password("cmd-1").value());
  BOOST_TEST(!store->verify_password("cmd-1", "correct horse").value());
  BOOST_TEST(store->forget_password("cmd-1").ok());  // idempotent
}

BOOST_AUTO_TEST_CASE(registration_and_login_codes_are_apart) {
  const std::string phone = "13800138000";
  auto login = store->issue_code(identity::CodePurpose::login, phone, 300000, 1000);
  auto registration = store->issue_code(identity::CodePurpose::registration, phone, 300000, 1000);  // no resend wait
  BOOST_REQUIRE(login.ok());
  BOOST_REQUIRE(registration.ok());
  if (*login != *registration)
    BOOST_TEST(!store->consume_code(identity::CodePurpose::login, phone, *registration, 2000).value());
  BOOST_TEST(store->consume_code(identity::CodePurpose::registration, phone, *registration, 2000).value());
  BOOST_TEST(store->consume_code(identity::CodePurpose::login, phone, *login, 2000).value());
}

BOOST_AUTO_TEST_SUITE_END()

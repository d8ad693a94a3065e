// CredentialStore: one-time login codes (right, wrong, 5 tries, resend interval, expiry).
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>

#include "identity/credential_store.h"
#include "tests/identity/secret_store_fixture.h"

using namespace xyd;
using test::StoreFixture;

namespace {
constexpr int64_t kTtl = 5 * 60 * 1000;
const std::string kPhone = "13800138000";

// A code that is surely not `code`.
std::string wrong(const std::string& code) {
  return code == "000000" ? "000001" : "000000";
}
}  // namespace

BOOST_FIXTURE_TEST_SUITE(one_time_codes, StoreFixture)

BOOST_AUTO_TEST_CASE(the_right_code_works_once) {
  auto code = store->issue_login_code(kPhone, kTtl, 1000);
  BOOST_REQUIRE(code.ok());
  BOOST_TEST(code->size() == 6u);
  BOOST_TEST(std::all_of(code->begin(), code->end(), [](unsigned char c) { return std::isdigit(c); }));
  BOOST_TEST(!store->consume_login_code("13900139000", *code, 2000).value());  // another phone
  BOOST_TEST(store->consume_login_code(kPhone, *code, 2000).value());
  BOOST_TEST(!store->consume_login_code(kPhone, *code, 2000).value());  // consumed
}

BOOST_AUTO_TEST_CASE(a_wrong_code_is_refused_and_counted) {
  auto code = store->issue_login_code(kPhone, kTtl, 1000);
  BOOST_REQUIRE(code.ok());
  for (int i = 0; i < 4; ++i) BOOST_TEST(!store->consume_login_code(kPhone, wrong(*code), 2000).value());
  BOOST_TEST(!store->consume_login_code(kPhone, "", 2000).value());
  // Five wrong tries: the code is void, even the right one fails now.
  BOOST_TEST(!store->consume_login_code(kPhone, *code, 2000).value());
}

BOOST_AUTO_TEST_CASE(four_wrong_tries_leave_the_code_usable) {
  auto code = store->issue_login_code(kPhone, kTtl, 1000);
  BOOST_REQUIRE(code.ok());
  for (int i = 0; i < 4; ++i) BOOST_TEST(!store->consume_login_code(kPhone, wrong(*code), 2000).value());
  BOOST_TEST(store->consume_login_code(kPhone, *code, 2000).value());
}

BOOST_AUTO_TEST_CASE(a_new_code_waits_for_the_resend_interval_and_replaces_the_old) {
  auto first = store->issue_login_code(kPhone, kTtl, 1000);
  BOOST_REQUIRE(first.ok());
  auto early = store->issue_login_code(kPhone, kTtl, 1000 + 59'999);
  BOOST_REQUIRE(!early.ok());
  BOOST_TEST(early.error().code == Errc::too_many);
  BOOST_TEST(early.error().rule == "otp-resend-interval");
  BOOST_TEST(early.error().field == "phone");
  BOOST_TEST(early.error().message.find("retry in 1 s") != std::string::npos, early.error().message);

  BOOST_TEST(store->issue_login_code("13900139000", kTtl, 1000 + 59'999).ok());  // other phones are not held up

  auto second = store->issue_login_code(kPhone, kTtl, 1000 + 60'000);
  BOOST_REQUIRE(second.ok());
  if (*second != *first) BOOST_TEST(!store->consume_login_code(kPhone, *first, 62'000).value());
  BOOST_TEST(store->consume_login_code(kPhone, *second, 62'000).value());
}

BOOST_AUTO_TEST_CASE(a_code_expires) {
  auto code = store->issue_login_code(kPhone, kTtl, 1000);
  BOOST_REQUIRE(code.ok());
  BOOST_TEST(!store->consume_login_code(kPhone, *code, 1000 + kTtl).value());
  auto fresh = store->issue_login_code(kPhone, kTtl, 1000 + kTtl);
  BOOST_REQUIRE(fresh.ok());
  BOOST_TEST(store->consume_login_code(kPhone, *fresh, 1000 + kTtl + kTtl - 1).value());
}

BOOST_AUTO_TEST_CASE(bad_code_requests_are_invalid) {
  BOOST_TEST(store->issue_login_code("", kTtl, 0).error().field == "phone");
  BOOST_TEST(store->issue_login_code(kPhone, 0, 0).error().code == Errc::invalid_argument);
  BOOST_TEST(!store->consume_login_code("13700137000", "123456", 0).value());  // no code issued
}

BOOST_AUTO_TEST_SUITE_END()

// LoginLimiter: lockout per phone and per address, its expiry, the window, and success.
#include "api/login_limiter.h"

#include <boost/test/unit_test.hpp>

#include "tests/identity/secret_store_fixture.h"

using namespace xyd;
using api::LimiterOptions;
using api::LoginLimiter;

namespace {
constexpr int64_t kMinute = 60 * 1000;
constexpr int64_t kT0 = 1'700'000'000'000;
}  // namespace

BOOST_AUTO_TEST_SUITE(login_limiter)

BOOST_AUTO_TEST_CASE(a_phone_is_locked_out_after_five_failures_until_the_lockout_ends) {
  LoginLimiter limiter(LimiterOptions{});
  for (int i = 0; i < 4; ++i) limiter.failed("13800138000", "10.0.0." + std::to_string(i), kT0 + i);
  BOOST_TEST(limiter.check("13800138000", "10.0.0.9", kT0 + 10).ok());
  limiter.failed("13800138000", "10.0.0.4", kT0 + 10);
  auto locked = limiter.check("13800138000", "10.0.0.9", kT0 + 10);
  BOOST_REQUIRE(!locked.ok());
  BOOST_TEST(locked.error().code == Errc::too_many);
  BOOST_TEST(locked.error().field == "phone");
  BOOST_TEST(locked.error().rule == "login-lockout");
  BOOST_TEST(locked.error().message.find("retry in 900 s") != std::string::npos, locked.error().message);
  BOOST_TEST(limiter.check("13900139000", "10.0.0.9", kT0 + 10).ok());  // other phones are free

  BOOST_TEST(!limiter.check("13800138000", "", kT0 + 10 + 15 * kMinute - 1).ok());
  BOOST_TEST(limiter.check("13800138000", "", kT0 + 10 + 15 * kMinute).ok());
  limiter.failed("13800138000", "", kT0 + 10 + 15 * kMinute);  // counting starts again from zero
  BOOST_TEST(limiter.check("13800138000", "", kT0 + 11 + 15 * kMinute).ok());
}

BOOST_AUTO_TEST_CASE(an_address_is_locked_out_after_twenty_failures) {
  LoginLimiter limiter(LimiterOptions{});
  for (int i = 0; i < 19; ++i) limiter.failed("1380013800" + std::to_string(i % 10), "10.0.0.1", kT0);
  BOOST_TEST(limiter.check("13700137000", "10.0.0.1", kT0).ok());
  limiter.failed("13700137001", "10.0.0.1", kT0);
  auto locked = limiter.check("13700137000", "10.0.0.1", kT0 + 1);
  BOOST_REQUIRE(!locked.ok());
  BOOST_TEST(locked.error().field == "client_address");
  BOOST_TEST(locked.error().rule == "login-lockout");
  BOOST_TEST(limiter.check("13700137000", "10.0.0.2", kT0 + 1).ok());
  BOOST_TEST(limiter.check("13700137000", "10.0.0.1", kT0 + 15 * kMinute).ok());
}

BOOST_AUTO_TEST_CASE(failures_older_than_the_window_do_not_count) {
  LoginLimiter limiter(LimiterOptions{});
  for (int i = 0; i < 4; ++i) limiter.failed("13800138000", "", kT0);
  limiter.failed("13800138000", "", kT0 + 15 * kMinute);  // the first four have left the window
  BOOST_TEST(limiter.check("13800138000", "", kT0 + 15 * kMinute).ok());
}

BOOST_AUTO_TEST_CASE(a_success_clears_the_phone_but_not_the_address) {
  LimiterOptions options;
  options.max_failures_per_address = 6;
  LoginLimiter limiter(options);
  for (int i = 0; i < 4; ++i) limiter.failed("13800138000", "10.0.0.1", kT0);
  limiter.succeeded("13800138000", kT0);
  limiter.failed("13800138000", "10.0.0.1", kT0);
  BOOST_TEST(limiter.check("13800138000", "10.0.0.2", kT0).ok());
  limiter.failed("13800138000", "10.0.0.1", kT0);  // sixth for the address
  BOOST_TEST(limiter.check("13800138000", "10.0.0.1", kT0).error().field == "client_address");
}

BOOST_AUTO_TEST_CASE(pruning_keeps_lockouts) {
  LimiterOptions options;
  options.prune_above = 3;
  LoginLimiter limiter(options);
  for (int i = 0; i < 5; ++i) limiter.failed("13800138000", "", kT0);
  for (int i = 0; i < 50; ++i) limiter.failed("1390013" + std::to_string(1000 + i), "", kT0 + 16 * kMinute);
  BOOST_TEST(limiter.check("13800138000", "", kT0 + 16 * kMinute).ok());  // that lockout is over
  for (int i = 0; i < 5; ++i) limiter.failed("13800138000", "", kT0 + 20 * kMinute);
  for (int i = 0; i < 50; ++i) limiter.failed("1370013" + std::to_string(1000 + i), "", kT0 + 21 * kMinute);
  BOOST_TEST(!limiter.check("13800138000", "", kT0 + 21 * kMinute).ok());
}

BOOST_AUTO_TEST_SUITE_END()

// Registration and login abuse, end to end through `xyd serve` on the backend under test (behind
// a "proxy": the server trusts 127.0.0.1, so each test case is its own client through
// X-Forwarded-For): self-registration needs the code its phone received; a registered phone is
// answered like a free one until the code is proven; a login with an unknown phone costs the
// argon2 time of a known one; common passwords are refused; code sends and registrations are
// limited per client address and per phone (429 with Retry-After); no refused registration leaves
// a password hash in the credential store.
#define BOOST_TEST_MODULE registration
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <random>
#include <thread>

#include "identity/credential_store.h"
#include "tests/support/server_process.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;
using Headers = std::map<std::string, std::string>;

namespace {

constexpr int kAddressLimit = 6;  // code sends and registrations per client address and hour

struct World {
  std::string data = fresh_dir("registration");
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  ServerProcess server{data,
                       "registration-" + run,
                       {"--trusted-proxies", "127.0.0.1,::1", "--address-limit", std::to_string(kAddressLimit)}};

  World() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "serve did not come up; see " << data << ".server.log");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (login(phone(0), "any-password-1", via(0)).status == 503 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(100ms);
  }
  ~World() {
    if (server.running()) server.kill_with(SIGTERM);
  }

  std::string phone(int n) const { return "17" + run + std::to_string(10 + n); }
  // The headers of client `n` behind the trusted proxy (203.0.113.0/24 is a documentation range:
  // only a header, nothing is sent there).
  static Headers via(int n) { return {{"X-Forwarded-For", "203.0.113." + std::to_string(n)}}; }
  static Headers with_key(Headers headers, const std::string& key) {
    headers["Idempotency-Key"] = key;
    return headers;
  }

  HttpReply send_code(const std::string& phone, const Headers& client) const {
    return http_request(server.url(), "POST", "/api/v1/sessions/codes", {{"phone", phone}, {"purpose", "registration"}},
                        client);
  }
  HttpReply register_account(json body, const Headers& client) const {
    return http_request(server.url(), "POST", "/api/v1/accounts", body, client);
  }
  HttpReply login(const std::string& phone, const std::string& password, const Headers& client) const {
    return http_request(server.url(), "POST", "/api/v1/sessions", {{"phone", phone}, {"password", password}}, client);
  }
  // An account the operator creates (no code is sent to its phone).
  void create_as_operator(const std::string& phone, const std::string& key) const {
    auto created =
        http_request(server.url(), "POST", "/api/v1/accounts",
                     {{"phone", phone}, {"kind", "enterprise_user"}, {"region", "440300"}}, as_operator(server, key));
    BOOST_REQUIRE_MESSAGE(created.status == 201, created.body.dump());
  }
  json registration(const std::string& phone, const std::string& code) const {
    return {{"phone", phone}, {"region", "440300"}, {"password", "pw-" + phone + "-own"}, {"code", code}};
  }
};

World& world() {
  return shared_setup<World>();
}

// The code that is surely not `code`.
std::string wrong(const std::string& code) {
  return code == "000000" ? "000001" : "000000";
}

double seconds_of(const std::function<void()>& work) {
  const auto start = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(registration_abuse)

BOOST_AUTO_TEST_CASE(self_registration_needs_the_code_its_phone_received) {
  auto& w = world();
  const auto client = World::via(1);
  const std::string phone = w.phone(1);
  auto no_code =
      w.register_account({{"phone", phone}, {"region", "440300"}, {"password", "pw-" + phone + "-own"}}, client);
  BOOST_CHECK_EQUAL(no_code.status, 400);
  BOOST_CHECK_EQUAL(no_code.body.value("field", ""), "code");
  auto guessed = w.register_account(w.registration(phone, "123456"), client);
  BOOST_CHECK_EQUAL(guessed.status, 403);
  BOOST_CHECK_EQUAL(guessed.body.value("field", ""), "code");
  BOOST_CHECK_EQUAL(guessed.body.value("rule", ""), "valid-code");
  BOOST_CHECK_EQUAL(w.login(phone, "pw-" + phone + "-own", client).status, 401);  // no account was made

  BOOST_REQUIRE_EQUAL(w.send_code(phone, client).status, 202);
  const std::string code = registration_code(w.data, phone);
  BOOST_REQUIRE_EQUAL(code.size(), 6u);
  auto registered = w.register_account(w.registration(phone, code), World::with_key(client, "reg-1-" + w.run));
  BOOST_REQUIRE_MESSAGE(registered.status == 201, registered.body.dump());
  BOOST_CHECK_EQUAL(w.login(phone, "pw-" + phone + "-own", client).status, 201);
  // The code works once; a replay of the same request needs no new one.
  auto replayed = w.register_account(w.registration(phone, code), World::with_key(client, "reg-1-" + w.run));
  BOOST_CHECK_EQUAL(replayed.status, 201);
  BOOST_CHECK_EQUAL(replayed.headers["Idempotency-Replayed"], "true");
}

BOOST_AUTO_TEST_CASE(a_registered_phone_is_answered_like_a_free_one_until_its_code_is_proven) {
  auto& w = world();
  const auto client = World::via(2);
  const std::string taken = w.phone(2), free = w.phone(3);
  w.create_as_operator(taken, "taken-" + w.run);
  auto sent_taken = w.send_code(taken, client), sent_free = w.send_code(free, client);
  BOOST_CHECK_EQUAL(sent_taken.status, 202);
  BOOST_CHECK_EQUAL(sent_free.status, 202);
  sent_taken.body.erase("phone");
  sent_free.body.erase("phone");
  BOOST_CHECK_EQUAL(sent_taken.body.dump(), sent_free.body.dump());
  // A second code within the minute: refused alike.
  auto again_taken = w.send_code(taken, client), again_free = w.send_code(free, client);
  BOOST_CHECK_EQUAL(again_taken.status, 429);
  BOOST_CHECK_EQUAL(again_free.status, 429);
  BOOST_CHECK_EQUAL(again_taken.body.value("rule", ""), again_free.body.value("rule", "-"));
  // A wrong code: the same refusal, registered or not.
  const std::string code_taken = registration_code(w.data, taken), code_free = registration_code(w.data, free);
  auto wrong_taken = w.register_account(w.registration(taken, wrong(code_taken)), client);
  auto wrong_free = w.register_account(w.registration(free, wrong(code_free)), client);
  BOOST_CHECK_EQUAL(wrong_taken.status, 403);
  BOOST_CHECK_EQUAL(wrong_free.status, 403);
  BOOST_CHECK_EQUAL(wrong_taken.body.value("rule", ""), wrong_free.body.value("rule", "-"));
  // The phone's owner, and only it, learns that the phone is registered.
  auto proven = w.register_account(w.registration(taken, code_taken), client);
  BOOST_CHECK_EQUAL(proven.status, 409);
  BOOST_CHECK_EQUAL(proven.body.value("rule", ""), "unique-phone");
}

BOOST_AUTO_TEST_CASE(a_login_with_an_unknown_phone_takes_the_time_of_a_known_one) {
  auto& w = world();
  const auto client = World::via(3);
  const std::string known = w.phone(4);
  w.create_as_operator(known, "known-" + w.run);
  double known_s = 1e9, unknown_s = 1e9;
  for (int i = 0; i < 5; ++i) {
    auto wrong_login = [&](const std::string& phone) {
      return seconds_of([&] { BOOST_CHECK_EQUAL(w.login(phone, "wrong-guess-1", client).status, 401); });
    };
    known_s = std::min(known_s, wrong_login(known));
    unknown_s = std::min(unknown_s, wrong_login(w.phone(5)));
  }
  // Both pay one argon2 verification (without the decoy an unknown phone answers in a few ms) and
  // one login-log command (refused for the unknown phone), neither waiting for a view: the fastest
  // of five of each agree within noise, on both logs.
  BOOST_CHECK_MESSAGE(unknown_s > known_s * 0.6 && unknown_s < known_s * 1.6,
                      "unknown phone " << unknown_s << " s, known " << known_s << " s");
}

BOOST_AUTO_TEST_CASE(common_passwords_are_refused) {
  auto& w = world();
  json body = w.registration(w.phone(6), "123456");
  body["password"] = "12345678";
  auto refused = w.register_account(body, World::via(4));
  BOOST_CHECK_EQUAL(refused.status, 400);
  BOOST_CHECK_EQUAL(refused.body.value("field", ""), "password");
  BOOST_CHECK_EQUAL(refused.body.value("rule", ""), "not-common");
}

BOOST_AUTO_TEST_CASE(code_sends_and_registrations_are_limited_per_client_address) {
  auto& w = world();
  for (int i = 0; i < kAddressLimit; ++i) BOOST_CHECK_EQUAL(w.send_code(w.phone(20 + i), World::via(5)).status, 202);
  auto refused = w.send_code(w.phone(30), World::via(5));
  BOOST_CHECK_EQUAL(refused.status, 429);
  BOOST_CHECK_EQUAL(refused.body.value("field", ""), "client_address");
  BOOST_CHECK_EQUAL(refused.body.value("rule", ""), "code-send-rate");
  BOOST_CHECK(std::stoi(refused.headers["Retry-After"].empty() ? "0" : refused.headers["Retry-After"]) > 0);
  // Another client behind the same proxy is not held up: X-Forwarded-For names the client.
  BOOST_CHECK_EQUAL(w.send_code(w.phone(30), World::via(6)).status, 202);

  for (int i = 0; i < kAddressLimit; ++i)
    BOOST_CHECK_EQUAL(w.register_account(w.registration(w.phone(40 + i), "000000"), World::via(7)).status, 403);
  auto too_many = w.register_account(w.registration(w.phone(50), "000000"), World::via(7));
  BOOST_CHECK_EQUAL(too_many.status, 429);
  BOOST_CHECK_EQUAL(too_many.body.value("rule", ""), "registration-rate");
  BOOST_CHECK(!too_many.headers["Retry-After"].empty());
}

// Last: it stops the server to read its credential store.
BOOST_AUTO_TEST_CASE(a_refused_registration_leaves_no_password_hash) {
  auto& w = world();
  const auto client = World::via(8);
  const std::string key = "hash-" + w.run + "-";
  auto bad_region = w.registration(w.phone(60), "000000");
  bad_region["region"] = "abc";
  BOOST_CHECK_EQUAL(w.register_account(bad_region, World::with_key(client, key + "region")).status, 400);
  auto common = w.registration(w.phone(61), "000000");
  common["password"] = "12345678";
  BOOST_CHECK_EQUAL(w.register_account(common, World::with_key(client, key + "common")).status, 400);
  // Taken, proven by its code: refused before hashing.
  const std::string taken = w.phone(62);
  w.create_as_operator(taken, key + "first");
  BOOST_REQUIRE_EQUAL(w.send_code(taken, client).status, 202);
  auto proven = w.register_account(w.registration(taken, registration_code(w.data, taken)),
                                   World::with_key(client, key + "taken"));
  BOOST_CHECK_EQUAL(proven.status, 409);
  // An administrator's creation the command refuses (the phone is taken): its hash is deleted.
  auto duplicate = http_request(w.server.url(), "POST", "/api/v1/accounts",
                                {{"phone", taken}, {"kind", "enterprise_user"}, {"region", "440300"}},
                                as_operator(w.server, key + "duplicate"));
  BOOST_CHECK_EQUAL(duplicate.status, 409);
  // An accepted one keeps its hash (the check below can see them).
  auto accepted = register_with_code(w.server.url(), w.data, w.registration(w.phone(63), ""),
                                     World::with_key(client, key + "accepted"));
  BOOST_REQUIRE_MESSAGE(accepted.status == 201, accepted.body.dump());

  w.server.kill_with(SIGTERM);
  auto store = xyd::identity::CredentialStore::open(w.data + "/credentials");
  BOOST_REQUIRE_MESSAGE(store.ok(), store.error().message);
  for (const std::string& ref : {"account.register:" + key + "region", "account.register:" + key + "common",
                                 "account.register:" + key + "taken", "account.create:" + key + "duplicate"})
    BOOST_CHECK_MESSAGE(!(*store)->has_password(ref).value(), "a hash was left under " << ref);
  BOOST_CHECK((*store)->has_password("account.register:" + key + "accepted").value());
}

BOOST_AUTO_TEST_SUITE_END()

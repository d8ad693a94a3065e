// Hostile input end to end, through `xyd serve` on the backend under test, as the attacks that
// once stopped it tried it: a wrong JSON type on every route that used to abort the process,
// nesting tens of thousands of levels deep, integers past int64 and amounts past the ceiling.
// Each gets a 4xx naming the field and the rule, nothing is acknowledged that never appears, the
// server stays up, and a restart serves the next request (no bad command is left to choke on).
#define BOOST_TEST_MODULE hostile_input
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <random>

#include "tests/support/server_process.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

struct World {
  std::string data = fresh_dir("hostile");
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  ServerProcess server{data, "hostile-" + run};
  std::string admin_token;
  World() {
    // A system admin (the bootstrap command, before the server holds the data folder).
    const std::string phone = "15" + run + "99";
    auto [status, output] = run_command_line(std::string(XYD_BINARY) + " admin create --phone " + phone + " --data '" +
                                             data + "'" + backend_flags_text() + " 2>&1");
    BOOST_REQUIRE_MESSAGE(status == 0, "xyd admin create failed: " << output);
    const std::string initial = text_after(output, "one-time password: ", 16);
    server.start();
    BOOST_REQUIRE(server.wait_healthy(90s));
    auto login = [&](const std::string& password) {
      HttpReply reply;
      const auto deadline = std::chrono::steady_clock::now() + 60s;
      do {
        reply = http_request(server.url(), "POST", "/api/v1/sessions", {{"phone", phone}, {"password", password}});
      } while (reply.status == 503 && std::chrono::steady_clock::now() < deadline);
      BOOST_REQUIRE_MESSAGE(reply.status == 201, reply.body.dump());
      return reply;
    };
    auto first = login(initial);
    const std::string chosen = "Hostile-admin-" + run + "-Zq7";
    auto changed = http_request(server.url(), "PUT",
                                "/api/v1/accounts/" + first.body["account"]["id"].get<std::string>() + "/password",
                                {{"current_password", initial}, {"new_password", chosen}}, bearer(first.body["token"]));
    BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
    admin_token = login(chosen).body["token"];
  }
  HttpReply as_operator(const std::string& method, const std::string& path, const json& body = nullptr) {
    return http_request(server.url(), method, path, body, bearer(admin_token));
  }
  void expect_refused(const HttpReply& reply, const std::string& field, const std::string& what) {
    BOOST_CHECK_MESSAGE(reply.status == 400, what + ": " + std::to_string(reply.status) + " " + reply.body.dump());
    if (!field.empty()) BOOST_CHECK_MESSAGE(reply.body.value("field", "") == field, what + ": " + reply.body.dump());
    BOOST_CHECK_MESSAGE(reply.body.contains("type") && reply.body.contains("title") && reply.body.contains("rule"),
                        what + " is a problem document naming the rule");
    BOOST_CHECK_MESSAGE(http_request(server.url(), "GET", "/healthz").status == 200, what + ": still serving");
  }
  json institution(const std::string& id, const json& region) {
    return {{"id", id}, {"type", "bank"}, {"full_name", "银行 " + id}, {"short_name", id}, {"region", region}};
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(wrong_types_deep_nesting_and_huge_numbers_are_refused_and_the_server_stays_up) {
  World w;
  // The first crash: a number where a string belongs, by an anonymous caller.
  auto anonymous = http_request(w.server.url(), "POST", "/api/v1/accounts",
                                {{"phone", "15" + w.run + "01"},
                                 {"region", "440300"},
                                 {"institution", 5},
                                 {"password", "a-long-unusual-passphrase-" + w.run}});
  BOOST_CHECK_MESSAGE(anonymous.status >= 400 && anonymous.status < 500, anonymous.body.dump());
  BOOST_CHECK_EQUAL(http_request(w.server.url(), "GET", "/healthz").status, 200);

  w.expect_refused(w.as_operator("POST", "/api/v1/institutions", w.institution("ins-n-" + w.run, 5)), "region",
                   "a number region");
  w.expect_refused(w.as_operator("POST", "/api/v1/institutions", w.institution("ins-a-" + w.run, {"44", "03"})),
                   "region", "an array region");
  w.expect_refused(w.as_operator("POST", "/api/v1/enterprises",
                                 {{"uscc", make_uscc("440300", w.run)}, {"name", "x"}, {"region", 440300}}),
                   "region", "a number enterprise region");
  w.expect_refused(w.as_operator("POST", "/api/v1/products", {{"institution", 5}, {"name", "p"}}), "institution",
                   "a number institution on a product");
  w.expect_refused(w.as_operator("POST", "/api/v1/demands", {{"enterprise", "e"}, {"region", 5}, {"amount", 1}}),
                   "region", "a number demand region");
  // Integers past int64 and amounts past the ceiling are refused, never clamped.
  w.expect_refused(
      http_request(w.server.url(), "POST", "/api/v1/applications/app-x/disbursements",
                   json::parse(R"({"loan_number": "L1", "amount": 9223372036854775807})"), bearer(w.admin_token)),
      "amount", "an amount past the ceiling");
  w.expect_refused(
      http_request(w.server.url(), "POST", "/api/v1/applications/app-x/disbursements",
                   json::parse(R"({"loan_number": "L1", "amount": 18446744073709551615})"), bearer(w.admin_token)),
      "amount", "an amount past int64");

  // Nesting tens of thousands of levels deep: refused before parsing, nothing acknowledged.
  std::string deep = "{\"id\": \"pro-deep-" + w.run + "\", \"admission_rules\": " + std::string(40000, '[') +
                     std::string(40000, ']') + "}";
  auto nested = run_command_line(
      "curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' "
      "-H 'Authorization: Bearer " +
      w.admin_token + "' --data-binary @- " + w.server.url() + "/api/v1/products <<'EOF'\n" + deep + "\nEOF");
  BOOST_CHECK_EQUAL(nested.second, "400");
  BOOST_CHECK_EQUAL(w.as_operator("GET", "/api/v1/products/pro-deep-" + w.run).status, 404);

  // The server is up, serves a good request, and serves again after a restart.
  auto good = w.as_operator("POST", "/api/v1/institutions", w.institution("ins-ok-" + w.run, "440300"));
  BOOST_CHECK_MESSAGE(good.status == 201, good.body.dump());
  w.server.kill_with(SIGTERM);
  w.server.start();
  BOOST_REQUIRE(w.server.wait_healthy());
  auto after = w.as_operator("POST", "/api/v1/institutions", w.institution("ins-ok2-" + w.run, "440300"));
  BOOST_CHECK_MESSAGE(after.status == 201, after.body.dump());
}

BOOST_AUTO_TEST_CASE(open_routes_reveal_no_paths_or_internals) {
  World w;
  auto health = http_request(w.server.url(), "GET", "/healthz");
  BOOST_CHECK_EQUAL(health.status, 200);
  BOOST_CHECK_MESSAGE(health.body.dump().find(w.data) == std::string::npos, health.body.dump());
  // The platform's own staff still see where the log lives.
  auto staff = http_request(w.server.url(), "GET", "/healthz", nullptr, w.server.operator_auth());
  BOOST_CHECK(staff.body["log"].contains("where"));
}

// Route-level cases in process: the whole Server composition (ops/server.h) on a real log and
// real stores, without HTTP, each request answered by api::answer as ApiServer would answer it.
// No process is spawned and no port is taken, so a case costs microseconds: unknown paths and
// methods, OPTIONS and HEAD, who may reach a route, refusals naming their field, a write read back
// with its validator, and every route swept without credentials and with hostile parameters.
#define BOOST_TEST_MODULE routes_in_process
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "api/api_server.h"
#include "ops/command_table.h"
#include "ops/server.h"
#include "tests/support/server_process.h"

using namespace xyd;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// One answer, parsed: the status, headers (names as sent) and the body as JSON when it is.
struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  json document() const { return json::parse(body, nullptr, false); }
  std::string header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  }
};

// A Server on a fresh data folder, started without HTTP; shared by every case of the suite.
struct World {
  std::string data = test::fresh_dir("routes-in-process");
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  std::unique_ptr<ops::Server> server;
  std::string operator_token;

  World() {
    std::vector<std::string> words = {"--data", data, "--node", "in-process-" + run, "--address-limit", "0"};
    for (const auto& flag : test::backend_flags()) words.push_back(flag);
    auto options = ops::parse_cli(words, ops::find_command("serve")->flags);
    BOOST_REQUIRE_MESSAGE(options.ok(), options.error().message);
    auto started = ops::Server::start(*options, /*listen=*/false);
    BOOST_REQUIRE_MESSAGE(started.ok(), started.error().message);
    server = std::move(*started);
    std::ifstream token(data + "/operator-token");
    std::getline(token, operator_token);
    BOOST_REQUIRE(!operator_token.empty());
  }
  ~World() {
    server.reset();
    std::filesystem::remove_all(data);
  }

  Answer call(const std::string& method, const std::string& path, const std::string& body = {},
              std::map<std::string, std::string> headers = {}) {
    api::Request request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.client_address = "127.0.0.1";
    for (auto& [name, value] : headers) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      request.headers[lower] = value;
    }
    auto wire = api::answer(server->router(), request);
    return Answer{wire.status, wire.headers, wire.head ? std::string() : wire.body};
  }
  std::map<std::string, std::string> as_operator(const std::string& idempotency_key = {}) const {
    std::map<std::string, std::string> headers{{"Authorization", "Bearer " + operator_token}};
    if (!idempotency_key.empty()) headers["Idempotency-Key"] = idempotency_key;
    return headers;
  }
};

// Built by the first case that asks, destroyed when the module ends: before static destructors
// run (RocksDB's among them), which the stores' destructors still need.
std::unique_ptr<World> built;
World& world() {
  if (!built) built = std::make_unique<World>();
  return *built;
}
struct TearDown {
  ~TearDown() { built.reset(); }
};
BOOST_TEST_GLOBAL_FIXTURE(TearDown);

// A problem document (RFC 9457) with the given status.
void check_problem(const Answer& answer, int status, const std::string& what) {
  BOOST_CHECK_MESSAGE(answer.status == status, what << ": " << answer.status << " " << answer.body);
  BOOST_CHECK_MESSAGE(answer.header("Content-Type") == "application/problem+json", what << ": " << answer.body);
  const json document = answer.document();
  BOOST_CHECK_MESSAGE(document.is_object() && document.value("status", 0) == status &&
                          document.value("type", std::string()).starts_with("/problems/"),
                      what << ": " << answer.body);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(routes_in_process)

BOOST_AUTO_TEST_CASE(every_route_is_added_once) {
  auto& w = world();
  BOOST_CHECK(w.server->router().duplicate_routes().empty());
  auto routes = w.server->router().route_list();
  std::sort(routes.begin(), routes.end());
  BOOST_CHECK(std::adjacent_find(routes.begin(), routes.end()) == routes.end());
  api::Router router;
  router.add("GET", "/a", [](const api::Request&) -> Result<api::Response> { return api::Response{}; });
  router.add("GET", "/a", [](const api::Request&) -> Result<api::Response> { return api::Response{}; });
  BOOST_CHECK_EQUAL(router.duplicate_routes().size(), 1u);
}

BOOST_AUTO_TEST_CASE(unknown_paths_and_methods) {
  auto& w = world();
  check_problem(w.call("GET", "/api/v1/nothing-here", {}, w.as_operator()), 404, "unknown path");
  const Answer wrong_method = w.call("DELETE", "/api/v1/accounts", {}, w.as_operator());
  check_problem(wrong_method, 405, "DELETE on a collection");
  BOOST_CHECK_EQUAL(wrong_method.header("Allow"), "GET, HEAD, OPTIONS, POST");
  const Answer options = w.call("OPTIONS", "/api/v1/accounts");  // anyone may ask
  BOOST_CHECK_EQUAL(options.status, 204);
  BOOST_CHECK_EQUAL(options.header("Allow"), "GET, HEAD, OPTIONS, POST");
  check_problem(w.call("OPTIONS", "/api/v1/nothing-here"), 404, "OPTIONS on an unknown path");
}

BOOST_AUTO_TEST_CASE(who_may_reach_a_route) {
  auto& w = world();
  check_problem(w.call("GET", "/api/v1/accounts"), 401, "no credentials");
  check_problem(w.call("GET", "/api/v1/accounts", {}, {{"Authorization", "Bearer not-a-token"}}), 401,
                "a made-up token");
  check_problem(w.call("GET", "/api/v1/accounts", {}, {{"X-Api-Key", "xyd_nope"}}), 401, "a made-up machine key");
  BOOST_CHECK_EQUAL(w.call("GET", "/api/v1/accounts", {}, w.as_operator()).status, 200);
  BOOST_CHECK_EQUAL(w.call("GET", "/healthz").status, 200);  // open
}

BOOST_AUTO_TEST_CASE(refusals_name_their_field_and_change_nothing) {
  auto& w = world();
  const Answer not_json = w.call("POST", "/api/v1/accounts", "{not json", w.as_operator("bad-json-" + w.run));
  check_problem(not_json, 400, "a body that is not JSON");
  const Answer bad_phone =
      w.call("POST", "/api/v1/accounts",
             json{{"phone", "12345"}, {"kind", "government_city"}, {"region", "110100"}, {"name", "city"}}.dump(),
             w.as_operator("bad-phone-" + w.run));
  check_problem(bad_phone, 400, "a phone that is not a mobile number");
  BOOST_CHECK_EQUAL(bad_phone.document().value("field", std::string()), "phone");
  const Answer listed = w.call("GET", "/api/v1/accounts", {}, w.as_operator());
  BOOST_REQUIRE_EQUAL(listed.status, 200);
  for (const auto& item : listed.document().value("items", json::array()))
    BOOST_CHECK_NE(item.value("phone", std::string()), "12345");
}

BOOST_AUTO_TEST_CASE(a_write_reads_back_with_its_validator) {
  auto& w = world();
  const std::string phone = "13" + w.run + "77";
  const json body{{"phone", phone}, {"kind", "government_city"}, {"region", "110100"}, {"name", "city in process"}};
  const Answer created = w.call("POST", "/api/v1/accounts", body.dump(), w.as_operator("create-" + w.run));
  BOOST_REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.document().value("id", std::string());
  BOOST_REQUIRE(!id.empty());
  // The same key and body again: the first answer, not a second account.
  const Answer replayed = w.call("POST", "/api/v1/accounts", body.dump(), w.as_operator("create-" + w.run));
  BOOST_CHECK_EQUAL(replayed.status, 201);
  BOOST_CHECK_EQUAL(replayed.document().value("id", std::string()), id);

  Answer read;
  for (int i = 0; i < 100; ++i) {  // the state view follows the log
    read = w.call("GET", "/api/v1/accounts/" + id, {}, w.as_operator());
    if (read.status == 200) break;
    std::this_thread::sleep_for(50ms);
  }
  BOOST_REQUIRE_MESSAGE(read.status == 200, read.body);
  BOOST_CHECK_EQUAL(read.document().value("phone", std::string()), phone);
  const std::string etag = read.header("ETag");
  BOOST_REQUIRE(etag.starts_with("W/\""));
  auto conditional = w.as_operator();
  conditional["If-None-Match"] = etag;
  BOOST_CHECK_EQUAL(w.call("GET", "/api/v1/accounts/" + id, {}, conditional).status, 304);
  const Answer head = w.call("HEAD", "/api/v1/accounts/" + id, {}, w.as_operator());
  BOOST_CHECK_EQUAL(head.status, 200);
  BOOST_CHECK(head.body.empty());
}

// Every route (a streamed body, SSE or export, is not run: answer() returns before the stream),
// without credentials and then as the operator with hostile path parameters and
// bodies: never a 5xx, every refusal a problem document.
BOOST_AUTO_TEST_CASE(every_route_refuses_cleanly) {
  auto& w = world();
  const std::vector<std::string> hostile = {
      "x", std::string("a\0b", 3), std::string(5000, 'a'), "../../etc/passwd", "{}", "\xff\xfe"};
  const std::vector<std::string> bodies = {"", "[]", "null", "{\"a\":" + std::string(200, '[') + "}",
                                           R"({"amount_fen":1e400,"phone":{}})"};
  size_t calls = 0;
  for (const auto& route : w.server->router().route_list()) {
    const auto space = route.find(' ');
    const std::string method = route.substr(0, space);
    const std::string pattern = route.substr(space + 1);
    for (size_t h = 0; h < hostile.size(); ++h) {
      std::string path = pattern;
      for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + hostile[h].size()))
        path.replace(open, path.find('}', open) - open + 1, hostile[h]);
      const bool as_operator = h % 2 == 1;
      const std::string body = method == "GET" || method == "DELETE" ? "" : bodies[h % bodies.size()];
      const Answer answer =
          w.call(method, path, body,
                 as_operator ? w.as_operator("sweep-" + std::to_string(calls)) : std::map<std::string, std::string>{});
      ++calls;
      BOOST_CHECK_MESSAGE(answer.status < 500, route << " as " << path.substr(0, 80) << ": " << answer.status << " "
                                                     << answer.body.substr(0, 300));
      if (answer.status >= 400)
        BOOST_CHECK_MESSAGE(answer.header("Content-Type") == "application/problem+json",
                            route << ": " << answer.status << " without a problem document");
    }
  }
  BOOST_TEST_MESSAGE(calls << " calls over " << w.server->router().route_list().size() << " routes");
  BOOST_CHECK_GT(calls, 300u);
  BOOST_CHECK_EQUAL(w.call("GET", "/healthz").status, 200);  // still serving
}

BOOST_AUTO_TEST_SUITE_END()

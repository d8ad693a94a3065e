// HTTP semantics end to end, against a real `xyd serve` on the embedded log (the behaviour does
// not depend on the log), on the wire through raw sockets: HEAD on every GET route answers as GET
// without a body; a wrong method is 405 with Allow; OPTIONS is 204 with Allow on known paths and 404
// elsewhere; every answer has an IMF-fixdate Date; Accept is negotiated with q-values (exports, the
// SSE feed), 406 when nothing fits, Vary: Accept; ETag and If-None-Match -> 304 on resources and
// read models; Cache-Control private on authenticated reads and no-store on secrets and errors;
// gzip when asked on bodies over 1 KiB, never on SSE; Retry-After on 429; lists page with cursor,
// next_cursor and Link rel="next" (after / next_after still accepted); and every problem type URI
// the server emitted resolves to a page (200).
#define BOOST_TEST_MODULE http_semantics_e2e
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "tests/support/raw_http_client.h"
#include "tests/support/server_process.h"
#include "tests/support/sse_client.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

const std::regex kImfFixdate(
    R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT)");

std::string gunzip(const std::string& bytes) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "";
  std::string out(4 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int done = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return done == Z_STREAM_END ? out : "";
}

struct World {
  std::string data = fresh_dir("http-semantics");
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  std::string routes_file = data + ".routes";
  ServerProcess server{data,
                       "http-" + run,
                       {"--routes-file", routes_file, "--sse-streams-per-caller", "1", "--sse-heartbeat-seconds", "1",
                        "--address-limit", "0"}};
  std::vector<std::pair<std::string, std::string>> routes;  // method, pattern
  std::string auth;                                         // the operator's Authorization value
  std::vector<std::string> accounts;                        // ids, created by the operator
  std::string phone;                                        // of the first one
  std::set<std::string> problem_types;                      // every `type` the server emitted

  World() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(60s), "serve did not come up; see " << data << ".server.log");
    auth = server.operator_auth().at("Authorization");
    std::ifstream in(routes_file);
    for (std::string method, pattern; in >> method >> pattern;) routes.emplace_back(method, pattern);
    BOOST_REQUIRE_MESSAGE(routes.size() > 40, "the server listed " << routes.size() << " routes");
    for (int i = 0; i < 3; ++i) {
      const std::string number = "15" + run + std::to_string(10 + i);
      if (i == 0) phone = number;
      auto created = http_request(
          server.url(), "POST", "/api/v1/accounts",
          {{"phone", number}, {"kind", "government_city"}, {"region", "110100"}, {"name", "city " + std::to_string(i)}},
          as_operator(server, "http-" + run + "-" + std::to_string(i)));
      BOOST_REQUIRE_MESSAGE(created.status == 201, created.body.dump());
      accounts.push_back(created.body["id"]);
    }
  }

  // An exchange whose every answer must carry Date; problem documents' types are collected.
  RawReply call(const std::string& method, const std::string& target, Headers headers = {},
                const std::optional<std::string>& body = std::nullopt, bool as_operator = true) {
    if (as_operator) headers.emplace_back("Authorization", auth);
    if (body) headers.emplace_back("Content-Type", "application/json");
    RawReply reply = exchange(server.port(), method, target, headers, body);
    BOOST_TEST_CONTEXT(method << " " << target) {
      BOOST_CHECK_NE(reply.status, 0);
      BOOST_CHECK_MESSAGE(std::regex_match(reply.header("date"), kImfFixdate),
                          "Date: '" << reply.header("date") << "'");
    }
    if (reply.content_type.starts_with("application/problem+json")) {
      const json doc =
          json::parse(reply.header("content-encoding") == "gzip" ? gunzip(reply.body) : reply.body, nullptr, false);
      if (doc.is_object() && doc.contains("type") && doc["type"].is_string()) problem_types.insert(doc["type"]);
    }
    return reply;
  }
};

World& world() {
  return shared_setup<World>();
}

std::string problem_type(const RawReply& reply) {
  const json doc = json::parse(reply.body, nullptr, false);
  return doc.is_object() && doc.contains("type") && doc["type"].is_string() ? doc["type"].get<std::string>() : "";
}

}  // namespace

BOOST_AUTO_TEST_CASE(head_answers_every_get_route_as_get_without_a_body) {
  auto& w = world();
  int checked = 0;
  for (const auto& [method, pattern] : w.routes) {
    if (method != "GET" || pattern.find("/feeds/") != std::string::npos) continue;  // streams: below
    const std::string path = std::regex_replace(pattern, std::regex(R"(\{[^}]+\})"), w.accounts[0]);
    auto get = w.call("GET", path);
    auto head = w.call("HEAD", path);
    BOOST_TEST_CONTEXT("HEAD " << path) {
      BOOST_CHECK_EQUAL(head.status, get.status);
      BOOST_CHECK_EQUAL(head.body.size(), 0u);
      BOOST_CHECK_EQUAL(head.content_type, get.content_type);
      BOOST_CHECK_EQUAL(head.header("cache-control"), get.header("cache-control"));
      BOOST_CHECK_EQUAL(head.header("vary"), get.header("vary"));
      if (get.status == 200 && !get.content_type.starts_with("text/event-stream")) {
        BOOST_CHECK(!head.header("etag").empty());
        const std::string length = head.header("content-length");
        // /metrics counts every request, the HEAD too: its length moves between two calls.
        if (!length.empty() && path != "/metrics") BOOST_CHECK_EQUAL(length, get.header("content-length"));
      }
    }
    ++checked;
  }
  BOOST_TEST_MESSAGE(checked << " GET routes answered HEAD");
  BOOST_CHECK_GT(checked, 20);
}

BOOST_AUTO_TEST_CASE(a_wrong_method_is_405_with_allow_and_options_lists_the_methods) {
  auto& w = world();
  auto wrong = w.call("DELETE", "/api/v1/version");
  BOOST_CHECK_EQUAL(wrong.status, 405);
  BOOST_CHECK_EQUAL(wrong.header("allow"), "GET, HEAD, OPTIONS");
  BOOST_CHECK_EQUAL(problem_type(wrong), "/problems/method-not-allowed");
  BOOST_CHECK_EQUAL(wrong.header("cache-control"), "no-store");

  auto options = w.call("OPTIONS", "/api/v1/accounts", {}, std::nullopt, false);  // anyone may ask
  BOOST_CHECK_EQUAL(options.status, 204);
  BOOST_CHECK_EQUAL(options.header("allow"), "GET, HEAD, OPTIONS, POST");
  BOOST_CHECK_EQUAL(options.body.size(), 0u);
  auto item = w.call("OPTIONS", "/api/v1/accounts/" + w.accounts[0], {}, std::nullopt, false);
  BOOST_CHECK_EQUAL(item.status, 204);
  BOOST_CHECK_EQUAL(item.header("allow"), "GET, HEAD, OPTIONS");
  auto unknown = w.call("OPTIONS", "/api/v1/no-such-thing", {}, std::nullopt, false);
  BOOST_CHECK_EQUAL(unknown.status, 404);
  BOOST_CHECK_EQUAL(problem_type(unknown), "/problems/not-found");
  BOOST_CHECK(unknown.header("allow").empty());
  auto missing = w.call("GET", "/api/v1/no-such-thing");
  BOOST_CHECK_EQUAL(missing.status, 404);
  BOOST_CHECK_EQUAL(missing.header("cache-control"), "no-store");
}

BOOST_AUTO_TEST_CASE(accept_is_negotiated_with_q_values_and_406_when_nothing_fits) {
  auto& w = world();
  const std::string table = "/api/v1/statistics/institutions";
  auto csv = w.call("GET", table, {{"Accept", "application/json;q=0.5, text/csv"}});
  BOOST_CHECK_EQUAL(csv.status, 200);
  BOOST_CHECK(csv.content_type.starts_with("text/csv"));
  BOOST_CHECK_EQUAL(csv.header("vary"), "Accept");
  auto json_answer = w.call("GET", table, {{"Accept", "text/csv;q=0.1, application/json"}});
  BOOST_CHECK_EQUAL(json_answer.status, 200);
  BOOST_CHECK(json_answer.content_type.starts_with("application/json"));
  BOOST_CHECK(json_answer.header("vary").find("Accept") != std::string::npos);
  auto xlsx = w.call("GET", table, {{"Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}});
  BOOST_CHECK_EQUAL(xlsx.status, 200);
  BOOST_CHECK(xlsx.body.find("PK") != std::string::npos);  // a zip, chunked
  auto wildcard_minus_json = w.call("GET", table, {{"Accept", "*/*, application/json;q=0"}});
  BOOST_CHECK(wildcard_minus_json.content_type.starts_with("text/csv"));
  for (const char* accept : {"text/html", "*/*;q=0", "image/*"}) {
    auto refused = w.call("GET", table, {{"Accept", accept}});
    BOOST_TEST_CONTEXT("Accept: " << accept) {
      BOOST_CHECK_EQUAL(refused.status, 406);
      BOOST_CHECK_EQUAL(problem_type(refused), "/problems/not-acceptable");
    }
  }
  auto feed = w.call("GET", "/api/v1/feeds/risk-warnings", {{"Accept", "application/json"}});
  BOOST_CHECK_EQUAL(feed.status, 406);
}

BOOST_AUTO_TEST_CASE(etags_answer_304_on_resources_and_read_models) {
  auto& w = world();
  for (const std::string& path : {"/api/v1/accounts/" + w.accounts[1], std::string("/api/v1/dashboard")}) {
    BOOST_TEST_CONTEXT(path) {
      auto first = w.call("GET", path);
      BOOST_REQUIRE_EQUAL(first.status, 200);
      const std::string etag = first.header("etag");
      BOOST_CHECK(etag.starts_with("W/\""));
      BOOST_CHECK_EQUAL(first.header("cache-control"), "private, no-cache");  // an authenticated read
      auto again = w.call("GET", path, {{"If-None-Match", etag}});
      BOOST_CHECK_EQUAL(again.status, 304);
      BOOST_CHECK_EQUAL(again.body.size(), 0u);
      BOOST_CHECK_EQUAL(again.header("etag"), etag);
      auto other = w.call("GET", path, {{"If-None-Match", "W/\"something-else\""}});
      BOOST_CHECK_EQUAL(other.status, 200);
    }
  }
  // A change gives a new validator: the old one no longer matches (the first-login password change
  // is an event of the account).
  const std::string path = "/api/v1/accounts/" + w.accounts[2];
  const std::string before = w.call("GET", path).header("etag");
  const std::string phone = "15" + w.run + "12";
  const std::string initial = text_after(last_sms(w.data, phone), "Initial password: ", 16);
  auto session = http_request(w.server.url(), "POST", "/api/v1/sessions", {{"phone", phone}, {"password", initial}});
  BOOST_REQUIRE_MESSAGE(session.status == 201, session.body.dump());
  auto changed = http_request(w.server.url(), "PUT", path + "/password",
                              {{"current_password", initial}, {"new_password", "pw-" + phone + "-chosen"}},
                              bearer(session.body["token"]));
  BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
  BOOST_CHECK_EQUAL(changed.headers["Cache-Control"], "no-store");
  auto after = w.call("GET", path, {{"If-None-Match", before}});
  BOOST_CHECK_EQUAL(after.status, 200);
  BOOST_CHECK_NE(after.header("etag"), before);
}

BOOST_AUTO_TEST_CASE(secrets_are_no_store) {
  auto& w = world();
  const std::string initial = text_after(last_sms(w.data, w.phone), "Initial password: ", 16);
  BOOST_REQUIRE_EQUAL(initial.size(), 16u);
  auto session = w.call("POST", "/api/v1/sessions", {}, json{{"phone", w.phone}, {"password", initial}}.dump(), false);
  BOOST_CHECK_EQUAL(session.status, 201);
  BOOST_CHECK(session.body.find("token") != std::string::npos);
  BOOST_CHECK_EQUAL(session.header("cache-control"), "no-store");
  auto refused = w.call("POST", "/api/v1/sessions", {}, json{{"phone", w.phone}, {"password", "wrong"}}.dump(), false);
  BOOST_CHECK_EQUAL(refused.header("cache-control"), "no-store");
  auto anonymous = w.call("GET", "/api/v1/version", {}, std::nullopt, false);
  BOOST_CHECK_EQUAL(anonymous.header("cache-control"), "no-cache");
}

BOOST_AUTO_TEST_CASE(bodies_over_a_kib_are_gzipped_when_asked_never_streams) {
  auto& w = world();
  auto plain = w.call("GET", "/problems", {{"Accept", "application/json"}});
  BOOST_REQUIRE_EQUAL(plain.status, 200);
  BOOST_REQUIRE_GT(plain.body.size(), 1024u);
  BOOST_CHECK(plain.header("content-encoding").empty());
  BOOST_CHECK(plain.header("vary").find("Accept-Encoding") != std::string::npos);
  auto zipped = w.call("GET", "/problems", {{"Accept", "application/json"}, {"Accept-Encoding", "br;q=1, gzip;q=0.8"}});
  BOOST_CHECK_EQUAL(zipped.header("content-encoding"), "gzip");
  BOOST_CHECK(zipped.header("vary").find("Accept-Encoding") != std::string::npos);
  BOOST_CHECK_LT(zipped.body.size(), plain.body.size());
  BOOST_CHECK_EQUAL(gunzip(zipped.body), plain.body);
  auto refused = w.call("GET", "/problems", {{"Accept", "application/json"}, {"Accept-Encoding", "gzip;q=0"}});
  BOOST_CHECK(refused.header("content-encoding").empty());
  auto small = w.call("GET", "/api/v1/version", {{"Accept-Encoding", "gzip"}});
  BOOST_CHECK(small.header("content-encoding").empty());
}

BOOST_AUTO_TEST_CASE(the_sse_feed_is_never_compressed_and_its_cap_answers_retry_after) {
  auto& w = world();
  // HEAD on the feed: its headers, no stream started (so no slot stays taken).
  auto head = w.call("HEAD", "/api/v1/feeds/risk-warnings", {{"Accept", "text/event-stream"}});
  BOOST_CHECK_EQUAL(head.status, 200);
  BOOST_CHECK(head.content_type.starts_with("text/event-stream"));
  BOOST_CHECK_EQUAL(head.body.size(), 0u);
  SseClient feed(w.server.port(), "/api/v1/feeds/risk-warnings",
                 {{"Authorization", w.auth}, {"Accept-Encoding", "gzip"}});
  BOOST_CHECK_EQUAL(feed.status(), 200);
  BOOST_CHECK(feed.content_type().starts_with("text/event-stream"));
  BOOST_CHECK(!feed.wait_ended(1500ms));  // heartbeats go on, in plain text
  BOOST_CHECK_GE(feed.comments(), 1u);
  // A second stream of the same caller is over its cap of 1: 429 with Retry-After.
  auto over = w.call("GET", "/api/v1/feeds/risk-warnings", {{"Accept", "text/event-stream"}});
  BOOST_CHECK_EQUAL(over.status, 429);
  BOOST_CHECK(!over.header("retry-after").empty());
  BOOST_CHECK_EQUAL(problem_type(over), "/problems/too-many");
}

BOOST_AUTO_TEST_CASE(the_sse_stream_has_no_content_encoding_on_the_wire) {
  auto& w = world();
  RawReply stream;
  for (int attempt = 0; attempt < 50; ++attempt) {  // the previous case's stream frees its slot at a heartbeat
    stream = w.call("GET", "/api/v1/feeds/risk-warnings", {{"Accept-Encoding", "gzip"}});
    if (stream.status != 429) break;
    std::this_thread::sleep_for(200ms);
  }
  BOOST_CHECK_EQUAL(stream.status, 200);
  BOOST_CHECK(stream.content_type.starts_with("text/event-stream"));
  BOOST_CHECK(stream.header("content-encoding").empty());
}

BOOST_AUTO_TEST_CASE(lists_page_with_cursor_next_cursor_and_link) {
  auto& w = world();
  auto first = w.call("GET", "/api/v1/accounts?kind=government_city&limit=1");
  BOOST_REQUIRE_EQUAL(first.status, 200);
  const json page = json::parse(first.body);
  BOOST_REQUIRE(page["next_cursor"].is_string());
  BOOST_CHECK_EQUAL(page["next_after"], page["next_cursor"]);
  const std::string link = first.header("link");
  std::smatch found;
  BOOST_REQUIRE_MESSAGE(std::regex_match(link, found, std::regex(R"(<([^>]+)>; rel="next")")), "Link: " << link);
  const std::string next_target = found[1];
  BOOST_CHECK(next_target.find("kind=government_city") != std::string::npos);
  BOOST_CHECK(next_target.find("limit=1") != std::string::npos);
  auto second = w.call("GET", next_target);
  BOOST_REQUIRE_EQUAL(second.status, 200);
  const json next = json::parse(second.body);
  BOOST_REQUIRE_EQUAL(next["items"].size(), 1u);
  BOOST_CHECK_NE(next["items"][0]["id"], page["items"][0]["id"]);
  // The deprecated ?after= still pages the same way.
  auto legacy =
      w.call("GET", "/api/v1/accounts?kind=government_city&limit=1&after=" + page["next_cursor"].get<std::string>());
  BOOST_CHECK_EQUAL(json::parse(legacy.body)["items"], next["items"]);
  // The last page has no next.
  auto all = w.call("GET", "/api/v1/accounts?kind=government_city&limit=1000");
  BOOST_CHECK(json::parse(all.body)["next_cursor"].is_null());
  BOOST_CHECK(all.header("link").empty());
}

// Last: every problem type this run saw (and every one the index lists) resolves to a page.
BOOST_AUTO_TEST_CASE(every_problem_type_emitted_resolves_to_a_page) {
  auto& w = world();
  w.call("POST", "/api/v1/accounts", {}, std::string("{not json"));
  w.call("GET", "/api/v1/accounts", {}, std::nullopt, false);  // 401
  auto index = w.call("GET", "/problems", {{"Accept", "application/json"}});
  BOOST_REQUIRE_EQUAL(index.status, 200);
  std::set<std::string> listed;
  const json pages = json::parse(index.body);
  for (const auto& item : pages["items"]) listed.insert(item["type"].get<std::string>());
  BOOST_CHECK_GE(w.problem_types.size(), 5u);
  for (const auto& type : w.problem_types) BOOST_CHECK_MESSAGE(listed.contains(type), type << " is not listed");
  std::set<std::string> all = listed;
  all.insert(w.problem_types.begin(), w.problem_types.end());
  for (const auto& type : all) {
    BOOST_TEST_CONTEXT(type) {
      BOOST_REQUIRE(type.starts_with("/problems/"));
      auto html = w.call("GET", type, {{"Accept", "text/html"}}, std::nullopt, false);
      BOOST_CHECK_EQUAL(html.status, 200);
      BOOST_CHECK(html.content_type.starts_with("text/html"));
      BOOST_CHECK(html.body.find("What to do") != std::string::npos);
      auto as_json = w.call("GET", type, {{"Accept", "application/json"}}, std::nullopt, false);
      BOOST_CHECK_EQUAL(as_json.status, 200);
      BOOST_CHECK_EQUAL(json::parse(as_json.body, nullptr, false).value("type", ""), type);
    }
  }
  BOOST_CHECK_EQUAL(w.call("GET", "/problems/no-such-problem", {}, std::nullopt, false).status, 404);
}

// A bounded, seeded HTTP fuzzer over every route of `xyd serve` (the list the server writes with
// --routes-file), against a small demo on the embedded log, as the demo's system admin and as an
// anonymous caller. Each request is a route with junk or real path parameters and hostile query
// values, and a mutated body: wrong JSON types for each field, huge, negative and overflowing
// integers, long strings, deep nesting, ill-formed UTF-8, missing and non-object bodies, wrong
// content types. Asserted: no 5xx, an answer to every request, every 4xx an
// application/problem+json document, and the server alive (healthz) after each batch. Every
// finding is printed (route, request, answer); a request that kills the server is named, and the
// server is started again to go on. Requests are sent as raw bytes over a socket.
#define BOOST_TEST_MODULE http_fuzz
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cctype>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/raw_http_client.h"
#include "tests/support/server_process.h"

namespace {

using namespace xyd::test;
using nlohmann::json;

constexpr int kRequests = 1500;
constexpr int kBatch = 100;

// What the fuzzer sends and what came back, for the report.
struct Finding {
  std::string route, request, answer;
};

std::string excerpt(const std::string& text, size_t max = 300) {
  std::string out;
  for (char c : text.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f)
      out += c;
    else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    }
  }
  return text.size() > max ? out + "...(" + std::to_string(text.size()) + " bytes)" : out;
}

// Field names the platform's bodies use (commands, routes, connectors).
const std::vector<std::string> kFields = {"phone",
                                          "password",
                                          "current_password",
                                          "new_password",
                                          "kind",
                                          "region",
                                          "name",
                                          "institution",
                                          "enterprise",
                                          "product",
                                          "application",
                                          "demand",
                                          "manager",
                                          "owner",
                                          "uscc",
                                          "amount",
                                          "intended_amount",
                                          "rate_bp",
                                          "term_months",
                                          "amount_min",
                                          "amount_max",
                                          "rate_min_bp",
                                          "rate_max_bp",
                                          "term_min_months",
                                          "term_max_months",
                                          "product_type",
                                          "purpose",
                                          "reason",
                                          "reasons",
                                          "decision",
                                          "comment",
                                          "note",
                                          "changes",
                                          "field",
                                          "after",
                                          "before",
                                          "type",
                                          "short_name",
                                          "full_name",
                                          "industry",
                                          "registered_capital",
                                          "founded_on",
                                          "service_regions",
                                          "admission_rules",
                                          "docking_mode",
                                          "online_link",
                                          "url",
                                          "events",
                                          "secret",
                                          "serial",
                                          "credit_number",
                                          "loan_number",
                                          "granted_at",
                                          "valid_until",
                                          "disbursed_at",
                                          "maturity",
                                          "repayment_method",
                                          "installment",
                                          "principal",
                                          "interest",
                                          "penalty",
                                          "paid_at",
                                          "days_past_due",
                                          "overdue_principal",
                                          "as_of",
                                          "grade",
                                          "score",
                                          "model_version",
                                          "signal_type",
                                          "severity",
                                          "observed_at",
                                          "description",
                                          "source",
                                          "record_id",
                                          "schema",
                                          "channel",
                                          "to",
                                          "code",
                                          "ttl_seconds",
                                          "agreement_version",
                                          "agreement_read_seconds",
                                          "id",
                                          "scale",
                                          "parent"};

// JSON value texts, many of them of the wrong type for any one field.
std::vector<std::string> hostile_values() {
  std::vector<std::string> values = {"null",
                                     "true",
                                     "false",
                                     "0",
                                     "-1",
                                     "5",
                                     "1.5",
                                     "-0",
                                     "1e308",
                                     "1e400",
                                     "9223372036854775807",
                                     "9223372036854775808",
                                     "-9223372036854775808",
                                     "-9223372036854775809",
                                     "18446744073709551616",
                                     "123456789012345678901234567890",
                                     "\"\"",
                                     "\"x\"",
                                     "\"110000\"",
                                     "\"999999\"",
                                     "\"2025-02-30\"",
                                     "\"2025-03-01\"",
                                     "\"\\u0000\"",
                                     "\"\\ud800\"",
                                     "\"\xff\xfe\"",
                                     "\"\xc3\x28\"",
                                     "\"\xed\xa0\x80\"",
                                     "[]",
                                     "[1,\"a\",null]",
                                     "{}",
                                     "{\"a\":{\"b\":[]}}",
                                     "\"system_admin\"",
                                     "\"enterprise_user\"",
                                     "\"13800000000\"",
                                     "\"http://127.0.0.1:1/\"",
                                     "\"../../etc/passwd\"",
                                     "\"<script>\""};
  values.push_back("\"" + std::string(300, 'x') + "\"");
  values.push_back("\"" + std::string(70000, 'y') + "\"");
  values.push_back(std::string(40, '[') + std::string(40, ']'));
  std::string deep_object;
  for (int i = 0; i < 40; ++i) deep_object += "{\"a\":";
  values.push_back(deep_object + "1" + std::string(40, '}'));
  return values;
}

const std::vector<std::string> kPathJunk = {"",
                                            "%00",
                                            "..",
                                            "%2e%2e",
                                            "a%2Fb",
                                            "-1",
                                            "0",
                                            "99999999999999999999999",
                                            "null",
                                            "%7Bid%7D",
                                            "%ZZ",
                                            "%C3%28",
                                            "%FF%FE",
                                            "%C3%BC",
                                            "'%20OR%201=1--",
                                            "ent-",
                                            "app-%00",
                                            std::string(3000, 'x'),
                                            "\xff",
                                            "app-1;rm"};
const std::vector<std::string> kQueryNames = {"cursor", "limit",  "from",  "to",          "scope", "class",
                                              "after",  "top",    "date",  "year",        "month", "format",
                                              "region", "status", "actor", "institution", "as_of", "q"};
const std::vector<std::string> kQueryValues = {"-1",  "0",     "99999999999999999999", "abc", "%FF",
                                               "",    "1e308", "2025-13-45",           "CN",  "110000",
                                               "csv", "xlsx",  std::string(2000, 'q'), "%00", "null"};

// The demo's server, its routes, and who calls them.
struct World {
  std::string data = fresh_dir("http-fuzz");
  std::string routes_file = data + ".routes";
  ServerProcess server{data, "fuzz", {"--routes-file", routes_file, "--address-limit", "0"}};
  std::vector<std::pair<std::string, std::string>> routes;  // method, pattern
  std::string admin_phone, admin_password, admin_token;
  std::map<std::string, std::set<std::string>> ids;  // by collection ("enterprises"), from the demo

  World() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(), "xyd serve did not start");
    std::tie(admin_phone, admin_password) = run_demo(server, 5, 12);
    log_in();
    BOOST_REQUIRE(!admin_token.empty());
    std::ifstream in(routes_file);
    for (std::string method, pattern; in >> method >> pattern;) routes.emplace_back(method, pattern);
    BOOST_REQUIRE_MESSAGE(routes.size() > 40, "the server listed " << routes.size() << " routes");
    harvest_ids();
  }

  void log_in() {
    const json body = {{"phone", admin_phone}, {"password", admin_password}};
    auto reply =
        exchange(server.port(), "POST", "/api/v1/sessions", {{"Content-Type", "application/json"}}, body.dump());
    const json answer = json::parse(reply.body, nullptr, false);
    if (reply.status == 201 && answer.is_object() && answer.contains("token") && answer["token"].is_string())
      admin_token = answer["token"].get<std::string>();
  }

  // Real identifiers for path parameters: every string under "id" or "code" the list routes answer.
  void harvest_ids() {
    for (const auto& [method, pattern] : routes) {
      if (method != "GET" || pattern.find('{') != std::string::npos || !pattern.starts_with("/api/v1/")) continue;
      if (pattern.find("stream") != std::string::npos || pattern.find("export") != std::string::npos) continue;
      auto reply = exchange(server.port(), "GET", pattern, {{"Authorization", "Bearer " + admin_token}}, std::nullopt);
      const json body = json::parse(reply.body, nullptr, false);
      if (reply.status != 200 || !body.is_object() || !body.contains("items") || !body["items"].is_array()) continue;
      const std::string collection = pattern.substr(8, pattern.find('/', 8) - 8);
      for (const auto& item : body["items"])
        for (const char* key : {"id", "code"})
          if (item.is_object() && item.contains(key) && item[key].is_string())
            ids[collection].insert(item[key].get<std::string>());
    }
  }
};

// The seeded generator of requests.
class Mutator {
 public:
  Mutator(const World& world, uint64_t seed) : world_(world), random_(seed), values_(hostile_values()) {}

  struct Request {
    std::string method, target, route;
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<std::string> body;
    bool as_admin = false;
  };

  Request next(size_t route_index) {
    const auto& [method, pattern] = world_.routes[route_index % world_.routes.size()];
    Request request;
    request.method = method;
    request.route = method + " " + pattern;
    request.target = fill_path(pattern) + query();
    request.as_admin = chance(0.6);
    if (request.as_admin) request.headers.push_back({"Authorization", "Bearer " + world_.admin_token});
    if (method == "GET" && chance(0.8)) return request;
    make_body(request);
    return request;
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(random_) < p; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(random_)];
  }

  std::string fill_path(const std::string& pattern) {
    std::string out, previous;
    std::istringstream parts(pattern);
    for (std::string part; std::getline(parts, part, '/');) {
      if (part.empty()) continue;
      if (part.front() == '{') {
        auto known = world_.ids.find(previous);
        if (known != world_.ids.end() && !known->second.empty() && chance(0.6)) {
          std::vector<std::string> choices(known->second.begin(), known->second.end());
          out += "/" + pick(choices);
        } else {
          out += "/" + pick(kPathJunk);
        }
      } else {
        out += "/" + part;
      }
      previous = part;
    }
    return out.empty() ? "/" : out;
  }

  std::string query() {
    if (!chance(0.4)) return "";
    std::string q;
    for (int i = 0, n = 1 + static_cast<int>(random_() % 3); i < n; ++i)
      q += (i ? "&" : "?") + pick(kQueryNames) + "=" + pick(kQueryValues);
    return q;
  }

  std::string object_of_fields() {
    std::string body = "{";
    for (int i = 0, n = 1 + static_cast<int>(random_() % 6); i < n; ++i)
      body += (i ? "," : "") + std::string("\"") + pick(kFields) + "\":" + pick(values_);
    return body + "}";
  }

  void make_body(Request& request) {
    std::string content_type = "application/json";
    switch (random_() % 10) {
      case 0:
      case 1:
      case 2:
      case 3:
        request.body = object_of_fields();
        break;
      case 4:
        request.body = pick(std::vector<std::string>{"{", "{\"a\":}", "nul", "{\"a\" 1}", "[1,]", "\xff\xfe{}",
                                                     "{\"a\":\"\\x\"}", "{\"a\":1}{\"b\":2}"});
        break;
      case 5: {
        const size_t depth = pick(std::vector<size_t>{33, 100, 10000, 100000});
        request.body = chance(0.5) ? std::string(depth, '[') + std::string(depth, ']') : [&] {
          std::string s;
          for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
          return s + "1" + std::string(depth, '}');
        }();
        break;
      }
      case 6:
        request.body = pick(std::vector<std::string>{"[]", "5", "\"text\"", "null", "true", "[{}]"});
        break;
      case 7:
        request.body = chance(0.5) ? std::optional<std::string>() : std::string();
        break;
      case 8:
        request.body = "{\"" + pick(kFields) + "\":\"" + std::string(chance(0.5) ? 200000 : 1100000, 'z') + "\"}";
        break;
      case 9:
        request.body = object_of_fields();
        content_type = pick(std::vector<std::string>{"text/plain", "application/x-www-form-urlencoded",
                                                     "multipart/form-data; boundary=x",
                                                     "application/json; charset=latin1", "\xff"});
        break;
    }
    if (request.body) request.headers.push_back({"Content-Type", content_type});
  }

  const World& world_;
  std::mt19937_64 random_;
  std::vector<std::string> values_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(http_fuzz)

// A request target the HTTP library (cpprestsdk) refuses itself, before any route runs: raw bytes
// outside printable ASCII, or a '%' not followed by two hex digits. It answers a bare 400, which
// we cannot shape into a problem document; it must still be a 400, never a 5xx or a death.
bool malformed_target(const std::string& target) {
  for (size_t i = 0; i < target.size(); ++i) {
    const auto c = static_cast<unsigned char>(target[i]);
    if (c <= 0x20 || c >= 0x7f) return true;
    if (c == '%' && (i + 2 >= target.size() || !std::isxdigit(static_cast<unsigned char>(target[i + 1])) ||
                     !std::isxdigit(static_cast<unsigned char>(target[i + 2]))))
      return true;
  }
  return false;
}

BOOST_AUTO_TEST_CASE(every_route_answers_mutated_requests_without_a_5xx_and_stays_up) {
  World world;
  Mutator mutator(world, 20261207);
  std::vector<Finding> findings;
  std::map<std::string, int> per_route;
  int sent = 0, five_xx = 0, no_answer = 0, not_problem = 0, deaths = 0;
  auto note = [&](const Mutator::Request& request, const std::string& what, const RawReply& reply) {
    findings.push_back(
        {request.route,
         request.method + " " + excerpt(request.target, 120) + (request.as_admin ? " (admin)" : " (anonymous)") +
             " body " + (request.body ? excerpt(*request.body, 160) : "none"),
         what + ": " + std::to_string(reply.status) + " " + reply.content_type + " " + excerpt(reply.body)});
    ++per_route[request.route];
    BOOST_TEST_MESSAGE("finding on " << findings.back().route << "\n  request " << findings.back().request
                                     << "\n  answer  " << findings.back().answer);
  };
  for (int batch = 0; batch * kBatch < kRequests; ++batch) {
    world.log_in();  // a request may have ended the admin's session
    for (int i = 0; i < kBatch && sent < kRequests; ++i, ++sent) {
      const auto request = mutator.next(static_cast<size_t>(sent));
      const RawReply reply =
          exchange(world.server.port(), request.method, request.target, request.headers, request.body);
      if (reply.status == 0) {
        if (http_request(world.server.url(), "GET", "/healthz", nullptr, {}, std::chrono::seconds(5)).status != 200) {
          ++deaths;
          note(request, "KILLED THE SERVER", reply);
          world.server.kill_with(SIGKILL);
          world.server.start();
          BOOST_REQUIRE_MESSAGE(world.server.wait_healthy(std::chrono::seconds(60)),
                                "xyd serve does not start again after " << findings.back().request);
          world.log_in();
        } else {
          ++no_answer;
          note(request, "no answer", reply);
        }
      } else if (reply.status >= 500) {
        ++five_xx;
        note(request, "5xx", reply);
      } else if (reply.status >= 400 && malformed_target(request.target)) {
        if (reply.status != 400) {
          ++not_problem;
          note(request, "a malformed request target that is not a 400", reply);
        }
      } else if (reply.status >= 400) {
        const json problem = json::parse(reply.body, nullptr, false);
        if (!reply.content_type.starts_with("application/problem+json") || !problem.is_object() ||
            !problem.contains("status")) {
          ++not_problem;
          note(request, "4xx that is not a problem document", reply);
        }
      }
    }
    BOOST_REQUIRE_MESSAGE(http_request(world.server.url(), "GET", "/healthz").status == 200,
                          "the server is not healthy after batch " << batch);
  }
  for (const auto& [route, count] : per_route) BOOST_TEST_MESSAGE("findings by route: " << count << "  " << route);
  BOOST_TEST_MESSAGE(sent << " requests over " << world.routes.size() << " routes: " << five_xx << " 5xx, " << deaths
                          << " server deaths, " << no_answer << " without an answer, " << not_problem
                          << " 4xx that are not problem documents");
  BOOST_CHECK_EQUAL(deaths, 0);
  BOOST_CHECK_EQUAL(five_xx, 0);
  BOOST_CHECK_EQUAL(no_answer, 0);
  BOOST_CHECK_EQUAL(not_problem, 0);
}

BOOST_AUTO_TEST_SUITE_END()

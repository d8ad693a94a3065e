// Metrics, probes and logs end to end through `xyd serve` on the backend under test: a request id
// sent in comes back, is in the access-log line (JSON, with route template, status, latency and
// principal; no token) and is the correlation id of the command's events in the audit view; an
// invalid one is replaced; a traceparent keeps its trace id. /livez, /readyz and /healthz answer;
// /metrics after that traffic passes `promtool check metrics` and names every family with counts
// where traffic happened (on Kafka, the processor group's consumer lag too), and is refused to a
// non-loopback client that is not staff.
#define BOOST_TEST_MODULE telemetry_e2e
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/support/backend.h"
#include "tests/support/server_process.h"
#include "tests/support/write_side_checks.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

struct World {
  std::string data = fresh_dir("telemetry");
  // Behind a "proxy" on loopback, so a test can present another client address with X-Forwarded-For.
  ServerProcess server{data,
                       "telemetry-" + std::to_string(getpid()),
                       {"--log-format", "json", "--log-level", "info", "--trusted-proxies", "127.0.0.1"}};
  World() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "serve did not come up; see " << data << ".server.log");
  }
  std::string log_text() const {
    std::ifstream in(data + ".server.log");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
};

// A sample's value in a scrape ("name{labels} value"), or -1 when the line is missing.
double sample(const std::string& scrape, const std::string& series) {
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  return -1;
}

bool has_family(const std::string& scrape, const std::string& name) {
  return scrape.find("# TYPE " + name + " ") != std::string::npos;
}

const std::regex kHex32("[0-9a-f]{32}");
const std::regex kTraceparent("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

}  // namespace

BOOST_AUTO_TEST_CASE(a_request_id_is_echoed_logged_and_carried_into_the_commands_correlation_id) {
  auto& w = shared_setup<World>();
  const std::string request_id = "e2e-" + std::to_string(getpid()) + "-account";
  const std::string phone = phone_of(random_phone_prefix(), 1);
  auto headers = as_operator(w.server, "telemetry-" + phone);
  headers["X-Request-Id"] = request_id;
  auto created = http_request(w.server.url(), "POST", "/api/v1/accounts", registration(phone), headers);
  BOOST_REQUIRE_MESSAGE(created.status == 201, created.body.dump());
  BOOST_CHECK_EQUAL(created.headers["X-Request-Id"], request_id);
  BOOST_CHECK(std::regex_match(created.headers["traceparent"], kTraceparent));
  const std::string account = created.body["id"];

  // The audit view shows the request id as the correlation id of the account's first event.
  json items;
  for (int i = 0; i < 100 && items.empty(); ++i) {
    auto audit =
        http_request(w.server.url(), "GET", "/api/v1/audit/account/" + account, nullptr, w.server.operator_auth());
    if (audit.status == 200)
      items = audit.body["items"];
    else
      std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_MESSAGE(!items.empty(), "the audit view never showed account " << account);
  BOOST_CHECK_EQUAL(items[0].value("correlation_id", ""), request_id);

  // One JSON access-log line for the request, by route template, without the token.
  const std::string log = w.log_text();
  bool found = false;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("xyd ") && line.find(" serving on ") != std::string::npos) continue;  // stdout's banner
    auto entry = json::parse(line, nullptr, false);
    BOOST_REQUIRE_MESSAGE(entry.is_object(), "a stderr line is not JSON: " << line);
    if (entry.value("component", "") != "access" || entry.value("request_id", "") != request_id) continue;
    found = true;
    BOOST_CHECK_EQUAL(entry.value("method", ""), "POST");
    BOOST_CHECK_EQUAL(entry.value("route", ""), "/api/v1/accounts");
    BOOST_CHECK_EQUAL(entry.value("status", 0), 201);
    BOOST_CHECK_EQUAL(entry.value("principal", ""), "operator");
    BOOST_CHECK(entry.contains("latency_ms") && entry["latency_ms"].is_number());
    BOOST_CHECK(entry.value("level", "") == "info");
  }
  BOOST_CHECK_MESSAGE(found, "no access-log line with request id " << request_id);
  const std::string token = w.server.operator_auth().at("Authorization").substr(7);
  BOOST_CHECK_MESSAGE(log.find(token) == std::string::npos, "the operator token reached the log");
}

// A body refused before any route runs (too large) still carries its request id, back to the
// caller and into an access-log line.
BOOST_AUTO_TEST_CASE(a_refused_body_is_observed_like_any_request) {
  auto& w = shared_setup<World>();
  const std::string request_id = "e2e-" + std::to_string(getpid()) + "-too-large";
  const json body = {{"phone", std::string((1 << 20) + 16, '1')}};
  auto refused = http_request(w.server.url(), "POST", "/api/v1/accounts", body, {{"X-Request-Id", request_id}});
  BOOST_CHECK_EQUAL(refused.status, 413);
  BOOST_CHECK_EQUAL(refused.headers["X-Request-Id"], request_id);
  bool found = false;
  std::istringstream lines(w.log_text());
  for (std::string line; std::getline(lines, line);) {
    auto entry = json::parse(line, nullptr, false);
    if (!entry.is_object() || entry.value("component", "") != "access" || entry.value("request_id", "") != request_id)
      continue;
    found = true;
    BOOST_CHECK_EQUAL(entry.value("status", 0), 413);
  }
  BOOST_CHECK_MESSAGE(found, "no access-log line with request id " << request_id);
}

BOOST_AUTO_TEST_CASE(invalid_request_ids_are_replaced_and_a_trace_is_carried) {
  auto& w = shared_setup<World>();
  auto bad = http_request(w.server.url(), "GET", "/livez", nullptr, {{"X-Request-Id", "not valid; has spaces"}});
  BOOST_CHECK_EQUAL(bad.status, 200);
  BOOST_CHECK(std::regex_match(bad.headers["X-Request-Id"], kHex32));
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto traced =
      http_request(w.server.url(), "GET", "/livez", nullptr, {{"traceparent", "00-" + trace + "-00f067aa0ba902b7-01"}});
  BOOST_CHECK_EQUAL(traced.headers["X-Request-Id"], trace);
  BOOST_CHECK(traced.headers["traceparent"].starts_with("00-" + trace + "-"));
  BOOST_CHECK(!traced.headers["traceparent"].ends_with("-00f067aa0ba902b7-01"));
}

BOOST_AUTO_TEST_CASE(probes_answer) {
  auto& w = shared_setup<World>();
  BOOST_CHECK_EQUAL(http_request(w.server.url(), "GET", "/livez").status, 200);
  BOOST_CHECK_EQUAL(http_request(w.server.url(), "GET", "/healthz").status, 200);
  HttpReply ready;
  for (int i = 0; i < 100; ++i) {
    ready = http_request(w.server.url(), "GET", "/readyz");
    if (ready.status == 200) break;
    BOOST_CHECK_EQUAL(ready.status, 503);
    BOOST_CHECK(!ready.headers["Retry-After"].empty());
    std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_MESSAGE(ready.status == 200, ready.body.dump());
  BOOST_CHECK_EQUAL(ready.body["checks"]["views"], "ok");
  BOOST_CHECK_EQUAL(ready.body["checks"]["log"], "ok");
}

BOOST_AUTO_TEST_CASE(metrics_pass_promtool_and_count_the_traffic) {
  auto& w = shared_setup<World>();
  const std::string phone = phone_of(random_phone_prefix(), 2);
  auto created = http_request(w.server.url(), "POST", "/api/v1/accounts", registration(phone),
                              as_operator(w.server, "telemetry-" + phone));
  BOOST_REQUIRE_MESSAGE(created.status == 201, created.body.dump());
  const std::string account = created.body["id"];
  (void)http_request(w.server.url(), "GET", "/api/v1/audit/account/" + account, nullptr, w.server.operator_auth());

  std::string scrape;
  const bool kafka = on_kafka();
  for (int i = 0; i < 150; ++i) {  // on Kafka, the consumer statistics come every 5 s
    auto reply = http_request(w.server.url(), "GET", "/metrics");
    BOOST_REQUIRE_EQUAL(reply.status, 200);
    BOOST_CHECK(reply.headers["Content-Type"].starts_with("text/plain; version=0.0.4"));
    scrape = reply.raw;
    if (!kafka || scrape.find("xyd_kafka_consumer_lag{group=\"xyd-processor") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  const std::string file = w.data + ".metrics.txt";
  std::ofstream(file) << scrape;
  auto [status, output] = run_command_line("promtool check metrics < '" + file + "' 2>&1");
  BOOST_CHECK_MESSAGE(status == 0, "promtool check metrics failed (" << status << "): " << output);

  for (const char* family :
       {"xyd_http_requests_total", "xyd_http_request_duration_seconds", "xyd_commands_total",
        "xyd_command_decide_duration_seconds", "xyd_command_ack_duration_seconds", "xyd_processor_batch_commands",
        "xyd_log_append_duration_seconds", "xyd_projection_lag_events", "xyd_projection_lag_seconds",
        "xyd_webhook_deliveries_total", "xyd_dead_letters_total", "xyd_sse_open_streams", "xyd_rocksdb_bytes"})
    BOOST_CHECK_MESSAGE(has_family(scrape, family), "no family " << family);
  BOOST_CHECK_GE(sample(scrape, R"(xyd_http_requests_total{method="POST",route="/api/v1/accounts",status="201"})"), 2);
  BOOST_CHECK_GE(
      sample(scrape, R"(xyd_http_requests_total{method="GET",route="/api/v1/audit/{type}/{id}",status="200"})"), 1);
  BOOST_CHECK_GE(sample(scrape, R"(xyd_http_request_duration_seconds_count{method="POST",route="/api/v1/accounts"})"),
                 2);
  BOOST_CHECK_GE(sample(scrape, R"(xyd_commands_total{outcome="accepted",type="CreateAccount"})"), 2);
  BOOST_CHECK_GE(sample(scrape, R"(xyd_command_decide_duration_seconds_count{type="CreateAccount"})"), 2);
  BOOST_CHECK_GE(sample(scrape, R"(xyd_command_ack_duration_seconds_count{type="CreateAccount"})"), 2);
  BOOST_CHECK_GE(sample(scrape, "xyd_processor_batch_commands_count"), 1);
  BOOST_CHECK_GE(sample(scrape, "xyd_log_append_duration_seconds_count"), 1);
  BOOST_CHECK_GE(sample(scrape, R"(xyd_projection_lag_events{projection="audit"})"), 0);
  BOOST_CHECK_GE(sample(scrape, R"(xyd_projection_lag_seconds{projection="audit"})"), 0);
  BOOST_CHECK_GT(sample(scrape, R"(xyd_rocksdb_bytes{property="rocksdb.cur-size-all-mem-tables",store="projections"})"),
                 0);
  BOOST_CHECK_EQUAL(sample(scrape, "xyd_sse_open_streams"), 0);
  // Every store of the data folder, by its bytes on disk (the embedded log only on that log).
  for (const char* store : {"state", "credentials", "projections"})
    BOOST_CHECK_GT(sample(scrape, "xyd_rocksdb_disk_bytes{store=\"" + std::string(store) + "\"}"), 0);
  if (!kafka) BOOST_CHECK_GT(sample(scrape, R"(xyd_rocksdb_disk_bytes{store="log"})"), 0);
  // A family shows once it has a sample: a rebuild's progress only during a rebuild, consumer lag
  // only on Kafka (the embedded log has no consumer groups).
  BOOST_CHECK_MESSAGE(has_family(scrape, "xyd_kafka_consumer_lag") == kafka, "consumer lag shown on the wrong log");
  if (kafka)
    BOOST_CHECK_MESSAGE(scrape.find("xyd_kafka_consumer_lag{group=\"xyd-processor") != std::string::npos,
                        "no consumer lag of the processor's group");
  // Route templates only: the raw path (with the account id) never becomes a label.
  BOOST_CHECK(scrape.find(account) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(metrics_are_refused_to_a_remote_client_that_is_not_staff) {
  auto& w = shared_setup<World>();
  auto remote = http_request(w.server.url(), "GET", "/metrics", nullptr, {{"X-Forwarded-For", "203.0.113.5"}});
  BOOST_CHECK_EQUAL(remote.status, 403);
  BOOST_CHECK_EQUAL(remote.body.value("rule", ""), "metrics-reader");
  auto headers = w.server.operator_auth();
  headers["X-Forwarded-For"] = "203.0.113.5";
  BOOST_CHECK_EQUAL(http_request(w.server.url(), "GET", "/metrics", nullptr, headers).status, 200);
}

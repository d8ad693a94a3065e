// What Kafka's own ecosystem sees of xyd, end to end through `xyd serve` on the real broker:
// - every record of every topic xyd writes (after `xyd demo`, a malformed command and a malformed
//   data-source record, so dead letters and risk warnings too) is a valid CloudEvent for the
//   Python CloudEvents SDK (tests/events/cloudevents_check.py, in the venv ops/setup.sh makes);
// - at rest, the committed offsets of xyd's consumer groups, the followers' mirrored groups
//   included, reach the end offsets, as Kafka's AdminClient reads them (lag 0), and `xyd
//   projections` shows the followers;
// - with the broker down, a write answers 503 with Retry-After within the write timeout and a
//   body naming no broker, transactional id or librdkafka text; reads and /healthz go on; with
//   the broker back, writes succeed again and what was acknowledged before is still there.
#define BOOST_TEST_MODULE ecosystem_kafka
#include <signal.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <filesystem>
#include <regex>
#include <thread>

#include "events/codec.h"
#include "tests/support/server_process.h"
#include "tests/support/write_side_checks.h"

using namespace std::chrono_literals;
using namespace xyd;
using namespace xyd::test;
using nlohmann::json;

namespace {

constexpr int kWriteTimeoutSeconds = 2;

std::string python() {
  const std::string path = XYD_VENV_PYTHON;
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(path),
                        path << " is missing: ops/setup.sh makes the tests' venv (CloudEvents SDK, Kafka client)");
  return path;
}

std::string brokers() {
  const char* b = std::getenv("XYD_TEST_KAFKA");
  BOOST_REQUIRE_MESSAGE(b && *b, "XYD_TEST_KAFKA is not set: ops/test.sh starts the broker these tests need");
  return b;
}

json run_checker(const std::string& arguments) {
  auto [status, output] =
      run_command_line(python() + " " + XYD_CLOUDEVENTS_CHECK + " --brokers " + brokers() + " " + arguments + " 2>&1");
  const auto line = output.rfind("\n{");
  json parsed = json::parse(line == std::string::npos ? output : output.substr(line + 1), nullptr, false);
  BOOST_REQUIRE_MESSAGE(parsed.is_object(),
                        "cloudevents_check.py printed no report (exit " << status << "): " << output);
  parsed["exit"] = status;
  return parsed;
}

int64_t end_of_topic(log::EventLog& log, const std::string& topic) {
  auto count = log.partition_count(topic);
  if (!count.ok()) return 0;
  int64_t total = 0;
  for (int32_t p = 0; p < *count; ++p) {
    auto end = log.end_offset({topic, p});
    if (end.ok()) total += *end;
  }
  return total;
}

struct World {
  // Records stamped before this test began are other tests' (some deliberately broken): not checked.
  const int64_t since_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::string data = fresh_dir("ecosystem");
  ServerProcess server{data, "eco", {"--address-limit", "0", "--write-timeout", std::to_string(kWriteTimeoutSeconds)}};

  World() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(), "xyd serve did not start");
    // On a broker that earlier tests filled, the processor's consumer group can take longer than
    // the 2 s write timeout to settle: a staff account whose creation timed out is created later
    // without its one-time password reaching sms.log, and a re-run of the demo cannot log it in.
    // So one command round-trips first (its retries replay one Idempotency-Key).
    const std::string warmup = random_phone_prefix();
    int warm = 0;
    for (auto until = std::chrono::steady_clock::now() + 120s; std::chrono::steady_clock::now() < until;) {
      warm = http_request(server.url(), "POST", "/api/v1/accounts", registration(phone_of(warmup, 9)),
                          as_operator(server, "eco-warmup-" + warmup))
                 .status;
      if (warm == 200 || warm == 201) break;
      std::this_thread::sleep_for(1s);
    }
    BOOST_REQUIRE_MESSAGE(warm == 200 || warm == 201, "no command round-tripped in 120 s (last status " << warm << ")");
    // The demo is idempotent; on Kafka its first commands can time out while the group settles.
    int status = -1;
    std::string output;
    for (int attempt = 0; attempt < 3 && status != 0; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(3s);
      std::tie(status, output) =
          run_command_line(std::string(XYD_BINARY) + " demo --seed 7 --enterprises 12 --http " + server.url() +
                           " --data '" + data + "'" + backend_flags_text() + " 2>&1");
    }
    BOOST_REQUIRE_MESSAGE(status == 0, "xyd demo failed: " << output);
    // Two records only a broken producer would write (valid CloudEvents around a body that is not
    // a command, not a data-source record): each must become a dead letter.
    auto log = open_server_log(data);
    auto attributes = events::new_cloudevent("/test/broken-producer", "xyd.test.garbled.v1", "x");
    attributes.content_type = "text/plain";
    std::vector<log::OutRecord> bad = {
        {"xyd.commands", "ent-x", "{not a command", events::cloudevent_headers(attributes), std::nullopt},
        {"xyd.data-sources", "src-x", "[1, 2", events::cloudevent_headers(attributes), std::nullopt}};
    BOOST_REQUIRE(log->append(bad).ok());
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while ((end_of_topic(*log, "xyd.dlq") < 2 || end_of_topic(*log, "xyd.risk-warnings") == 0) &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(200ms);
    BOOST_REQUIRE_MESSAGE(end_of_topic(*log, "xyd.dlq") >= 2, "the malformed records were not dead-lettered");
    BOOST_REQUIRE_MESSAGE(end_of_topic(*log, "xyd.risk-warnings") > 0, "the demo published no risk warning");
  }
};

World& world() {
  return shared_setup<World>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_topic_xyd_writes_is_read_by_the_cloudevents_sdk) {
  const json report = run_checker("--prefix xyd. --since-ms " + std::to_string(world().since_ms));
  BOOST_TEST_MESSAGE(report.dump());
  BOOST_REQUIRE_MESSAGE(!report.contains("error"), report.dump());
  const std::regex type_name(R"(xyd\.[a-z-]+\.[a-z_-]+\.v[0-9]+)");
  size_t outbound_topics = 0;
  for (const auto& [topic, entry] : report["topics"].items()) {
    BOOST_CHECK_MESSAGE(entry["rejected"] == 0,
                        topic << ": " << entry["rejected"] << " records refused, first " << entry["first_rejection"]);
    for (const auto& type : entry["types"])
      BOOST_CHECK_MESSAGE(std::regex_match(type.get<std::string>(), type_name), topic << " has type " << type);
    if (topic.starts_with("xyd.out.") && entry["records"] > 0) ++outbound_topics;
  }
  BOOST_CHECK_EQUAL(report["exit"], 0);
  for (const char* topic : {"xyd.commands", "xyd.outcomes", "xyd.events.account", "xyd.events.application",
                            "xyd.events.enterprise", "xyd.risk-warnings", "xyd.dlq"}) {
    BOOST_REQUIRE_MESSAGE(report["topics"].contains(topic), topic << " was not read");
    BOOST_CHECK_MESSAGE(report["topics"][topic]["records"] > 0, topic << " has no record");
  }
  BOOST_CHECK_MESSAGE(outbound_topics > 0, "no xyd.out.<institution> topic has a record");
  const auto& dlq_types = report["topics"]["xyd.dlq"]["types"];
  BOOST_CHECK(std::find(dlq_types.begin(), dlq_types.end(), "xyd.dead-letter.recorded.v1") != dlq_types.end());
}

BOOST_AUTO_TEST_CASE(consumer_groups_rest_at_the_end_offset) {
  auto& w = world();
  const std::vector<std::string> groups = {"xyd-processor", "xyd-outbound", "xyd-data-sources", "xyd-risk-publisher"};
  std::string groups_text;
  for (const auto& g : groups) groups_text += " " + g;
  json report;
  std::string lagging;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  do {
    if (!lagging.empty()) std::this_thread::sleep_for(500ms);
    report = run_checker("--lag" + groups_text);
    lagging.clear();
    for (const auto& g : groups) {
      if (!report.contains(g) || report[g].empty())
        lagging += g + " (no committed offset) ";
      else
        for (const auto& [tp, pair] : report[g].items())
          if (pair[0] != pair[1]) lagging += g + " " + tp + " " + pair.dump() + " ";
    }
  } while (!lagging.empty() && std::chrono::steady_clock::now() < deadline);
  BOOST_TEST_MESSAGE(report.dump());
  BOOST_CHECK_MESSAGE(lagging.empty(), "lag at rest: " << lagging);

  // `xyd projections` lists the same groups with lag 0.
  auto [status, output] = run_command_line(std::string(XYD_BINARY) + " projections --data '" + w.data + "' --http " +
                                           w.server.url() + backend_flags_text() + " 2>&1");
  BOOST_REQUIRE_MESSAGE(status == 0, output);
  for (const auto& g : groups) {
    const std::regex row("(^|\\n)" + g + " +.* 0\\n");
    BOOST_CHECK_MESSAGE(std::regex_search(output, row), "xyd projections shows no lag-0 row for " << g << ":\n"
                                                                                                  << output);
  }

  // /metrics shows the positions of the followers that keep their own.
  const auto metrics = http_request(w.server.url(), "GET", "/metrics");
  BOOST_REQUIRE_EQUAL(metrics.status, 200);
  for (const char* g : {"xyd-outbound", "xyd-data-sources", "xyd-risk-publisher"})
    BOOST_CHECK_MESSAGE(metrics.raw.find("xyd_follower_position{group=\"" + std::string(g) + "\"") != std::string::npos,
                        "/metrics has no xyd_follower_position of " << g);
}

BOOST_AUTO_TEST_CASE(a_broker_outage_fails_writes_fast_and_reads_go_on) {
  auto& w = world();
  const std::string prefix = random_phone_prefix();
  auto before = http_request(w.server.url(), "POST", "/api/v1/accounts", registration(phone_of(prefix, 1)),
                             as_operator(w.server, "eco-before-" + prefix));
  BOOST_REQUIRE_MESSAGE(before.status == 201 || before.status == 200, before.status << " " << before.body.dump());
  const std::string acknowledged = before.body.value("id", "");
  BOOST_REQUIRE(!acknowledged.empty());

  const char* pidfile = std::getenv("XYD_TEST_KAFKA_PIDFILE");
  const char* start = std::getenv("XYD_TEST_KAFKA_START");
  BOOST_REQUIRE_MESSAGE(pidfile && start, "XYD_TEST_KAFKA_PIDFILE and XYD_TEST_KAFKA_START come from ops/test.sh");
  int pid = 0;
  {
    FILE* f = std::fopen(pidfile, "r");
    BOOST_REQUIRE(f);
    BOOST_REQUIRE(std::fscanf(f, "%d", &pid) == 1);
    std::fclose(f);
  }
  BOOST_REQUIRE(kill(pid, SIGKILL) == 0);
  std::this_thread::sleep_for(1s);

  // A write: 503 within the write timeout (and some slack for the HTTP round trip).
  const auto key = "eco-during-" + prefix;
  const auto started = std::chrono::steady_clock::now();
  auto during = http_request(w.server.url(), "POST", "/api/v1/accounts", registration(phone_of(prefix, 2)),
                             as_operator(w.server, key), 30s);
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE("write during the outage: " << during.status << " after "
                                                 << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                                 << " ms: " << during.raw);
  BOOST_CHECK_EQUAL(during.status, 503);
  BOOST_CHECK_LE(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(),
                 kWriteTimeoutSeconds * 1000 + 1500);
  BOOST_CHECK_MESSAGE(during.headers.contains("Retry-After"), "no Retry-After on the 503");
  BOOST_CHECK_EQUAL(during.body.value("status", 0), 503);
  std::string lowered = during.body.dump();
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
  const std::string port = brokers().substr(brokers().rfind(':') + 1);
  for (const std::string& secret :
       {std::string("127.0.0.1"), port, std::string("transactional"), std::string("rdkafka"), std::string("rd_kafka"),
        std::string("broker"), std::string("local:"), std::string("xyd-") + "eco"})
    BOOST_CHECK_MESSAGE(lowered.find(secret) == std::string::npos,
                        "the 503 body reveals '" << secret << "': " << lowered);

  // Reads go on, and /healthz does not call the node dead.
  BOOST_CHECK_EQUAL(
      http_request(w.server.url(), "GET", "/api/v1/accounts/" + acknowledged, nullptr, w.server.operator_auth()).status,
      200);
  auto health = http_request(w.server.url(), "GET", "/healthz");
  BOOST_CHECK_EQUAL(health.status, 200);
  BOOST_CHECK_EQUAL(health.body["log"]["reachable"], false);

  // The broker back: the same request (same key) goes through, and so does a new one.
  BOOST_REQUIRE_MESSAGE(std::system((std::string(start) + " >/dev/null 2>&1").c_str()) == 0, "restarting the broker");
  HttpReply after;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  do {
    if (after.status != 0) std::this_thread::sleep_for(1s);
    after = http_request(w.server.url(), "POST", "/api/v1/accounts", registration(phone_of(prefix, 2)),
                         as_operator(w.server, key), 30s);
  } while (after.status >= 500 && std::chrono::steady_clock::now() < deadline);
  BOOST_CHECK_MESSAGE(after.status == 201 || after.status == 200, after.status << " " << after.raw);
  auto next = http_request(w.server.url(), "POST", "/api/v1/accounts", registration(phone_of(prefix, 3)),
                           as_operator(w.server, "eco-after-" + prefix));
  BOOST_CHECK_MESSAGE(next.status == 201 || next.status == 200, next.status << " " << next.raw);
  BOOST_CHECK_EQUAL(
      http_request(w.server.url(), "GET", "/api/v1/accounts/" + acknowledged, nullptr, w.server.operator_auth()).status,
      200);
  // Nothing acknowledged was lost: the log holds every account answered with a success.
  auto log = open_server_log(w.data);
  auto events = account_events(*log, prefix);
  BOOST_CHECK(events.contains(acknowledged));
  if (after.status < 300) BOOST_CHECK(events.contains(after.body.value("id", "")));
  if (next.status < 300) BOOST_CHECK(events.contains(next.body.value("id", "")));
}

// `xyd migrate --to kafka` end to end, on a Kafka broker of its own (port 19720, started and wiped
// by this program): an embedded installation filled by `xyd demo` is replayed onto Kafka; the
// audit chain verifies on the Kafka side with as many events as on the embedded one; a server on
// Kafka with a fresh data folder rebuilds the same dashboard the embedded server answered; a second
// run copies nothing (it resumes from the positions committed with the records); and another
// installation is refused on the now non-empty target.
#define BOOST_TEST_MODULE migrate
#include <signal.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <random>
#include <regex>
#include <thread>

#include "tests/support/server_process.h"

using namespace xyd::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

constexpr int kPort = 19720;
const std::string kBrokerData = XYD_MIGRATE_BROKER_DATA;
const std::string kScripts = std::string(XYD_SOURCE_DIR) + "/ops/kafka/";

std::string binary() {
  return XYD_BINARY;
}

struct Broker {
  std::string bootstrap;
  Broker() {
    run_command_line(kScripts + "stop.sh --port " + std::to_string(kPort) + " --data " + kBrokerData + " --wipe 2>&1");
    auto [status, out] = run_command_line(kScripts + "start.sh --port " + std::to_string(kPort) + " --data " +
                                          kBrokerData + " 2>/dev/null");
    BOOST_REQUIRE_MESSAGE(status == 0, "the broker did not start: " << out);
    bootstrap = "127.0.0.1:" + std::to_string(kPort);
  }
  ~Broker() {
    run_command_line(kScripts + "stop.sh --port " + std::to_string(kPort) + " --data " + kBrokerData + " --wipe 2>&1");
  }
};

// The number in "audit chain: clean (N events" of `xyd audit verify`, or -1 when not clean.
long clean_events(const std::string& output) {
  std::smatch found;
  if (!std::regex_search(output, found, std::regex("audit chain: clean \\(([0-9,]+) events"))) return -1;
  std::string digits = found[1];
  digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
  return std::stol(digits);
}

json dashboard(const ServerProcess& server) {
  auto reply =
      http_request(server.url(), "GET", "/api/v1/dashboard?scope=CN&period=all", nullptr, server.operator_auth());
  BOOST_REQUIRE_MESSAGE(reply.status == 200, reply.body.dump());
  reply.body.erase("as_of_time");  // when it was answered, if the answer says
  return reply.body;
}

}  // namespace

BOOST_AUTO_TEST_CASE(an_embedded_installation_moves_to_kafka) {
  Broker broker;
  const std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  const std::string embedded = fresh_dir("migrate-embedded");
  json before;
  {
    ServerProcess server(embedded, "migrate-e-" + run, {"--address-limit", "0"});
    server.start();
    BOOST_REQUIRE(server.wait_healthy(std::chrono::seconds(60)));
    run_demo(server, 7, 20);
    before = dashboard(server);
    server.kill_with(SIGTERM);  // the embedded log is single-process: migrate needs it
  }
  BOOST_REQUIRE_GT(before.dump().size(), 100u);

  const std::string to_kafka = " --to kafka --brokers " + broker.bootstrap + " --data '" + embedded + "'";
  auto [migrated, migrate_out] = run_command_line(binary() + " migrate" + to_kafka + " 2>&1");
  BOOST_REQUIRE_MESSAGE(migrated == 0, migrate_out);
  BOOST_CHECK(migrate_out.find("not carried: the credential store") != std::string::npos);

  auto [again, again_out] = run_command_line(binary() + " migrate" + to_kafka + " 2>&1");
  BOOST_CHECK_MESSAGE(again == 0 && again_out.find("migrated 0 records") != std::string::npos, again_out);

  const std::string on_kafka = fresh_dir("migrate-kafka");
  auto [verified_embedded, embedded_audit] =
      run_command_line(binary() + " audit verify --data '" + embedded + "' 2>&1");
  auto [verified_kafka, kafka_audit] = run_command_line(binary() + " audit verify --log kafka --brokers " +
                                                        broker.bootstrap + " --data '" + on_kafka + "' 2>&1");
  BOOST_REQUIRE_MESSAGE(verified_embedded == 0 && verified_kafka == 0, embedded_audit << "\n" << kafka_audit);
  BOOST_CHECK_GT(clean_events(embedded_audit), 100);
  BOOST_CHECK_EQUAL(clean_events(kafka_audit), clean_events(embedded_audit));

  // A server on Kafka, with a data folder of its own, rebuilds its views from the migrated log.
  ServerProcess server(on_kafka, "migrate-k-" + run, {"--log", "kafka", "--brokers", broker.bootstrap});
  server.start();
  BOOST_REQUIRE(server.wait_healthy(std::chrono::seconds(90)));
  json after;
  for (int i = 0; i < 120; ++i) {
    after = dashboard(server);
    if (after == before) break;
    std::this_thread::sleep_for(500ms);
  }
  BOOST_CHECK_MESSAGE(after == before, "the dashboards differ:\nembedded " << before.dump().substr(0, 800)
                                                                           << "\nkafka    "
                                                                           << after.dump().substr(0, 800));
  server.kill_with(SIGTERM);

  // Another installation onto the non-empty target: refused, nothing copied.
  const std::string other = fresh_dir("migrate-other");
  run_command_line(binary() + " log sample --count 5 --data '" + other + "' 2>&1");
  auto [refused, refused_out] =
      run_command_line(binary() + " migrate --to kafka --brokers " + broker.bootstrap + " --data '" + other + "' 2>&1");
  BOOST_CHECK_NE(refused, 0);
  BOOST_CHECK_MESSAGE(refused_out.find("already holds records") != std::string::npos, refused_out);
  for (const auto& dir : {embedded, on_kafka, other}) std::filesystem::remove_all(dir);
}

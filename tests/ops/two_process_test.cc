// Two `xyd serve` processes on one Kafka: they split the command partitions (consumer group), a
// command sent to either is executed exactly once, and killing one moves its partitions to the
// other without losing or duplicating anything.
#define BOOST_TEST_MODULE two_processes
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <set>
#include <thread>

#include "events/codec.h"
#include "tests/support/server_process.h"
#include "tests/support/write_side_checks.h"

using namespace std::chrono_literals;
using namespace xyd::test;

namespace {

std::set<int> owned(const ServerProcess& server) {
  auto reply = http_request(server.url(), "GET", "/api/v1/ops/processor", nullptr, server.operator_auth());
  std::set<int> partitions;
  if (reply.status == 200)
    for (const auto& p : reply.body["partitions"]) partitions.insert(p.get<int>());
  return partitions;
}

// Waits until the servers' partitions are disjoint and together all six.
bool wait_split(const std::vector<const ServerProcess*>& servers, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::multiset<int> all;
    bool each_owns = true;
    for (const auto* s : servers) {
      auto mine = owned(*s);
      each_owns = each_owns && !mine.empty();
      all.insert(mine.begin(), mine.end());
    }
    if (each_owns && all == std::multiset<int>{0, 1, 2, 3, 4, 5}) return true;
    std::this_thread::sleep_for(250ms);
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(two_processes_on_kafka)

BOOST_AUTO_TEST_CASE(partitions_are_split_commands_run_once_and_a_kill_moves_partitions) {
  const std::string tag = xyd::events::uuid_v7().substr(9, 4);
  const std::string data_a = fresh_dir("two-a"), data_b = fresh_dir("two-b");
  ServerProcess a(data_a, "two-a-" + tag), b(data_b, "two-b-" + tag);
  a.start();
  b.start();
  BOOST_REQUIRE_MESSAGE(a.wait_healthy(90s), "server A did not come up; see " << data_a << ".server.log");
  BOOST_REQUIRE_MESSAGE(b.wait_healthy(90s), "server B did not come up; see " << data_b << ".server.log");
  BOOST_REQUIRE_MESSAGE(wait_split({&a, &b}, 90s), "the two processes did not split the six partitions");
  auto owned_a = owned(a), owned_b = owned(b);
  BOOST_TEST_MESSAGE("A owns " << owned_a.size() << " partitions, B owns " << owned_b.size());

  const std::string prefix = random_phone_prefix();
  std::map<std::string, std::string> first_event;  // phone -> event id
  // 120 commands, alternating between the processes: each runs on whichever owns the partition.
  for (int i = 0; i < 120; ++i) {
    const std::string phone = phone_of(prefix, i);
    const auto& server = i % 2 ? b : a;
    auto reply = http_request(server.url(), "POST", "/api/v1/accounts", registration(phone),
                              as_operator(server, "two-" + phone), 30s);
    BOOST_REQUIRE_MESSAGE(reply.status == 201, phone << ": " << reply.status << " " << reply.body.dump());
    first_event[phone] = reply.body["events"][0].value("id", "");
  }
  // The same command through the other process: replayed, not executed again.
  for (int i = 0; i < 120; i += 7) {
    const std::string phone = phone_of(prefix, i);
    const auto& other = i % 2 ? a : b;
    auto reply = http_request(other.url(), "POST", "/api/v1/accounts", registration(phone),
                              as_operator(other, "two-" + phone), 30s);
    BOOST_CHECK_EQUAL(reply.status, 201);
    BOOST_CHECK_EQUAL(reply.headers["Idempotency-Replayed"], "true");
    BOOST_CHECK_EQUAL(reply.body["events"][0].value("id", ""), first_event[phone]);
  }
  auto stats_a = http_request(a.url(), "GET", "/api/v1/ops/processor", nullptr, a.operator_auth()).body;
  auto stats_b = http_request(b.url(), "GET", "/api/v1/ops/processor", nullptr, b.operator_auth()).body;
  BOOST_CHECK_GT(stats_a.value("commands", 0), 0);
  BOOST_CHECK_GT(stats_b.value("commands", 0), 0);

  // Kill A: B takes every partition (after A's session times out) and runs everything.
  a.kill_with(SIGKILL);
  BOOST_REQUIRE_MESSAGE(wait_split({&b}, 120s), "B did not take over A's partitions");
  for (int i = 120; i < 200; ++i) {
    const std::string phone = phone_of(prefix, i);
    auto reply =
        http_request(b.url(), "POST", "/api/v1/accounts", registration(phone), as_operator(b, "two-" + phone), 30s);
    BOOST_REQUIRE_MESSAGE(reply.status == 201, phone << ": " << reply.status << " " << reply.body.dump());
    first_event[phone] = reply.body["events"][0].value("id", "");
  }
  // Commands first run by A are replayed by B from the log, not run again.
  for (int i = 0; i < 120; i += 2) {
    const std::string phone = phone_of(prefix, i);
    auto reply =
        http_request(b.url(), "POST", "/api/v1/accounts", registration(phone), as_operator(b, "two-" + phone), 30s);
    BOOST_CHECK_EQUAL(reply.status, 201);
    BOOST_CHECK_EQUAL(reply.headers["Idempotency-Replayed"], "true");
    BOOST_CHECK_EQUAL(reply.body["events"][0].value("id", ""), first_event[phone]);
  }
  b.kill_with(SIGTERM);

  auto log = open_server_log(data_b);
  auto by_aggregate = account_events(*log, prefix);
  check_chains(by_aggregate);
  BOOST_CHECK_EQUAL(by_aggregate.size(), first_event.size());
  for (const auto& [id, chain] : by_aggregate) BOOST_CHECK_EQUAL(chain.size(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()

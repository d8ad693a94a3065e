// Crash test of the write side on the backend under test: clients create accounts (as the local
// operator) while the server is killed with SIGKILL at random moments (ten times) and restarted;
// on Kafka the broker is also killed and restarted once mid-load and the server must recover by
// itself. Afterwards every acknowledged command's event exists exactly once, a retry of any
// command (acknowledged or not) settles it exactly once, and every aggregate's chain is gapless
// and intact.
#define BOOST_TEST_MODULE write_side_crash
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "events/codec.h"
#include "tests/support/backend.h"
#include "tests/support/server_process.h"
#include "tests/support/write_side_checks.h"

using namespace std::chrono_literals;
using namespace xyd::test;

namespace {

// Kills the test broker with SIGKILL and starts it again with the command ops/test.sh exported.
void restart_broker() {
  const char* pidfile = std::getenv("XYD_TEST_KAFKA_PIDFILE");
  const char* start = std::getenv("XYD_TEST_KAFKA_START");
  BOOST_REQUIRE_MESSAGE(pidfile && start, "XYD_TEST_KAFKA_PIDFILE and XYD_TEST_KAFKA_START come from ops/test.sh");
  FILE* f = std::fopen(pidfile, "r");
  BOOST_REQUIRE(f);
  int pid = 0;
  BOOST_REQUIRE(std::fscanf(f, "%d", &pid) == 1);
  std::fclose(f);
  BOOST_REQUIRE(kill(pid, SIGKILL) == 0);
  std::this_thread::sleep_for(1s);
  BOOST_REQUIRE_MESSAGE(std::system((std::string(start) + " >/dev/null 2>&1").c_str()) == 0, "restarting the broker");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(write_side_crash)

BOOST_AUTO_TEST_CASE(sigkill_at_random_moments_loses_no_acknowledged_command) {
  const bool on_kafka = xyd::test::on_kafka();
  const std::string data = fresh_dir("crash");
  ServerProcess server(data, "crash-" + xyd::events::uuid_v7().substr(9, 4));
  server.start();
  BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "xyd serve did not come up; see " << data << ".server.log");

  const std::string prefix = random_phone_prefix();
  std::mutex mutex;
  std::set<std::string> attempted;
  std::map<std::string, std::string> acknowledged;  // phone -> event id
  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  // The clients stop and are joined however the test leaves (a failed requirement throws): a
  // joinable thread destroyed would abort the program and leave its server running.
  struct JoinClients {
    std::atomic<bool>& stop;
    std::vector<std::thread>& clients;
    ~JoinClients() {
      stop = true;
      for (auto& c : clients)
        if (c.joinable()) c.join();
    }
  } join_clients{stop, clients};
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&] {
      while (!stop) {
        const std::string phone = phone_of(prefix, next++);
        {
          std::lock_guard lock(mutex);
          attempted.insert(phone);
        }
        auto reply = http_request(server.url(), "POST", "/api/v1/accounts", registration(phone),
                                  as_operator(server, "crash-" + phone), 10s);
        if (reply.status == 201) {
          std::lock_guard lock(mutex);
          acknowledged[phone] = reply.body["events"][0].value("id", "");
        } else if (reply.status == 0) {
          std::this_thread::sleep_for(50ms);  // the server is down
        }
      }
    });

  // Waits until the restarted server executes commands again (its processor owns the partitions).
  auto wait_executing = [&](int round) {
    const std::string phone = phone_of(prefix, 900000 + round);
    {
      std::lock_guard lock(mutex);
      attempted.insert(phone);
    }
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto probe = http_request(server.url(), "POST", "/api/v1/accounts", registration(phone),
                                as_operator(server, "crash-" + phone), 10s);
      if (probe.status == 201) return true;
      std::this_thread::sleep_for(200ms);
    }
    return false;
  };

  std::mt19937 random(std::random_device{}());
  for (int kill = 0; kill < 10; ++kill) {
    BOOST_REQUIRE_MESSAGE(wait_executing(kill), "the server executes no command; see " << data << ".server.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(300, 1500)(random)));
    server.kill_with(SIGKILL);
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "restart " << kill + 1 << " failed; see " << data << ".server.log");
    if (on_kafka && kill == 4) {
      restart_broker();
      // The server keeps running and recovers by itself once the broker is back.
      BOOST_REQUIRE_MESSAGE(wait_executing(100), "the server did not recover after the broker restarted");
    }
  }
  std::this_thread::sleep_for(1s);
  stop = true;
  for (auto& c : clients)
    if (c.joinable()) c.join();
  BOOST_TEST_MESSAGE(attempted.size() << " commands attempted, " << acknowledged.size() << " acknowledged");
  BOOST_REQUIRE_GT(acknowledged.size(), 20u);

  // A retry settles every command exactly once; an acknowledged one answers its first outcome.
  size_t replayed = 0;
  for (const auto& phone : attempted) {
    const std::string key = "crash-" + phone;
    auto reply =
        http_request(server.url(), "POST", "/api/v1/accounts", registration(phone), as_operator(server, key), 30s);
    BOOST_CHECK_MESSAGE(reply.status == 201,
                        "retry of " << phone << " answered " << reply.status << " " << reply.body.dump());
    auto first = acknowledged.find(phone);
    if (first != acknowledged.end() && reply.status == 201) {
      BOOST_CHECK_EQUAL(reply.headers["Idempotency-Replayed"], "true");
      BOOST_CHECK_EQUAL(reply.body["events"][0].value("id", ""), first->second);
      ++replayed;
    }
  }
  BOOST_CHECK_EQUAL(replayed, acknowledged.size());
  server.kill_with(SIGTERM);

  auto log = open_server_log(data);
  auto by_aggregate = account_events(*log, prefix);
  check_chains(by_aggregate);
  BOOST_CHECK_EQUAL(by_aggregate.size(), attempted.size());
  std::set<std::string> phones;
  for (const auto& [id, chain] : by_aggregate) phones.insert(chain.front().data.value("phone", ""));
  for (const auto& [phone, event_id] : acknowledged) BOOST_CHECK_MESSAGE(phones.contains(phone), phone << " is lost");
}

BOOST_AUTO_TEST_SUITE_END()

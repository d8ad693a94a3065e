// The Kafka log on a real three-node cluster (ops/kafka/start.sh --nodes 3, its own ports and
// folder, started and stopped by this program): the topics xyd creates have 3 replicas and
// min.insync.replicas 2; a min.insync.replicas of 1 is refused on it unless the operator says so;
// with one broker killed (kill -9) appends are still acknowledged; with two killed an append is
// refused, never acknowledged and lost; once the brokers are back every acknowledged record is
// read exactly once.
#define BOOST_TEST_MODULE kafka_cluster
#include <librdkafka/rdkafka.h>
#include <signal.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "events/log/open_log.h"
#include "tests/support/server_process.h"
#include "tests/support/test_log.h"

using namespace xyd;
using namespace std::chrono_literals;

namespace {

constexpr int kPort = 19700;  // node K: 19700 + 2(K-1), its controller the port after
const std::string kData = std::string(XYD_CLUSTER_DATA);

std::string start_script() {
  return std::string(XYD_SOURCE_DIR) + "/ops/kafka/start.sh";
}
std::string stop_script() {
  return std::string(XYD_SOURCE_DIR) + "/ops/kafka/stop.sh";
}

// Runs a shell command; its standard output, trimmed, and whether it exited 0.
std::pair<bool, std::string> shell(const std::string& command) {
  auto [status, output] = test::run_command_line(command);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return {status == 0, output};
}

int node_pid(int node) {
  std::ifstream in(kData + "/node-" + std::to_string(node) + "/broker.pid");
  int pid = 0;
  in >> pid;
  return pid;
}

// The cluster, fresh for this run; stopped and wiped at the end.
struct Cluster {
  std::string bootstrap;
  Cluster() {
    shell(stop_script() + " --nodes 3 --port " + std::to_string(kPort) + " --data " + kData + " --wipe 2>&1");
    auto [ok, out] = shell(start_script() + " --nodes 3 --port " + std::to_string(kPort) + " --data " + kData);
    BOOST_REQUIRE_MESSAGE(ok, "the cluster did not start: " << out);
    bootstrap = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
    BOOST_TEST_MESSAGE("cluster at " << bootstrap);
  }
  ~Cluster() {
    shell(stop_script() + " --nodes 3 --port " + std::to_string(kPort) + " --data " + kData + " --wipe 2>&1");
  }

  // Kills node `node`'s JVM without a chance to flush or hand over (as a power cut would).
  void kill_node(int node) {
    const int pid = node_pid(node);
    BOOST_REQUIRE_GT(pid, 0);
    ::kill(pid, SIGKILL);
    for (int i = 0; i < 100 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(100ms);
  }
  // Starts every node that is not running (start.sh finds the ones that are) and waits for all.
  void restart_missing() {
    auto [ok, out] = shell(start_script() + " --nodes 3 --port " + std::to_string(kPort) + " --data " + kData);
    BOOST_REQUIRE_MESSAGE(ok, "the cluster did not come back: " << out);
  }

  log::LogOptions options(const std::string& name) const {
    log::LogOptions options;
    options.backend = "kafka";
    options.kafka.brokers = bootstrap;
    options.kafka.client_id = "cluster-test-" + name;
    options.kafka.request_timeout = 10s;
    options.kafka.transaction_timeout = 20s;
    return options;
  }
};

Cluster& cluster() {
  static Cluster c;
  return c;
}

std::string run_id() {
  static const std::string id = std::to_string(std::random_device()() % 9000000 + 1000000);
  return id;
}

// Each partition's replica count, from the cluster's metadata.
std::vector<int> replica_counts(const std::string& bootstrap, const std::string& topic) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  std::vector<int> counts;
  const rd_kafka_metadata_t* md = nullptr;
  if (handle && rd_kafka_metadata(handle, 1, nullptr, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int t = 0; t < md->topic_cnt; ++t)
      if (topic == md->topics[t].topic)
        for (int p = 0; p < md->topics[t].partition_cnt; ++p) counts.push_back(md->topics[t].partitions[p].replica_cnt);
    rd_kafka_metadata_destroy(md);
  }
  if (handle) rd_kafka_destroy(handle);
  return counts;
}

std::vector<log::OutRecord> records(const std::string& topic, const std::string& stem, int count) {
  std::vector<log::OutRecord> out;
  for (int i = 0; i < count; ++i) {
    log::OutRecord r;
    r.topic = topic;
    r.key = stem + "-" + std::to_string(i);
    r.value = "value of " + r.key;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(topics_are_replicated_three_times_with_two_in_sync) {
  auto& c = cluster();
  auto log = log::open_log(c.options("replicas"));
  BOOST_REQUIRE_MESSAGE(log.ok(), log.error().message);
  const std::string topic = "xyd.cluster-test." + run_id() + ".replicated";
  BOOST_REQUIRE(((*log)->create_topics({{topic, 3}})).ok());
  const auto counts = replica_counts(c.bootstrap, topic);
  BOOST_REQUIRE_EQUAL(counts.size(), 3u);
  for (int count : counts) BOOST_CHECK_EQUAL(count, 3);
}

BOOST_AUTO_TEST_CASE(one_in_sync_replica_is_refused_unless_chosen) {
  auto& c = cluster();
  auto options = c.options("single-isr");
  options.kafka.min_insync_replicas = 1;
  auto log = log::open_log(options);
  BOOST_REQUIRE(log.ok());
  const auto refused = (*log)->create_topics({{"xyd.cluster-test." + run_id() + ".single", 1}});
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK_EQUAL(refused.error().rule, "durable-on-a-cluster");
  BOOST_CHECK(replica_counts(c.bootstrap, "xyd.cluster-test." + run_id() + ".single").empty());  // nothing made
  options.kafka.allow_single_insync_replica = true;
  auto chosen = log::open_log(options);
  BOOST_REQUIRE(chosen.ok());
  BOOST_CHECK((*chosen)->create_topics({{"xyd.cluster-test." + run_id() + ".single", 1}}).ok());
  options.kafka.replication_factor = 4;
  auto too_many = log::open_log(options);
  BOOST_REQUIRE(too_many.ok());
  auto refused_factor = (*too_many)->create_topics({{"xyd.cluster-test." + run_id() + ".four", 1}});
  BOOST_REQUIRE(!refused_factor.ok());
  BOOST_CHECK_EQUAL(refused_factor.error().rule, "at-most-brokers");
}

BOOST_AUTO_TEST_CASE(acknowledged_writes_survive_broker_kills) {
  auto& c = cluster();
  const std::string topic = "xyd.cluster-test." + run_id() + ".faults";
  size_t acknowledged = 0;
  std::set<std::string> acked_keys;
  {
    auto log = log::open_log(c.options("faults"));
    BOOST_REQUIRE(log.ok());
    BOOST_REQUIRE((*log)->create_topics({{topic, 3}}).ok());
    auto append = [&](const std::string& stem, int count) {
      const auto batch = records(topic, stem, count);
      auto written = (*log)->append(batch);
      if (written.ok())
        for (const auto& r : batch) acked_keys.insert(r.key);
      return written.ok();
    };
    BOOST_REQUIRE(append("before", 50));
    // One broker down: two replicas remain in sync, writes are still acknowledged.
    c.kill_node(3);
    bool after_one = false;
    for (int attempt = 0; attempt < 10 && !after_one; ++attempt)
      after_one = append("one-down-" + std::to_string(attempt), 50);
    BOOST_CHECK_MESSAGE(after_one, "no write was acknowledged with one broker of three down");
    // Two down: a write cannot reach two replicas, so it is refused, never acknowledged.
    c.kill_node(2);
    BOOST_CHECK_MESSAGE(!append("two-down", 10), "a write was acknowledged with only one broker up");
  }
  acknowledged = acked_keys.size();
  c.restart_missing();
  auto reader_log = log::open_log(c.options("faults-read"));
  BOOST_REQUIRE(reader_log.ok());
  const auto read = test::read_records(**reader_log, test::from_beginning(**reader_log, topic), acknowledged, 60s);
  std::multiset<std::string> seen;
  for (const auto& r : read) seen.insert(r.key);
  size_t missing = 0, duplicated = 0;
  for (const auto& key : acked_keys) {
    if (seen.count(key) == 0) ++missing;
    if (seen.count(key) > 1) ++duplicated;
  }
  BOOST_TEST_MESSAGE("acknowledged " << acknowledged << ", read " << read.size() << ", missing " << missing
                                     << ", duplicated " << duplicated);
  BOOST_CHECK_GE(acknowledged, 100u);
  BOOST_CHECK_EQUAL(missing, 0u);
  BOOST_CHECK_EQUAL(duplicated, 0u);
}

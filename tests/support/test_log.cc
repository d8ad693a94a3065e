#include "tests/support/test_log.h"

#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>

#include "events/codec.h"

namespace xyd::test {

std::string TestLog::unique_topic(const std::string& stem) const {
  static std::atomic<int> counter{0};
  return "test." + stem + "." + std::to_string(getpid()) + "." + std::to_string(counter++) + "." +
         events::uuid_v7().substr(0, 8);
}

void TestLog::reopen(const std::string& transactional_id) {
  log.reset();
  if (!transactional_id.empty()) options.kafka.transactional_id = transactional_id;
  auto opened = log::open_log(options);
  BOOST_REQUIRE_MESSAGE(
      opened.ok(), "reopening the " << options.backend << " log: " << (opened.ok() ? "" : opened.error().to_string()));
  log = std::move(opened).value();
}

TestLog open_test_log(const std::string& name) {
  TestLog t;
  t.options.backend = backend_under_test();
  if (t.options.backend == "embedded") {
    auto dir = std::filesystem::temp_directory_path() /
               ("xyd-test-" + std::to_string(getpid()) + "-" + name + "-" + events::uuid_v7().substr(0, 13));
    std::filesystem::remove_all(dir);
    t.options.embedded.path = dir.string();
  } else {
    const char* brokers = std::getenv("XYD_TEST_KAFKA");
    BOOST_REQUIRE_MESSAGE(brokers && *brokers,
                          "XYD_TEST_KAFKA is not set: the Kafka tests need the local broker that ops/test.sh starts "
                          "(or ops/kafka/start.sh, then XYD_TEST_KAFKA=127.0.0.1:19092)");
    t.options.kafka.brokers = brokers;
    t.options.kafka.client_id = "xyd-test-" + name;
    t.options.kafka.transactional_id = "xyd-test-" + name + "-" + events::uuid_v7();
  }
  auto opened = log::open_log(t.options);
  BOOST_REQUIRE_MESSAGE(
      opened.ok(), "opening the " << t.options.backend << " log: " << (opened.ok() ? "" : opened.error().to_string()));
  t.log = std::move(opened).value();
  return t;
}

std::vector<log::Record> read_records(log::EventLog& log, const std::map<log::TopicPartition, int64_t>& starts,
                                      size_t expected, std::chrono::milliseconds timeout) {
  using namespace std::chrono_literals;
  auto reader = log.reader();
  BOOST_REQUIRE(reader.ok());
  BOOST_REQUIRE((*reader)->assign(starts).ok());
  std::vector<log::Record> out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < expected && std::chrono::steady_clock::now() < deadline) {
    auto batch = (*reader)->poll(200ms, 10000);
    BOOST_REQUIRE_MESSAGE(batch.ok(), "poll: " << (batch.ok() ? "" : batch.error().to_string()));
    for (auto& r : *batch) out.push_back(std::move(r));
  }
  // Anything more than expected would be a duplicate or a leak of an aborted write.
  const auto linger = std::chrono::steady_clock::now() + 700ms;
  while (std::chrono::steady_clock::now() < linger) {
    auto batch = (*reader)->poll(100ms, 10000);
    BOOST_REQUIRE(batch.ok());
    for (auto& r : *batch) out.push_back(std::move(r));
  }
  return out;
}

std::map<log::TopicPartition, int64_t> from_beginning(log::EventLog& log, const std::string& topic) {
  auto partitions = log.partition_count(topic);
  BOOST_REQUIRE(partitions.ok());
  std::map<log::TopicPartition, int64_t> starts;
  for (int32_t p = 0; p < *partitions; ++p) starts[{topic, p}] = 0;
  return starts;
}

}  // namespace xyd::test

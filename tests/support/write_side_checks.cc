#include "tests/support/write_side_checks.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <random>

#include "events/codec.h"
#include "tests/support/backend.h"

namespace xyd::test {

std::string random_phone_prefix() {
  std::mt19937 random(std::random_device{}());
  return "15" + std::to_string(100 + random() % 900);
}

std::string phone_of(const std::string& prefix, int n) {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06d", n % 1000000);
  return prefix + digits;
}

nlohmann::json registration(const std::string& phone) {
  return {{"phone", phone}, {"region", "440300"}, {"kind", "enterprise_user"}};
}

std::unique_ptr<log::EventLog> open_server_log(const std::string& data_dir) {
  log::LogOptions options;
  options.backend = backend_under_test();
  options.embedded.path = data_dir + "/log";
  if (options.backend == "kafka") {
    const char* brokers = std::getenv("XYD_TEST_KAFKA");
    BOOST_REQUIRE(brokers);
    options.kafka.brokers = brokers;
    options.kafka.transactional_id = "xyd-test-reader-" + events::uuid_v7();
  }
  auto log = log::open_log(options);
  BOOST_REQUIRE_MESSAGE(log.ok(), log.error().to_string());
  return std::move(log).value();
}

std::map<std::string, std::vector<events::Envelope>> account_events(log::EventLog& log, const std::string& prefix) {
  using namespace std::chrono_literals;
  const std::string topic = events::topic_for("account");
  auto partitions = log.partition_count(topic);
  BOOST_REQUIRE(partitions.ok());
  std::map<log::TopicPartition, int64_t> starts, ends;
  for (int32_t p = 0; p < *partitions; ++p) {
    starts[{topic, p}] = 0;
    auto end = log.end_offset({topic, p});
    BOOST_REQUIRE(end.ok());
    ends[{topic, p}] = *end;
  }
  auto reader = log.reader();
  BOOST_REQUIRE(reader.ok());
  BOOST_REQUIRE((*reader)->assign(starts).ok());
  std::map<std::string, std::vector<events::Envelope>> by_aggregate;
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  bool caught_up = false;
  while (!caught_up && std::chrono::steady_clock::now() < deadline) {
    auto records = (*reader)->poll(200ms, 10000);
    BOOST_REQUIRE(records.ok());
    for (const auto& r : *records) {
      auto e = events::decode(r.value);
      BOOST_REQUIRE_MESSAGE(e.ok(), "undecodable event at " << r.tp().to_string() << "@" << r.offset);
      if (!e->data.value("phone", "").starts_with(prefix)) continue;
      by_aggregate[e->aggregate_id].push_back(*e);
    }
    caught_up = true;
    for (const auto& [tp, end] : ends) {
      auto position = (*reader)->position(tp);
      BOOST_REQUIRE(position.ok());
      caught_up = caught_up && *position >= end;
    }
  }
  BOOST_REQUIRE_MESSAGE(caught_up, "could not read the whole account topic");
  return by_aggregate;
}

void check_chains(const std::map<std::string, std::vector<events::Envelope>>& by_aggregate) {
  for (const auto& [id, chain] : by_aggregate) {
    int registered = 0;
    std::string prev;
    for (size_t i = 0; i < chain.size(); ++i) {
      const auto& e = chain[i];
      BOOST_CHECK_MESSAGE(e.version == static_cast<int64_t>(i + 1),
                          id << " has version " << e.version << " at position " << i + 1);
      BOOST_CHECK_MESSAGE(e.prev_hash == prev, id << " version " << e.version << " breaks the hash chain");
      BOOST_CHECK_MESSAGE(events::hash_matches(e), id << " version " << e.version << " does not match its hash");
      prev = e.hash;
      if (e.type == "xyd.account.registered.v2") ++registered;
    }
    BOOST_CHECK_MESSAGE(registered == 1, id << " was registered " << registered << " times");
  }
}

}  // namespace xyd::test

#include "tests/ops/risk_feed_kafka.h"

#include <librdkafka/rdkafka.h>

#include <boost/test/unit_test.hpp>
#include <random>
#include <set>

namespace xyd::test {

std::vector<RiskTopicRecord> consume_risk_topic(const std::string& brokers, const std::string& key, size_t wanted,
                                                std::chrono::seconds timeout, const std::string& topic) {
  std::vector<RiskTopicRecord> out;
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::string group = "risk-feed-test-" + std::to_string(std::random_device()());
  for (const auto& [name, value] : {std::pair<std::string, std::string>{"bootstrap.servers", brokers},
                                    {"group.id", group},
                                    {"auto.offset.reset", "earliest"},
                                    {"enable.auto.commit", "false"},
                                    {"isolation.level", "read_committed"}})
    BOOST_REQUIRE(rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) == RD_KAFKA_CONF_OK);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  BOOST_REQUIRE_MESSAGE(consumer, error);
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  BOOST_REQUIRE(rd_kafka_subscribe(consumer, topics) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(topics);
  std::set<std::string> sequences;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (sequences.size() < wanted && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 200);
    if (!message) continue;
    if (!message->err && message->key && std::string(static_cast<const char*>(message->key), message->key_len) == key) {
      RiskTopicRecord record;
      record.key = key;
      record.value.assign(static_cast<const char*>(message->payload), message->len);
      rd_kafka_headers_t* headers = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
          rd_kafka_header_get_last(headers, "xyd_sequence", &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR)
        record.sequence_header.assign(static_cast<const char*>(value), size);
      if (headers && rd_kafka_header_get_last(headers, "xyd_node", &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR)
        record.node_header.assign(static_cast<const char*>(value), size);
      sequences.insert(record.sequence_header);
      out.push_back(std::move(record));
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  return out;
}

}  // namespace xyd::test

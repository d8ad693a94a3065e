#include "tests/log/aborted_transaction.h"

#include <librdkafka/rdkafka.h>

#include <boost/test/unit_test.hpp>
#include <memory>
#include <string>

namespace xyd::test {
namespace {

constexpr int kTimeoutMs = 30000;

// Fails the test with the error's text, if there is one; frees it.
void require_no_error(rd_kafka_error_t* error, const char* call) {
  std::unique_ptr<rd_kafka_error_t, decltype(&rd_kafka_error_destroy)> owned(error, &rd_kafka_error_destroy);
  BOOST_REQUIRE_MESSAGE(!owned, call << ": " << (owned ? rd_kafka_error_string(owned.get()) : ""));
}

}  // namespace

void write_aborted_transaction(const TestLog& t, const std::vector<log::OutRecord>& records,
                               const log::ConsumedOffsets* offsets) {
  if (t.options.backend != "kafka") return;
  char errstr[512] = {};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::string txn_id = t.options.kafka.transactional_id + "-aborter";
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"bootstrap.servers", t.options.kafka.brokers},
                                   {"transactional.id", txn_id},
                                   {"partitioner", "murmur2_random"}}) {
    BOOST_REQUIRE_MESSAGE(
        rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) == RD_KAFKA_CONF_OK,
        key << ": " << errstr);
  }
  std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr), &rd_kafka_destroy);
  if (!rk) rd_kafka_conf_destroy(conf);
  BOOST_REQUIRE_MESSAGE(rk, "producer: " << errstr);
  require_no_error(rd_kafka_init_transactions(rk.get(), kTimeoutMs), "init_transactions");
  require_no_error(rd_kafka_begin_transaction(rk.get()), "begin_transaction");
  for (const log::OutRecord& r : records) {
    const int32_t partition = r.partition ? *r.partition : RD_KAFKA_PARTITION_UA;
    const rd_kafka_resp_err_t err =
        rd_kafka_producev(rk.get(), RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()), RD_KAFKA_V_END);
    BOOST_REQUIRE_MESSAGE(err == RD_KAFKA_RESP_ERR_NO_ERROR, "producev: " << rd_kafka_err2str(err));
  }
  BOOST_REQUIRE_EQUAL(rd_kafka_flush(rk.get(), kTimeoutMs), RD_KAFKA_RESP_ERR_NO_ERROR);
  if (offsets != nullptr) {
    std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)> list(
        rd_kafka_topic_partition_list_new(static_cast<int>(offsets->next_offsets.size())),
        &rd_kafka_topic_partition_list_destroy);
    for (const auto& [tp, next] : offsets->next_offsets) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = next;
    }
    std::unique_ptr<rd_kafka_consumer_group_metadata_t, decltype(&rd_kafka_consumer_group_metadata_destroy)> group(
        rd_kafka_consumer_group_metadata_new(offsets->group.c_str()), &rd_kafka_consumer_group_metadata_destroy);
    require_no_error(rd_kafka_send_offsets_to_transaction(rk.get(), list.get(), group.get(), kTimeoutMs),
                     "send_offsets_to_transaction");
  }
  require_no_error(rd_kafka_abort_transaction(rk.get(), kTimeoutMs), "abort_transaction");
}

}  // namespace xyd::test

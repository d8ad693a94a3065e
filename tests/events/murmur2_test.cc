#include <librdkafka/rdkafka.h>

#include <boost/test/unit_test.hpp>
#include <string>

#include "events/event_log.h"

BOOST_AUTO_TEST_SUITE(murmur2)

// librdkafka's own murmur2_random partitioner is the reference Java clients agree with.
BOOST_AUTO_TEST_CASE(partition_for_key_agrees_with_librdkafka) {
  for (int32_t partitions : {1, 3, 6, 12, 100}) {
    for (int i = 0; i < 500; ++i) {
      std::string key = "aggregate-" + std::to_string(i * 7919) + std::string(i % 5, 'x');
      int32_t expected =
          rd_kafka_msg_partitioner_murmur2_random(nullptr, key.data(), key.size(), partitions, nullptr, nullptr);
      BOOST_REQUIRE_EQUAL(xyd::log::partition_for_key(key, partitions), expected);
    }
  }
}

BOOST_AUTO_TEST_CASE(known_java_vector) {
  // Kafka's Java test vector: Utils.murmur2("21".getBytes()) == -973932308.
  BOOST_CHECK_EQUAL(static_cast<int32_t>(xyd::log::murmur2("21")), -973932308);
}

BOOST_AUTO_TEST_SUITE_END()

// A librdkafka consumer for the risk-feed test: reads the xyd.risk-warnings output topic from the
// beginning, with a group of its own, and keeps the records keyed by one enterprise. Test thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace xyd::test {

// One record of the output topic as the test reads it (plain value).
struct RiskTopicRecord {
  std::string key, value, sequence_header, node_header;
};

// Records of `topic` keyed `key`, read until `wanted` distinct sequences are seen or `timeout`.
std::vector<RiskTopicRecord> consume_risk_topic(const std::string& brokers, const std::string& key, size_t wanted,
                                                std::chrono::seconds timeout,
                                                const std::string& topic = "xyd.risk-warnings");

}  // namespace xyd::test

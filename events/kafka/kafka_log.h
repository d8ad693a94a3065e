// The Kafka backend of EventLog (librdkafka): one transactional, idempotent producer (acks=all)
// shared by all appends of the process, read_committed consumers whose offsets the caller stores,
// topics created with unlimited retention. Safe for concurrent use from many threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "events/event_log.h"

namespace xyd::log {

struct KafkaLogOptions {
  std::string brokers = "127.0.0.1:19092";
  std::string client_id = "xyd";
  // Stable per writer process (fencing of a stale writer); empty: "xyd-<host>-<pid>".
  std::string transactional_id;
  std::chrono::milliseconds transaction_timeout{60000};
  std::chrono::milliseconds request_timeout{30000};
  // Called with librdkafka's statistics JSON of the producer once a second, when set (on a
  // librdkafka thread): retries, queue depths, round-trip times.
  std::function<void(std::string_view json)> statistics;
  // The topics xyd creates: replicas of each partition (0: 3, or the cluster's broker count when
  // smaller) and min.insync.replicas (0: 2 with 3 replicas or more, else 1). Every write waits for
  // acks=all, so a partition with fewer in-sync replicas refuses writes instead of losing them.
  int replication_factor = 0;
  int min_insync_replicas = 0;
  // A min.insync.replicas of 1 on a cluster of 3 brokers or more (an acknowledged write held by one
  // broker only) is refused unless this says the operator chose it.
  bool allow_single_insync_replica = false;
  // Extra librdkafka properties, applied last (e.g. "linger.ms").
  std::map<std::string, std::string> overrides;
};

Result<std::unique_ptr<EventLog>> open_kafka_log(const KafkaLogOptions& options);

}  // namespace xyd::log

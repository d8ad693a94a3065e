// The admin side of the Kafka log: one group-less consumer handle (read_uncommitted, so end offsets
// are high watermarks) for metadata, CreateTopics and watermark queries, and the cache of partition
// counts that append() checks records against. Include only from events/kafka/*.cc.
#pragma once

#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "events/kafka/kafka_internal.h"

namespace xyd::log::kafka {

// Metadata, topics and watermarks of one Kafka log. Thread-safe: any thread may call any method
// (the handle has no callbacks, so no poll loop: each request has its own queue or timeout).
class KafkaAdmin {
 public:
  // `options` outlives the admin (both belong to one KafkaLog).
  KafkaAdmin(const KafkaLogOptions& options, HandlePtr handle) : options_(options), handle_(std::move(handle)) {}

  // EventLog::ping, create_topics, partition_count, list_topics (event_log.h).
  [[nodiscard]] Status ping();
  [[nodiscard]] Status create_topics(const std::vector<TopicSpec>& topics);
  // The replicas and min.insync.replicas new topics get (KafkaLogOptions), checked against the
  // cluster's broker count.
  struct Replication {
    int factor = 1;
    int min_insync = 1;
  };
  Result<Replication> replication_for_new_topics();
  Result<int32_t> partition_count(const std::string& topic);
  Result<std::vector<std::string>> list_topics();
  // The low (begin) or high (end) watermark of a partition.
  Result<int64_t> watermark(const TopicPartition& tp, bool low_end);

  // Checks records before they are produced: topic exists, explicit partition in range (from the
  // cache, refreshed from the cluster when a topic or partition is not in it).
  [[nodiscard]] Status check_records(std::span<const OutRecord> records);

 private:
  Result<MetadataPtr> metadata(std::chrono::milliseconds timeout, bool all_topics);
  // Partition count of every topic (metadata of the cluster); also refreshes the cache.
  Result<std::map<std::string, int32_t>> topic_partitions();

  const KafkaLogOptions& options_;
  HandlePtr handle_;
  std::mutex topics_mutex_;
  std::map<std::string, int32_t> partitions_;  // guarded by topics_mutex_: the cache for check_records
};

}  // namespace xyd::log::kafka

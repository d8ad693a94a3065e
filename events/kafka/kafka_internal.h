// Internals every part of the Kafka backend shares: owning wrappers of librdkafka's raw handles,
// configuration (kafka_config.cc), error and duration text, the registry of live subscriptions
// (kafka_registry.cc) and the consumers' entry points (kafka_consumer.cc). Not part of the
// interface; include only from events/kafka/*.cc.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <climits>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event_log.h"
#include "events/kafka/kafka_log.h"
#include "events/result.h"

namespace xyd::log::kafka {

// Every raw librdkafka object is owned by one of these from the moment it is created.
template <auto Destroy>
struct Destroyer {
  template <typename T>
  void operator()(T* p) const noexcept {
    if (p != nullptr) Destroy(p);
  }
};
using HandlePtr = std::unique_ptr<rd_kafka_t, Destroyer<&rd_kafka_destroy>>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, Destroyer<&rd_kafka_conf_destroy>>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, Destroyer<&rd_kafka_queue_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, Destroyer<&rd_kafka_event_destroy>>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, Destroyer<&rd_kafka_error_destroy>>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, Destroyer<&rd_kafka_message_destroy>>;
using HeadersPtr = std::unique_ptr<rd_kafka_headers_t, Destroyer<&rd_kafka_headers_destroy>>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, Destroyer<&rd_kafka_metadata_destroy>>;
using PartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, Destroyer<&rd_kafka_topic_partition_list_destroy>>;
using GroupMetadataPtr =
    std::unique_ptr<rd_kafka_consumer_group_metadata_t, Destroyer<&rd_kafka_consumer_group_metadata_destroy>>;
using AdminOptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, Destroyer<&rd_kafka_AdminOptions_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, Destroyer<&rd_kafka_NewTopic_destroy>>;

using Clock = std::chrono::steady_clock;
using Settings = std::vector<std::pair<std::string, std::string>>;

// Which kind of handle a configuration is for (decides which overrides apply).
enum class Role { producer, admin, consumer };

// A librdkafka configuration: brokers and client id, then `settings` in order, then the
// options.overrides that apply to `role` (see README.md: "producer." / "consumer." prefixes, and
// producer-only or consumer-only librdkafka properties go only to that kind of handle).
Result<ConfPtr> make_conf(const KafkaLogOptions& options, Role role, const Settings& settings);

// rd_kafka_new; takes `conf` (librdkafka owns it once the handle exists).
Result<HandlePtr> new_handle(rd_kafka_type_t type, ConfPtr conf, std::string_view what);

// "NAME (description)" of a librdkafka error code.
std::string err_text(rd_kafka_resp_err_t err);
// "NAME: message" of a librdkafka error object.
std::string err_text(const rd_kafka_error_t* err);
// "xyd kafka: <text>" on stderr.
void warn(const std::string& text);

inline int to_ms(std::chrono::milliseconds d) {
  if (d.count() <= 0) return 0;
  if (d.count() >= INT_MAX) return INT_MAX;
  return static_cast<int>(d.count());
}
inline int remaining_ms(Clock::time_point deadline) {
  const auto now = Clock::now();
  if (deadline <= now) return 0;
  return to_ms(std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
}
// "30 s", "500 ms".
std::string duration_text(std::chrono::milliseconds d);

// "<host>-<pid>": names transactional ids and throwaway groups of this process.
std::string host_and_pid();

// The settings of every consumer of xyd: the caller stores offsets, reads only committed records.
Settings consumer_settings(const std::string& group);

// Which partitions a live subscription holds; written on its polling thread, read by append().
struct Assignment {
  mutable std::mutex mutex;
  std::set<TopicPartition> partitions;
};

// The live subscriptions of one EventLog, by consumer group. append() sends the
// consumed offsets of a group with the group metadata (generation, member id) of a live member of
// that group, so the broker refuses them once that member has lost its partitions (fencing).
class SubscriptionRegistry {
 public:
  void add(const std::string& group, rd_kafka_t* consumer, std::shared_ptr<const Assignment> assignment);
  void remove(rd_kafka_t* consumer);
  // The metadata of a live member holding all `tps` (else any live member of the group, else a
  // member-less metadata for the group id).
  GroupMetadataPtr metadata(const std::string& group, const std::vector<TopicPartition>& tps) const;

 private:
  struct Entry {
    std::string group;
    rd_kafka_t* consumer;
    std::shared_ptr<const Assignment> assignment;
  };
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
};

// Converts a consumed message (err == 0) to a Record.
Record to_record(const rd_kafka_message_t* message);

Result<std::unique_ptr<Reader>> open_reader(const KafkaLogOptions& options);
Result<std::unique_ptr<Subscription>> open_subscription(std::shared_ptr<SubscriptionRegistry> registry,
                                                        const KafkaLogOptions& options, const std::string& group,
                                                        const std::vector<std::string>& topics,
                                                        RebalanceListener listener);
// The group's committed offsets, read with a short-lived consumer of that group.
Result<std::map<TopicPartition, int64_t>> fetch_committed(const KafkaLogOptions& options, const std::string& group,
                                                          const std::vector<TopicPartition>& tps);

}  // namespace xyd::log::kafka

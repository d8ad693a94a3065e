// EventLog: the one interface over the two log backends (embedded RocksDB, Apache Kafka).
// Topics have partitions; records in a partition have strictly increasing offsets; a batch is
// appended atomically (a transaction), optionally together with the consumer offsets it consumed.
// An EventLog is safe for concurrent use from many threads; a Reader or Subscription belongs to
// the one thread that polls it.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "events/result.h"

namespace xyd::log {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
  std::string to_string() const { return topic + "/" + std::to_string(partition); }
};

struct Header {
  std::string key;
  std::string value;
  bool operator==(const Header&) const = default;
};

// A record to append. Without a partition, the partition is murmur2(key) % partitions, as
// Kafka's Java clients and librdkafka's murmur2_random partitioner compute it.
struct OutRecord {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<Header> headers;
  std::optional<int32_t> partition;
};

// A record read back from the log.
struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<Header> headers;
  int64_t timestamp_ms = 0;

  TopicPartition tp() const { return {topic, partition}; }
  const std::string* header(std::string_view name) const;
};

// Where an appended record landed.
struct Position {
  TopicPartition tp;
  int64_t offset = 0;
  bool operator==(const Position&) const = default;
};

// The positions a consumer group has consumed up to: for each partition, the next offset to read.
// Appended together with a batch, they commit exactly when the batch commits.
struct ConsumedOffsets {
  std::string group;
  std::map<TopicPartition, int64_t> next_offsets;
};

struct TopicSpec {
  std::string name;
  int32_t partitions = 1;
};

// A reader of explicitly assigned partitions, from offsets the caller chooses (it stores its own
// offsets). Sees only committed records (read_committed). Owned and polled by one thread.
class Reader {
 public:
  virtual ~Reader() = default;
  // Replaces the assignment: each partition is read from the given offset.
  [[nodiscard]] virtual Status assign(const std::map<TopicPartition, int64_t>& start_offsets) = 0;
  // Waits up to `timeout` for at least one record; returns up to `max_records` (possibly none).
  virtual Result<std::vector<Record>> poll(std::chrono::milliseconds timeout, size_t max_records) = 0;
  // The next offset this reader will return for an assigned partition: past every record
  // returned so far, and on Kafka past transaction markers, so `position >= end_offset` means
  // caught up.
  virtual Result<int64_t> position(const TopicPartition& tp) = 0;
};

// Told of partitions gained and lost by a group member, on the polling thread, inside poll().
struct RebalanceListener {
  std::function<void(const std::vector<TopicPartition>&)> assigned;
  std::function<void(const std::vector<TopicPartition>&)> revoked;
};

// A member of a consumer group: the group shares the partitions of its topics among its members
// (on Kafka, the broker's group coordinator does it). Each assigned partition is read from the
// group's committed offset (see ConsumedOffsets), or from the beginning. Owned by one thread.
class Subscription {
 public:
  virtual ~Subscription() = default;
  virtual Result<std::vector<Record>> poll(std::chrono::milliseconds timeout, size_t max_records) = 0;
  virtual std::vector<TopicPartition> assignment() const = 0;
  virtual const std::string& group() const = 0;
  // The next offset poll() will return for an assigned partition, past every record returned and,
  // on Kafka, past the transaction markers read after them (committing it leaves lag 0 at rest);
  // -1 while unknown (nothing fetched yet).
  virtual Result<int64_t> position(const TopicPartition& tp) = 0;
};

// The event log. Every method may be called from any thread.
class EventLog {
 public:
  virtual ~EventLog() = default;

  // "embedded" or "kafka".
  virtual std::string backend() const = 0;
  // A one-line description of where it is: the data folder or the bootstrap servers.
  virtual std::string where() const = 0;
  // Whether the log answers now (for /healthz); a short, bounded check.
  [[nodiscard]] virtual Status ping() = 0;

  // Creates topics that do not exist (unlimited retention, never compacted). An existing topic
  // with another partition count is an error.
  [[nodiscard]] virtual Status create_topics(const std::vector<TopicSpec>& topics) = 0;
  virtual Result<int32_t> partition_count(const std::string& topic) = 0;
  virtual Result<std::vector<std::string>> list_topics() = 0;

  // Appends the records atomically and durably, with the offsets consumed if given; returns each
  // record's position, in order. Concurrent appends are grouped into one write (group commit).
  virtual Result<std::vector<Position>> append(std::span<const OutRecord> records,
                                               const ConsumedOffsets* offsets = nullptr) = 0;

  // The offset the next record of the partition will get (the high watermark on Kafka).
  virtual Result<int64_t> end_offset(const TopicPartition& tp) = 0;
  // The first offset still held.
  virtual Result<int64_t> begin_offset(const TopicPartition& tp) = 0;
  // The group's committed next offsets; a partition never committed is absent.
  virtual Result<std::map<TopicPartition, int64_t>> committed(const std::string& group,
                                                              const std::vector<TopicPartition>& tps) = 0;

  virtual Result<std::unique_ptr<Reader>> reader() = 0;
  virtual Result<std::unique_ptr<Subscription>> subscribe(const std::string& group,
                                                          const std::vector<std::string>& topics,
                                                          RebalanceListener listener) = 0;
};

// Partition of a key as Kafka's Java clients compute it: toPositive(murmur2(key)) % partitions.
int32_t partition_for_key(std::string_view key, int32_t partitions);
uint32_t murmur2(std::string_view data);

}  // namespace xyd::log

// The embedded EventLog: RocksDB column family "records" holds every record under
// (topic, partition, offset); the default column family holds topics and consumer-group offsets.
// Appends go through GroupCommit: the leader assigns offsets, writes one synced WriteBatch, then
// publishes the new end offsets, so readers never see a record before it is durable.
#include "events/embedded/embedded_log.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "events/embedded/record_codec.h"
#include "events/group_commit.h"
#include "events/numbers.h"
#include "events/rocks/private_files.h"
#include "events/rocks/rocks_status.h"

namespace xyd::log {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRecordsFamily = "records";
constexpr const char* kTopicPrefix = "t/";
constexpr const char* kOffsetPrefix = "o/";

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using rocks::error_of;

std::string offset_key(const std::string& group, const TopicPartition& tp) {
  std::string key = kOffsetPrefix + group;
  key.push_back('\0');
  return key + partition_prefix(tp);
}

// The (topic, partition) prefix of a record key. RocksDB keeps an insert hint per prefix, so
// appends to interleaved partitions stay cheap tail inserts into the memtable.
class PartitionPrefix final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "xyd.PartitionPrefix"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), key.size() - 8);
  }
  bool InDomain(const rocksdb::Slice& key) const override { return key.size() > 12; }
};

// One append waiting in the group-commit queue.
struct PendingAppend {
  std::span<const OutRecord> records;
  const ConsumedOffsets* offsets = nullptr;
  Result<std::vector<Position>> outcome = make_error(Errc::fatal, "not written");
};

class EmbeddedLog;

// A reader of assigned partitions; waits on the log's append signal. Owned by one thread.
class EmbeddedReader final : public Reader {
 public:
  explicit EmbeddedReader(EmbeddedLog& log) : log_(log) {}
  Status assign(const std::map<TopicPartition, int64_t>& start_offsets) override;
  Result<std::vector<Record>> poll(std::chrono::milliseconds timeout, size_t max_records) override;
  Result<int64_t> position(const TopicPartition& tp) override {
    auto found = positions_.find(tp);
    if (found == positions_.end())
      return make_error(Errc::not_found, tp.to_string() + " is not assigned to this reader", "partition", "assigned");
    return found->second;
  }

 private:
  EmbeddedLog& log_;
  std::map<TopicPartition, int64_t> positions_;
  size_t next_partition_ = 0;  // round-robin start, so no partition starves
};

class EmbeddedSubscription;

// Shares partitions among the subscriptions of one group in this process.
struct GroupState {
  std::vector<EmbeddedSubscription*> members;
  uint64_t generation = 0;
};

class EmbeddedLog final : public EventLog {
 public:
  EmbeddedLog(EmbeddedLogOptions options, std::unique_ptr<rocksdb::DB> db,
              std::vector<rocksdb::ColumnFamilyHandle*> handles)
      : options_(std::move(options)), db_(std::move(db)), meta_(handles[0]), records_(handles[1]) {}

  ~EmbeddedLog() override {
    db_->DestroyColumnFamilyHandle(meta_);
    db_->DestroyColumnFamilyHandle(records_);
  }

  Status load() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
    for (it->Seek(kTopicPrefix); it->Valid() && it->key().starts_with(rocksdb::Slice(kTopicPrefix)); it->Next()) {
      std::string topic = it->key().ToString().substr(2);
      XYD_ASSIGN_OR_RETURN(const int64_t partitions,
                           read_stored_number(it->value().ToString(), 1, INT32_MAX, "the partition count of " + topic));
      topics_[topic] = partitions;
      for (int32_t p = 0; p < partitions; ++p) {
        TopicPartition tp{topic, p};
        ends_[tp] = scan_end(tp);
      }
    }
    return it->status().ok() ? Status() : Status(error_of(it->status(), "reading topics"));
  }

  std::string backend() const override { return "embedded"; }
  std::string where() const override { return options_.path; }
  Status ping() override { return Status(); }

  Status create_topics(const std::vector<TopicSpec>& topics) override {
    if (options_.read_only) return read_only_error();
    std::unique_lock lock(state_mutex_);
    rocksdb::WriteBatch batch;
    std::vector<TopicSpec> created;
    for (const auto& spec : topics) {
      XYD_RETURN_IF_ERROR(check_topic_name(spec.name));
      if (spec.partitions < 1)
        return make_error(Errc::invalid_argument, "topic " + spec.name + " needs at least one partition", "partitions",
                          "minimum-1");
      auto found = topics_.find(spec.name);
      if (found != topics_.end()) {
        if (found->second != spec.partitions)
          return make_error(Errc::conflict,
                            "topic " + spec.name + " exists with " + std::to_string(found->second) +
                                " partitions, not " + std::to_string(spec.partitions),
                            "partitions", "partition-count-fixed");
        continue;
      }
      batch.Put(meta_, kTopicPrefix + spec.name, std::to_string(spec.partitions));
      created.push_back(spec);
    }
    if (created.empty()) return Status();
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    auto s = db_->Write(write_options, &batch);
    if (!s.ok()) return error_of(s, "creating topics");
    for (const auto& spec : created) {
      topics_[spec.name] = spec.partitions;
      for (int32_t p = 0; p < spec.partitions; ++p) ends_[{spec.name, p}] = 0;
    }
    return Status();
  }

  Result<int32_t> partition_count(const std::string& topic) override {
    std::shared_lock lock(state_mutex_);
    auto found = topics_.find(topic);
    if (found == topics_.end()) return unknown_topic(topic);
    return found->second;
  }

  Result<std::vector<std::string>> list_topics() override {
    std::shared_lock lock(state_mutex_);
    std::vector<std::string> names;
    for (const auto& [name, partitions] : topics_) names.push_back(name);
    return names;
  }

  Result<std::vector<Position>> append(std::span<const OutRecord> records, const ConsumedOffsets* offsets) override {
    if (options_.read_only) return read_only_error();
    PendingAppend pending{records, offsets};
    appends_.submit(pending, [this](std::vector<PendingAppend*>& group) { write_group(group); });
    return std::move(pending.outcome);
  }

  Result<int64_t> end_offset(const TopicPartition& tp) override {
    std::shared_lock lock(state_mutex_);
    auto found = ends_.find(tp);
    if (found == ends_.end()) return unknown_partition(tp);
    return found->second;
  }

  Result<int64_t> begin_offset(const TopicPartition& tp) override {
    {
      std::shared_lock lock(state_mutex_);
      if (!ends_.contains(tp)) return unknown_partition(tp);
    }
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), records_));
    it->Seek(record_key(tp, 0));
    if (it->Valid() && it->key().ToStringView().starts_with(partition_prefix(tp)))
      return decode_offset(it->key().ToStringView());
    return int64_t{0};
  }

  Result<std::map<TopicPartition, int64_t>> committed(const std::string& group,
                                                      const std::vector<TopicPartition>& tps) override {
    std::map<TopicPartition, int64_t> result;
    for (const auto& tp : tps) {
      std::string value;
      auto s = db_->Get(rocksdb::ReadOptions(), meta_, offset_key(group, tp), &value);
      if (s.IsNotFound()) continue;
      if (!s.ok()) return error_of(s, "reading committed offsets of group " + group);
      XYD_ASSIGN_OR_RETURN(
          result[tp],
          read_stored_number(value, 0, INT64_MAX, "the committed offset of " + group + " on " + tp.to_string()));
    }
    return result;
  }

  Result<std::unique_ptr<Reader>> reader() override { return std::unique_ptr<Reader>(new EmbeddedReader(*this)); }

  Result<std::unique_ptr<Subscription>> subscribe(const std::string& group, const std::vector<std::string>& topics,
                                                  RebalanceListener listener) override;

  // --- used by readers and subscriptions ---

  // Reads records of `tp` from `from` up to the published end, at most `max`; returns next offset.
  Result<int64_t> read_partition(const TopicPartition& tp, int64_t from, size_t max, std::vector<Record>& out) {
    int64_t end;
    {
      std::shared_lock lock(state_mutex_);
      end = ends_.at(tp);
    }
    if (from >= end || max == 0) return from;
    rocksdb::ReadOptions read_options;
    std::string upper = record_key(tp, end);
    rocksdb::Slice upper_slice(upper);
    read_options.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, records_));
    int64_t next = from;
    for (it->Seek(record_key(tp, from)); it->Valid() && max > 0; it->Next(), --max) {
      Record record;
      record.topic = tp.topic;
      record.partition = tp.partition;
      record.offset = decode_offset(it->key().ToStringView());
      if (!decode_record_value(it->value().ToStringView(), record))
        return make_error(Errc::corrupt, "record " + tp.to_string() + "@" + std::to_string(record.offset) +
                                             " of the embedded log does not decode");
      next = record.offset + 1;
      out.push_back(std::move(record));
    }
    if (!it->status().ok()) return error_of(it->status(), "reading " + tp.to_string());
    return next;
  }

  bool has_partition(const TopicPartition& tp) {
    std::shared_lock lock(state_mutex_);
    return ends_.contains(tp);
  }

  // Waits until an append publishes after `seen`, or the deadline passes.
  void wait_for_append(uint64_t seen, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(signal_mutex_);
    appended_.wait_until(lock, deadline, [&] { return append_sequence_ != seen; });
  }
  uint64_t append_sequence() {
    std::lock_guard lock(signal_mutex_);
    return append_sequence_;
  }

  std::vector<TopicPartition> partitions_of(const std::vector<std::string>& topics) {
    std::shared_lock lock(state_mutex_);
    std::vector<TopicPartition> tps;
    for (const auto& topic : topics) {
      auto found = topics_.find(topic);
      if (found == topics_.end()) continue;
      for (int32_t p = 0; p < found->second; ++p) tps.push_back({topic, p});
    }
    return tps;
  }

  std::mutex groups_mutex_;
  std::map<std::string, GroupState> groups_;

 private:
  static Status check_topic_name(const std::string& name) {
    bool legal = !name.empty() && name.size() <= 249 && name != "." && name != "..";
    for (char c : name)
      legal = legal && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
    if (!legal)
      return make_error(Errc::invalid_argument, "topic name '" + name + "' is not valid", "topic",
                        "1-249 of [a-zA-Z0-9._-], as Kafka");
    return Status();
  }
  Error read_only_error() const {
    return make_error(Errc::invalid_argument, "the embedded log at " + options_.path + " is open read-only", "log",
                      "writable");
  }
  static Error unknown_topic(const std::string& topic) {
    return make_error(Errc::not_found,
                      "topic " + topic + " does not exist: create it first (xyd serve creates the xyd topics)", "topic",
                      "must-exist");
  }
  static Error unknown_partition(const TopicPartition& tp) {
    return make_error(Errc::not_found, "partition " + tp.to_string() + " does not exist", "partition", "must-exist");
  }

  int64_t scan_end(const TopicPartition& tp) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), records_));
    it->SeekForPrev(record_key(tp, INT64_MAX));
    if (it->Valid() && it->key().ToStringView().starts_with(partition_prefix(tp)))
      return decode_offset(it->key().ToStringView()) + 1;
    return 0;
  }

  // Leader of a group commit: one WriteBatch, one synced write, then publish the new ends.
  void write_group(std::vector<PendingAppend*>& group) {
    rocksdb::WriteBatch batch;
    std::map<TopicPartition, int64_t> next_ends;
    std::vector<std::vector<Position>> positions(group.size());
    std::vector<bool> accepted(group.size(), false);
    const int64_t timestamp = now_ms();
    std::string key, value;  // reused buffers
    size_t record_count = 0;
    {
      std::shared_lock lock(state_mutex_);
      std::vector<int32_t> partitions;
      for (size_t i = 0; i < group.size(); ++i) {
        const auto& records = group[i]->records;
        auto planned = choose_partitions(records, partitions);
        if (!planned.ok()) {
          group[i]->outcome = planned.error();
          continue;
        }
        accepted[i] = true;
        positions[i].reserve(records.size());
        for (size_t r = 0; r < records.size(); ++r) {
          TopicPartition tp{records[r].topic, partitions[r]};
          auto [slot, inserted] = next_ends.try_emplace(tp, 0);
          if (inserted) slot->second = ends_.at(tp);
          const int64_t offset = slot->second++;
          key.clear();
          append_record_key(key, tp, offset);
          value.clear();
          append_record_value(value, records[r], timestamp);
          batch.Put(records_, key, value);
          positions[i].push_back({std::move(tp), offset});
          ++record_count;
        }
        if (const auto* offsets = group[i]->offsets)
          for (const auto& [tp, next] : offsets->next_offsets)
            batch.Put(meta_, offset_key(offsets->group, tp), std::to_string(next));
      }
    }
    if (batch.Count() > 0) {
      rocksdb::WriteOptions write_options;
      write_options.sync = options_.sync;
      auto s = db_->Write(write_options, &batch);
      if (!s.ok()) {
        for (size_t i = 0; i < group.size(); ++i)
          if (accepted[i]) group[i]->outcome = error_of(s, "appending to the embedded log");
        return;
      }
    }
    {
      std::unique_lock lock(state_mutex_);
      for (const auto& [tp, end] : next_ends) ends_[tp] = end;
    }
    for (size_t i = 0; i < group.size(); ++i)
      if (accepted[i]) group[i]->outcome = std::move(positions[i]);
    if (record_count > 0) {
      std::lock_guard lock(signal_mutex_);
      ++append_sequence_;
      appended_.notify_all();
    }
  }

  // Validates one append's records and picks each one's partition (caller holds state_mutex_):
  // the explicit one, else murmur2 of the key, else round-robin.
  Status choose_partitions(std::span<const OutRecord> records, std::vector<int32_t>& partitions) {
    partitions.clear();
    const std::string* last_topic = nullptr;
    int32_t count = 0;
    for (const auto& record : records) {
      if (!last_topic || *last_topic != record.topic) {
        auto topic = topics_.find(record.topic);
        if (topic == topics_.end()) return unknown_topic(record.topic);
        last_topic = &topic->first;
        count = topic->second;
      }
      int32_t partition;
      if (record.partition) {
        partition = *record.partition;
        if (partition < 0 || partition >= count) return unknown_partition({record.topic, partition});
      } else if (record.key.empty()) {
        partition = static_cast<int32_t>(round_robin_++ % static_cast<uint64_t>(count));
      } else {
        partition = partition_for_key(record.key, count);
      }
      partitions.push_back(partition);
    }
    return Status();
  }

  EmbeddedLogOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* meta_;
  rocksdb::ColumnFamilyHandle* records_;

  std::shared_mutex state_mutex_;  // guards topics_ and ends_ (the published end offsets)
  std::map<std::string, int32_t> topics_;
  std::map<TopicPartition, int64_t> ends_;
  std::atomic<uint64_t> round_robin_{0};

  GroupCommit<PendingAppend> appends_{4096};

  std::mutex signal_mutex_;
  std::condition_variable appended_;
  uint64_t append_sequence_ = 0;
};

Status EmbeddedReader::assign(const std::map<TopicPartition, int64_t>& start_offsets) {
  for (const auto& [tp, offset] : start_offsets)
    if (!log_.has_partition(tp))
      return make_error(Errc::not_found, "partition " + tp.to_string() + " does not exist", "partition", "must-exist");
  positions_ = start_offsets;
  return Status();
}

Result<std::vector<Record>> EmbeddedReader::poll(std::chrono::milliseconds timeout, size_t max_records) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<Record> out;
  while (true) {
    uint64_t seen = log_.append_sequence();
    if (!positions_.empty()) {
      // Round-robin over partitions so that a long partition does not starve the others.
      std::vector<std::map<TopicPartition, int64_t>::iterator> order;
      for (auto it = positions_.begin(); it != positions_.end(); ++it) order.push_back(it);
      for (size_t i = 0; i < order.size() && out.size() < max_records; ++i) {
        auto& [tp, position] = *order[(next_partition_ + i) % order.size()];
        XYD_ASSIGN_OR_RETURN(position, log_.read_partition(tp, position, max_records - out.size(), out));
      }
      next_partition_ = (next_partition_ + 1) % order.size();
    }
    if (!out.empty() || std::chrono::steady_clock::now() >= deadline) return out;
    log_.wait_for_append(seen, deadline);
  }
}

// A member of an in-process consumer group: partitions are split round-robin among members;
// changes of membership are applied in the member's own poll(). Owned by one thread.
class EmbeddedSubscription final : public Subscription {
 public:
  EmbeddedSubscription(EmbeddedLog& log, std::string group, std::vector<std::string> topics, RebalanceListener listener)
      : log_(log), group_(std::move(group)), topics_(std::move(topics)), listener_(std::move(listener)), reader_(log) {}

  ~EmbeddedSubscription() override {
    std::lock_guard lock(log_.groups_mutex_);
    auto& state = log_.groups_[group_];
    std::erase(state.members, this);
    ++state.generation;
  }

  void join() {
    std::lock_guard lock(log_.groups_mutex_);
    auto& state = log_.groups_[group_];
    state.members.push_back(this);
    ++state.generation;
  }

  Result<std::vector<Record>> poll(std::chrono::milliseconds timeout, size_t max_records) override {
    XYD_RETURN_IF_ERROR(rebalance_if_needed());
    return reader_.poll(timeout, max_records);
  }

  std::vector<TopicPartition> assignment() const override { return assignment_; }
  const std::string& group() const override { return group_; }
  Result<int64_t> position(const TopicPartition& tp) override {
    auto at = reader_.position(tp);
    return at.ok() ? at : Result<int64_t>(int64_t{-1});
  }

 private:
  Status rebalance_if_needed() {
    std::vector<TopicPartition> mine;
    {
      std::lock_guard lock(log_.groups_mutex_);
      auto& state = log_.groups_[group_];
      if (state.generation == generation_) return Status();
      generation_ = state.generation;
      auto members = state.members;
      std::sort(members.begin(), members.end());
      size_t index = std::find(members.begin(), members.end(), this) - members.begin();
      auto all = log_.partitions_of(topics_);
      for (size_t i = 0; i < all.size(); ++i)
        if (i % members.size() == index) mine.push_back(all[i]);
    }
    if (mine == assignment_) return Status();
    if (!assignment_.empty() && listener_.revoked) listener_.revoked(assignment_);
    XYD_ASSIGN_OR_RETURN(auto committed, log_.committed(group_, mine));
    std::map<TopicPartition, int64_t> starts;
    for (const auto& tp : mine) starts[tp] = committed.contains(tp) ? committed[tp] : 0;
    XYD_RETURN_IF_ERROR(reader_.assign(starts));
    assignment_ = mine;
    if (listener_.assigned) listener_.assigned(assignment_);
    return Status();
  }

  EmbeddedLog& log_;
  std::string group_;
  std::vector<std::string> topics_;
  RebalanceListener listener_;
  EmbeddedReader reader_;
  std::vector<TopicPartition> assignment_;
  uint64_t generation_ = 0;
};

Result<std::unique_ptr<Subscription>> EmbeddedLog::subscribe(const std::string& group,
                                                             const std::vector<std::string>& topics,
                                                             RebalanceListener listener) {
  if (group.empty()) return make_error(Errc::invalid_argument, "a subscription needs a group", "group", "required");
  for (const auto& topic : topics) XYD_RETURN_IF_ERROR(partition_count(topic));
  auto subscription = std::make_unique<EmbeddedSubscription>(*this, group, topics, std::move(listener));
  subscription->join();
  return std::unique_ptr<Subscription>(std::move(subscription));
}

}  // namespace

Result<std::unique_ptr<EventLog>> open_embedded_log(const EmbeddedLogOptions& options) {
  // Private from the start: the log holds personal data (0700 for it and any parent it creates).
  if (auto created = create_private_folder(options.path); !created.ok())
    return make_error(Errc::unavailable,
                      created.error().message + " (choose another data folder with --data or XYD_DATA)");
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  // Bounded memory: at most 3 memtables of 64 MiB for records, small ones for topics and offsets.
  rocksdb::ColumnFamilyOptions family_options;
  family_options.write_buffer_size = 8 << 20;
  family_options.max_write_buffer_number = 2;
  rocksdb::ColumnFamilyOptions records_options;
  records_options.write_buffer_size = 64 << 20;
  records_options.max_write_buffer_number = 3;
  records_options.compression = rocksdb::kLZ4Compression;
  records_options.memtable_insert_with_hint_prefix_extractor = std::make_shared<PartitionPrefix>();
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, family_options},
      {kRecordsFamily, records_options},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    // A secondary instance reads the files of a primary that may be running; it needs a folder
    // of its own for its info log.
    db_options.max_open_files = -1;
    const std::string secondary =
        (std::filesystem::temp_directory_path() / ("xyd-secondary-" + std::to_string(::getpid()))).string();
    s = rocksdb::DB::OpenAsSecondary(db_options, options.path, secondary, families, &handles, &raw);
    if (s.ok()) s = raw->TryCatchUpWithPrimary();
  } else {
    s = rocksdb::DB::Open(db_options, options.path, families, &handles, &raw);
  }
  if (!s.ok())
    return rocks::open_error(s, "the embedded log", options.path,
                             "another xyd process, such as xyd serve, is using this data folder; "
                             "`xyd log tail` without --follow reads beside it");
  auto log = std::make_unique<EmbeddedLog>(options, std::unique_ptr<rocksdb::DB>(raw), handles);
  XYD_RETURN_IF_ERROR(log->load());
  return std::unique_ptr<EventLog>(std::move(log));
}

}  // namespace xyd::log

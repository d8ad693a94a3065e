#include "aggregates/processor/aggregate_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <filesystem>

#include "events/numbers.h"
#include "events/rocks/rocks_status.h"

namespace xyd::domain {
namespace {

std::string state_key(const std::string& type, const std::string& id) {
  return "s/" + type + "/" + id;
}
std::string outcome_key(const std::string& command_id) {
  return "i/" + command_id;
}
std::string position_key(const log::TopicPartition& tp) {
  return "p/" + tp.topic + "/" + std::to_string(tp.partition);
}

Error rocks_error(const rocksdb::Status& s, const std::string& what) {
  return rocks::error_of(s, "aggregate store: " + what);
}

// The RocksDB implementation; RocksDB itself makes it thread-safe.
class RocksAggregateStore final : public AggregateStore {
 public:
  explicit RocksAggregateStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

  Result<AggregateState> load(const std::string& type, const std::string& id) override {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), state_key(type, id), &value);
    if (s.IsNotFound()) return AggregateState{};
    if (!s.ok()) return rocks_error(s, "reading " + type + "/" + id);
    auto json = nlohmann::json::parse(value, nullptr, false);
    if (json.is_discarded()) return make_error(Errc::corrupt, "stored state of " + type + "/" + id + " does not parse");
    return state_from_json(json);
  }

  Result<std::optional<nlohmann::json>> outcome(const std::string& command_id) override {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), outcome_key(command_id), &value);
    if (s.IsNotFound()) return std::optional<nlohmann::json>();
    if (!s.ok()) return rocks_error(s, "reading the outcome of " + command_id);
    return std::optional<nlohmann::json>(nlohmann::json::parse(value, nullptr, false));
  }

  Result<int64_t> position(const log::TopicPartition& tp) override {
    std::string value;
    auto s = db_->Get(rocksdb::ReadOptions(), position_key(tp), &value);
    if (s.IsNotFound()) return int64_t{0};
    if (!s.ok()) return rocks_error(s, "reading the position of " + tp.to_string());
    return read_stored_number(value, 0, INT64_MAX, "the position of " + tp.to_string());
  }

  Status write(const Batch& batch) override {
    rocksdb::WriteBatch wb;
    for (const auto& [key, state] : batch.states) wb.Put(state_key(key.first, key.second), to_json(state).dump());
    for (const auto& [id, outcome] : batch.outcomes) wb.Put(outcome_key(id), outcome.dump());
    for (const auto& [tp, next] : batch.positions) wb.Put(position_key(tp), std::to_string(next));
    // Not synced: the log is the truth; a lost tail of this write is caught up from the log.
    auto s = db_->Write(rocksdb::WriteOptions(), &wb);
    return s.ok() ? Status() : Status(rocks_error(s, "writing a batch"));
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace

Result<std::unique_ptr<AggregateStore>> AggregateStore::open(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  rocksdb::Options options;
  options.create_if_missing = true;
  options.max_background_jobs = 2;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok())
    return rocks::open_error(s, "the aggregate store", path, "another xyd process is using this data folder");
  return std::unique_ptr<AggregateStore>(new RocksAggregateStore(std::unique_ptr<rocksdb::DB>(raw)));
}

}  // namespace xyd::domain

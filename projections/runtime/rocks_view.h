// The RocksDB side of ViewWriter and ViewReader, over one version's column family.
// RocksViewWriter builds one batch (rows, then the offsets) for the worker's applying thread;
// RocksViewReader reads one consistent snapshot for one request thread, holding the version
// alive while it reads.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "events/event_log.h"
#include "projections/projection.h"
#include "projections/runtime/store.h"

namespace xyd::projections::runtime {

// Keys the runtime keeps in a version's family beside the rows; projections never start a key
// with a NUL byte.
std::string offset_key(const log::TopicPartition& tp);
std::string rejected_key(const log::TopicPartition& tp, int64_t offset);
inline constexpr char kRuntimeKeyByte = '\0';

// Reads the stored next offsets of a version (its committed position in the log).
Result<std::map<log::TopicPartition, int64_t>> stored_offsets(const VersionHandle& version);

class RocksViewWriter final : public ViewWriter {
 public:
  explicit RocksViewWriter(const VersionHandle& version) : db_(version.db()), family_(version.family()) {}

  Result<std::optional<std::string>> get(std::string_view key) override;
  Result<std::optional<std::pair<std::string, std::string>>> last_committed(std::string_view prefix) override;
  void put(std::string_view key, std::string_view value) override;
  void append(std::string_view key, std::string_view value) override;
  void erase(std::string_view key) override;

  // The runtime's own writes: the offsets consumed and an event the projection refused.
  void put_offsets(const std::map<log::TopicPartition, int64_t>& next_offsets);
  void put_rejected(const log::Record& record, const Error& error);
  // A projection wrote a key the runtime reserves (a bug): the batch must not be written.
  bool misused() const { return misused_; }

  // The batch to write: the last put()/erase() of each key, then the append()ed rows, each part
  // sorted by key (sorted inserts land next to each other in the memtable: much cheaper than
  // scattered ones, and a key written many times in a batch reaches RocksDB once).
  rocksdb::WriteBatch& batch();
  void clear();

 private:
  bool reserved(std::string_view key);
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  rocksdb::WriteBatch batch_;
  std::unordered_map<std::string, std::optional<std::string>> written_;  // put()/erase() of this batch
  std::string appended_;  // append()ed rows: key and value, length-prefixed, one after another
  std::vector<std::pair<std::string_view, std::string_view>> sorted_;
  bool misused_ = false;
};

class RocksViewReader final : public ViewReader {
 public:
  explicit RocksViewReader(std::shared_ptr<VersionHandle> version);
  ~RocksViewReader() override;

  Result<std::optional<std::string>> get(std::string_view key) const override;
  std::unique_ptr<ViewCursor> cursor(std::string_view prefix) const override;
  Status scan(std::string_view prefix, std::string_view from,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  const VersionHandle& version() const { return *version_; }

 private:
  std::shared_ptr<VersionHandle> version_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace xyd::projections::runtime

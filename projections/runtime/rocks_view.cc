#include "projections/runtime/rocks_view.h"

#include <algorithm>

#include "events/rocks/rocks_status.h"
#include "projections/keys.h"

namespace xyd::projections::runtime {
namespace {

constexpr char kOffsetTag = 'o';
constexpr char kRejectedTag = 'r';

Error rocks_error(const rocksdb::Status& s, const std::string& what) {
  return rocks::error_of(s, what);
}

}  // namespace

std::string offset_key(const log::TopicPartition& tp) {
  std::string key{kRuntimeKeyByte, kOffsetTag};
  append_part(key, tp.topic);
  append_be32(key, static_cast<uint32_t>(tp.partition));
  return key;
}

std::string rejected_key(const log::TopicPartition& tp, int64_t offset) {
  std::string key{kRuntimeKeyByte, kRejectedTag};
  append_part(key, tp.topic);
  append_be32(key, static_cast<uint32_t>(tp.partition));
  append_be64(key, static_cast<uint64_t>(offset));
  return key;
}

Result<std::map<log::TopicPartition, int64_t>> stored_offsets(const VersionHandle& version) {
  std::map<log::TopicPartition, int64_t> offsets;
  const std::string prefix{kRuntimeKeyByte, kOffsetTag};
  std::unique_ptr<rocksdb::Iterator> it(version.db()->NewIterator(rocksdb::ReadOptions(), version.family()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string_view rest = it->key().ToStringView().substr(prefix.size());
    auto topic = take_part(rest);
    if (!topic || rest.size() != 4 || it->value().size() != 8)
      return make_error(Errc::corrupt, "a stored offset of " + version.info().projection + " version " +
                                           std::to_string(version.info().version) + " does not decode: rebuild it");
    offsets[{*topic, static_cast<int32_t>(read_be32(rest))}] =
        static_cast<int64_t>(read_be64(it->value().ToStringView()));
  }
  if (!it->status().ok()) return rocks_error(it->status(), "reading stored offsets");
  return offsets;
}

bool RocksViewWriter::reserved(std::string_view key) {
  if (!key.empty() && key.front() == kRuntimeKeyByte) {
    misused_ = true;
    return true;
  }
  return false;
}

Result<std::optional<std::string>> RocksViewWriter::get(std::string_view key) {
  if (auto found = written_.find(std::string(key)); found != written_.end()) return found->second;
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), family_, key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return rocks_error(s, "reading a view row");
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<std::pair<std::string, std::string>>> RocksViewWriter::last_committed(std::string_view prefix) {
  const std::string upper = prefix_end(prefix);
  rocksdb::Slice lower_slice(prefix.data(), prefix.size()), upper_slice(upper);
  rocksdb::ReadOptions options;
  options.iterate_lower_bound = &lower_slice;
  if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, family_));
  it->SeekToLast();
  if (!it->status().ok()) return rocks_error(it->status(), "reading a view row");
  if (!it->Valid()) return std::optional<std::pair<std::string, std::string>>();
  return std::optional<std::pair<std::string, std::string>>(
      std::make_pair(it->key().ToString(), it->value().ToString()));
}

void RocksViewWriter::put(std::string_view key, std::string_view value) {
  if (reserved(key)) return;
  written_[std::string(key)] = std::string(value);
}

void RocksViewWriter::append(std::string_view key, std::string_view value) {
  if (reserved(key)) return;
  append_be32(appended_, static_cast<uint32_t>(key.size()));
  append_be32(appended_, static_cast<uint32_t>(value.size()));
  appended_.append(key);
  appended_.append(value);
}

rocksdb::WriteBatch& RocksViewWriter::batch() {
  // One write per key put() or erase()d, its last value (a hot counter is bumped many times in a
  // batch), in key order.
  std::vector<const std::pair<const std::string, std::optional<std::string>>*> rows;
  rows.reserve(written_.size());
  for (const auto& row : written_) rows.push_back(&row);
  std::sort(rows.begin(), rows.end(), [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* row : rows) {
    const rocksdb::Slice key(row->first);
    if (row->second)
      batch_.Put(family_, key, rocksdb::Slice(*row->second));
    else
      batch_.Delete(family_, key);
  }
  sorted_.clear();
  for (std::string_view rest = appended_; rest.size() >= 8;) {
    const uint32_t k = read_be32(rest), v = read_be32(rest.substr(4));
    sorted_.emplace_back(rest.substr(8, k), rest.substr(8 + k, v));
    rest.remove_prefix(8 + k + v);
  }
  // Stable: of two appends of one key, the later still wins.
  std::stable_sort(sorted_.begin(), sorted_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [key, value] : sorted_)
    batch_.Put(family_, rocksdb::Slice(key.data(), key.size()), rocksdb::Slice(value.data(), value.size()));
  appended_.clear();
  return batch_;
}

void RocksViewWriter::erase(std::string_view key) {
  if (reserved(key)) return;
  written_[std::string(key)] = std::nullopt;
}

void RocksViewWriter::put_offsets(const std::map<log::TopicPartition, int64_t>& next_offsets) {
  std::string value;
  for (const auto& [tp, next] : next_offsets) {
    value.clear();
    append_be64(value, static_cast<uint64_t>(next));
    batch_.Put(family_, offset_key(tp), value);
  }
}

void RocksViewWriter::put_rejected(const log::Record& record, const Error& error) {
  batch_.Put(family_, rejected_key(record.tp(), record.offset), error.to_string());
}

void RocksViewWriter::clear() {
  batch_.Clear();
  written_.clear();
  appended_.clear();
  misused_ = false;
}

RocksViewReader::RocksViewReader(std::shared_ptr<VersionHandle> version)
    : version_(std::move(version)), snapshot_(version_->db()->GetSnapshot()) {}

RocksViewReader::~RocksViewReader() {
  version_->db()->ReleaseSnapshot(snapshot_);
}

Result<std::optional<std::string>> RocksViewReader::get(std::string_view key) const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  std::string value;
  auto s = version_->db()->Get(options, version_->family(), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return rocks_error(s, "reading a view row");
  return std::optional<std::string>(std::move(value));
}

namespace {

// A RocksDB iterator bounded to one prefix, on the reader's snapshot.
class RocksViewCursor final : public ViewCursor {
 public:
  RocksViewCursor(const VersionHandle& version, const rocksdb::Snapshot* snapshot, std::string_view prefix)
      : prefix_(prefix), upper_(prefix_end(prefix)), upper_slice_(upper_) {
    rocksdb::ReadOptions options;
    options.snapshot = snapshot;
    if (!upper_.empty()) options.iterate_upper_bound = &upper_slice_;
    it_.reset(version.db()->NewIterator(options, version.family()));
  }
  void seek(std::string_view key) override {
    const std::string_view start = key < prefix_ ? std::string_view(prefix_) : key;
    it_->Seek(rocksdb::Slice(start.data(), start.size()));
  }
  bool valid() const override { return it_->Valid() && it_->key().ToStringView().starts_with(prefix_); }
  std::string_view key() const override { return it_->key().ToStringView(); }
  std::string_view value() const override { return it_->value().ToStringView(); }
  void next() override { it_->Next(); }
  Status status() const override {
    if (it_->status().ok()) return Status();
    return rocks_error(it_->status(), "reading a view");
  }

 private:
  std::string prefix_, upper_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace

std::unique_ptr<ViewCursor> RocksViewReader::cursor(std::string_view prefix) const {
  return std::make_unique<RocksViewCursor>(*version_, snapshot_, prefix);
}

Status RocksViewReader::scan(std::string_view prefix, std::string_view from,
                             const std::function<bool(std::string_view, std::string_view)>& visit) const {
  const std::string upper = prefix_end(prefix);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  if (!upper.empty()) options.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(version_->db()->NewIterator(options, version_->family()));
  const std::string_view start = from.empty() || from < prefix ? prefix : from;
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid(); it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (!key.starts_with(prefix)) break;
    if (!key.empty() && key.front() == kRuntimeKeyByte) continue;
    if (!visit(key, it->value().ToStringView())) break;
  }
  if (!it->status().ok()) return rocks_error(it->status(), "scanning a view");
  return Status();
}

}  // namespace xyd::projections::runtime

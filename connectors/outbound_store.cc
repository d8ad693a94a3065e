#include "connectors/outbound_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "events/numbers.h"
#include "events/rocks/rocks_status.h"

namespace xyd::connectors {
namespace {

using nlohmann::json;

// Key layout (NUL separates parts; numbers are zero-padded so they sort):
//   o/<follower>/<topic>/<partition>  next offset        r/<application>    institution
//   s/<institution>                   subscription JSON  q/<institution>/<seq>         queued delivery
//   f/<scope>/<at ms>/<seq>           flow-log entry     d/<scope>/<seq>               dead letter
//   n                                 the last sequence number handed out
const std::string kSep(1, '\0');

std::string padded(uint64_t value, int width) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%0*llu", width, static_cast<unsigned long long>(value));
  return buffer;
}

std::string offsets_prefix(const std::string& follower) {
  return "o" + kSep + follower + kSep;
}
std::string queue_prefix(const std::string& institution) {
  return "q" + kSep + institution + kSep;
}
std::string flow_prefix(const std::string& scope) {
  return "f" + kSep + scope + kSep;
}
std::string dead_prefix(const std::string& scope) {
  return "d" + kSep + scope + kSep;
}

Status from_rocks(const rocksdb::Status& status, const std::string& what) {
  return rocks::status_of(status, "outbound store: " + what);
}

// Cursors show the key's tail with '.' for NUL (the tails are digits).
std::string to_cursor(std::string tail) {
  std::replace(tail.begin(), tail.end(), '\0', '.');
  return tail;
}
std::string from_cursor(std::string cursor) {
  std::replace(cursor.begin(), cursor.end(), '.', '\0');
  return cursor;
}

}  // namespace

OutboundStore::Batch::Batch() : batch_(std::make_unique<rocksdb::WriteBatch>()) {}
OutboundStore::Batch::~Batch() = default;

void OutboundStore::Batch::put_offsets(const std::string& follower,
                                       const std::map<log::TopicPartition, int64_t>& next) {
  for (const auto& [tp, offset] : next)
    batch_->Put(offsets_prefix(follower) + tp.topic + kSep + std::to_string(tp.partition), std::to_string(offset));
}
void OutboundStore::Batch::put_route(const std::string& application, const std::string& institution) {
  batch_->Put("r" + kSep + application, institution);
}
void OutboundStore::Batch::put_subscription(const std::string& institution, const json& subscription) {
  batch_->Put("s" + kSep + institution, subscription.dump());
}
void OutboundStore::Batch::enqueue(const std::string& institution, uint64_t seq, const json& delivery) {
  batch_->Put(queue_prefix(institution) + padded(seq, 20), delivery.dump());
}
void OutboundStore::Batch::replace(const std::string& key, const json& record) {
  batch_->Put(key, record.dump());
}
void OutboundStore::Batch::remove(const std::string& key) {
  batch_->Delete(key);
}
void OutboundStore::Batch::flow(const std::string& scope, int64_t at_ms, uint64_t seq, const json& entry) {
  batch_->Put(
      flow_prefix(scope) + padded(static_cast<uint64_t>(std::max<int64_t>(at_ms, 0)), 15) + kSep + padded(seq, 20),
      entry.dump());
}
void OutboundStore::Batch::dead_letter(const std::string& scope, uint64_t seq, const json& letter) {
  batch_->Put(dead_prefix(scope) + padded(seq, 20), letter.dump());
}

Result<std::unique_ptr<OutboundStore>> OutboundStore::open(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  XYD_RETURN_IF_ERROR(from_rocks(rocksdb::DB::Open(options, path, &raw), "opening " + path));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string stored;
  uint64_t seq = 0;
  if (db->Get(rocksdb::ReadOptions(), "n", &stored).ok()) {
    XYD_ASSIGN_OR_RETURN(const int64_t last, read_stored_number(stored, 0, INT64_MAX, "the last sequence of " + path));
    seq = static_cast<uint64_t>(last);
  }
  const auto now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return std::unique_ptr<OutboundStore>(new OutboundStore(std::move(db), std::max(seq, static_cast<uint64_t>(now_us))));
}

OutboundStore::OutboundStore(std::unique_ptr<rocksdb::DB> db, uint64_t seq) : db_(std::move(db)), seq_(seq) {}
OutboundStore::~OutboundStore() = default;

uint64_t OutboundStore::next_seq() {
  return ++seq_;
}

Status OutboundStore::write(Batch& batch) {
  batch.batch_->Put("n", std::to_string(seq_.load()));
  rocksdb::WriteOptions options;
  options.sync = true;
  return from_rocks(db_->Write(options, batch.batch_.get()), "writing");
}

Result<std::map<log::TopicPartition, int64_t>> OutboundStore::offsets(const std::string& follower) const {
  std::map<log::TopicPartition, int64_t> result;
  const std::string prefix = offsets_prefix(follower);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string tail = it->key().ToString().substr(prefix.size());
    const auto sep = tail.rfind('\0');
    if (sep == std::string::npos) continue;
    XYD_ASSIGN_OR_RETURN(const int64_t partition,
                         read_stored_number(tail.substr(sep + 1), 0, INT32_MAX, "a partition of " + follower));
    XYD_ASSIGN_OR_RETURN(result[log::TopicPartition(tail.substr(0, sep), static_cast<int32_t>(partition))],
                         read_stored_number(it->value().ToString(), 0, INT64_MAX, "an offset of " + follower));
  }
  XYD_RETURN_IF_ERROR(from_rocks(it->status(), "reading offsets"));
  return result;
}

Result<std::optional<std::string>> OutboundStore::route(const std::string& application) const {
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), "r" + kSep + application, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  XYD_RETURN_IF_ERROR(from_rocks(status, "reading a route"));
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<json>> OutboundStore::subscription(const std::string& institution) const {
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), "s" + kSep + institution, &value);
  if (status.IsNotFound()) return std::optional<json>();
  XYD_RETURN_IF_ERROR(from_rocks(status, "reading a subscription"));
  return std::optional<json>(json::parse(value, nullptr, false));
}

Result<std::vector<std::string>> OutboundStore::queued_institutions() const {
  std::vector<std::string> institutions;
  const std::string prefix = "q" + kSep;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->Seek(prefix);
  while (it->Valid() && it->key().starts_with(prefix)) {
    const std::string tail = it->key().ToString().substr(prefix.size());
    const std::string institution = tail.substr(0, tail.find('\0'));
    institutions.push_back(institution);
    it->Seek(prefix + institution + std::string(1, '\1'));  // past this institution's entries
  }
  XYD_RETURN_IF_ERROR(from_rocks(it->status(), "scanning the queue"));
  return institutions;
}

Result<std::vector<QueuedDelivery>> OutboundStore::queued(const std::string& institution, size_t limit) const {
  std::vector<QueuedDelivery> result;
  const std::string prefix = queue_prefix(institution);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && result.size() < limit; it->Next())
    result.push_back({it->key().ToString(), json::parse(it->value().ToString(), nullptr, false)});
  XYD_RETURN_IF_ERROR(from_rocks(it->status(), "reading the queue"));
  return result;
}

Result<StorePage> OutboundStore::page(const std::string& prefix, const std::string& start, const std::string& end,
                                      const std::string& cursor, size_t limit) const {
  StorePage page;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string first = cursor.empty() ? prefix + start : prefix + from_cursor(cursor) + std::string(1, '\0');
  for (it->Seek(first); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const std::string tail = it->key().ToString().substr(prefix.size());
    if (!end.empty() && tail >= end) break;
    if (page.items.size() == limit) {
      page.next_cursor = to_cursor(page.items.back()["_key"].get<std::string>());
      break;
    }
    json item = json::parse(it->value().ToString(), nullptr, false);
    item["_key"] = tail;
    page.items.push_back(std::move(item));
  }
  XYD_RETURN_IF_ERROR(from_rocks(it->status(), "reading a page"));
  for (auto& item : page.items) item.erase("_key");
  return page;
}

Result<StorePage> OutboundStore::flow_page(const std::string& scope, int64_t from_ms, int64_t to_ms,
                                           const std::string& cursor, size_t limit) const {
  const std::string start = from_ms > 0 ? padded(static_cast<uint64_t>(from_ms), 15) : std::string();
  const std::string end = to_ms > 0 ? padded(static_cast<uint64_t>(to_ms), 15) : std::string();
  return page(flow_prefix(scope), start, end, cursor, limit);
}

Result<StorePage> OutboundStore::dead_letter_page(const std::string& scope, const std::string& cursor,
                                                  size_t limit) const {
  return page(dead_prefix(scope), "", "", cursor, limit);
}

}  // namespace xyd::connectors

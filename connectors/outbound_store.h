// OutboundStore: the connectors' own RocksDB (<data>/outbound), beside the data folder: the log
// positions of the connector followers (outbound follower, data-source intake), the application ->
// institution routes, webhook subscriptions, the webhook delivery queue (per institution, in log
// order), the flow logs (every delivery attempt, every data-source call) and the dead letters.
// Node-local, like the credential store. Safe for concurrent use from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "events/event_log.h"
#include "events/result.h"

namespace rocksdb {
class DB;
class WriteBatch;
}  // namespace rocksdb

namespace xyd::connectors {

// One page of a flow log or of the dead letters; next_cursor empty on the last page.
struct StorePage {
  nlohmann::json items = nlohmann::json::array();
  std::string next_cursor;
};

// A queued webhook delivery: its queue key and its record.
struct QueuedDelivery {
  std::string key;
  nlohmann::json record;  // {message, attempt, next_at}
};

class OutboundStore {
 public:
  static Result<std::unique_ptr<OutboundStore>> open(const std::string& path);
  ~OutboundStore();

  // Writes several changes at once (synced). Owned by the thread that builds it.
  class Batch {
   public:
    Batch();
    ~Batch();
    void put_offsets(const std::string& follower, const std::map<log::TopicPartition, int64_t>& next);
    void put_route(const std::string& application, const std::string& institution);
    void put_subscription(const std::string& institution, const nlohmann::json& subscription);
    void enqueue(const std::string& institution, uint64_t seq, const nlohmann::json& delivery);
    void replace(const std::string& key, const nlohmann::json& record);  // a queued delivery's new state
    void remove(const std::string& key);
    void flow(const std::string& scope, int64_t at_ms, uint64_t seq, const nlohmann::json& entry);
    void dead_letter(const std::string& scope, uint64_t seq, const nlohmann::json& letter);

   private:
    friend class OutboundStore;
    std::unique_ptr<rocksdb::WriteBatch> batch_;
  };
  [[nodiscard]] Status write(Batch& batch);

  // A number never handed out before (also across restarts): orders queue entries and log rows.
  uint64_t next_seq();

  Result<std::map<log::TopicPartition, int64_t>> offsets(const std::string& follower) const;
  Result<std::optional<std::string>> route(const std::string& application) const;
  Result<std::optional<nlohmann::json>> subscription(const std::string& institution) const;
  // Institutions with queued deliveries, and the first `limit` deliveries of one, in order.
  Result<std::vector<std::string>> queued_institutions() const;
  Result<std::vector<QueuedDelivery>> queued(const std::string& institution, size_t limit) const;
  // Flow-log entries of a scope with from_ms <= at < to_ms (0: unbounded), oldest first.
  Result<StorePage> flow_page(const std::string& scope, int64_t from_ms, int64_t to_ms, const std::string& cursor,
                              size_t limit) const;
  Result<StorePage> dead_letter_page(const std::string& scope, const std::string& cursor, size_t limit) const;

 private:
  explicit OutboundStore(std::unique_ptr<rocksdb::DB> db, uint64_t seq);
  Result<StorePage> page(const std::string& prefix, const std::string& start, const std::string& end,
                         const std::string& cursor, size_t limit) const;
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<uint64_t> seq_;
};

}  // namespace xyd::connectors

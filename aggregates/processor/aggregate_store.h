// AggregateStore: the write side's RocksDB. For each aggregate its state (version, last hash,
// fields); for each command id its first outcome; for each log partition the next offset the
// stored state reflects. A processor writes all three in one WriteBatch, so the store is always a
// consistent snapshot of a prefix of the log; after a crash the processor catches up from there.
// Safe for concurrent use; each processor writes only aggregates of partitions it owns.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "aggregates/command.h"
#include "events/event_log.h"

namespace xyd::domain {

class AggregateStore {
 public:
  // Everything one processor batch changes.
  struct Batch {
    std::map<std::pair<std::string, std::string>, AggregateState> states;  // (type, id) -> state
    std::map<std::string, nlohmann::json> outcomes;                        // command id -> outcome
    std::map<log::TopicPartition, int64_t> positions;                      // next offset reflected
    bool empty() const { return states.empty() && outcomes.empty() && positions.empty(); }
  };

  static Result<std::unique_ptr<AggregateStore>> open(const std::string& path);
  virtual ~AggregateStore() = default;

  virtual Result<AggregateState> load(const std::string& type, const std::string& id) = 0;
  virtual Result<std::optional<nlohmann::json>> outcome(const std::string& command_id) = 0;
  // Next offset reflected for each partition; 0 for a partition never written.
  virtual Result<int64_t> position(const log::TopicPartition& tp) = 0;
  [[nodiscard]] virtual Status write(const Batch& batch) = 0;
};

}  // namespace xyd::domain

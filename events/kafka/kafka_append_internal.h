// append() of the Kafka log: checks what the caller gives, then concurrent appends share one
// transaction through GroupCommit; its leader runs each attempt through the transaction session
// and decides what to do with the outcome (records at fault fail alone, an aborted group goes
// again up to 3 times, a fatal producer error re-creates the producer once). Include only from
// events/kafka/*.cc.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "events/group_commit.h"
#include "events/kafka/kafka_admin_internal.h"
#include "events/kafka/kafka_session_internal.h"

namespace xyd::log::kafka {

// Writes the appends of one Kafka log. Thread-safe: any number of threads may call append() at
// once; the group-commit leader (one of them) holds the producer's mutex while it writes.
class GroupAppender {
 public:
  // All four outlive the appender (they belong to the same KafkaLog).
  GroupAppender(const KafkaLogOptions& options, KafkaAdmin& admin, ProducerHolder& producer, TxnSession& session)
      : options_(options), admin_(admin), producer_(producer), session_(session) {}

  // EventLog::append (event_log.h).
  Result<std::vector<Position>> append(std::span<const OutRecord> records, const ConsumedOffsets* offsets);

 private:
  // One caller's append, waiting in the group commit.
  struct Item {
    TxnBatch batch;
    std::optional<Result<std::vector<Position>>> result;
  };
  // The group-commit leader: writes `group` in one transaction, again while the outcome allows.
  void flush_group(std::vector<Item*>& group);

  const KafkaLogOptions& options_;
  KafkaAdmin& admin_;
  ProducerHolder& producer_;
  TxnSession& session_;
  GroupCommit<Item> group_commit_;
};

}  // namespace xyd::log::kafka

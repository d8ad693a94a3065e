// The Kafka transaction protocol, written once: begin → produce the records → send each consumer
// group's offsets → flush → commit, every error of librdkafka's transactional API classified into
// one outcome (retriable → call again; requires abort → abort, say whether to retry; fatal → a new
// producer). The group commit (kafka_append.cc) runs every transaction of the log through it; any
// other kind of transactional write should too. Include only from events/kafka/*.cc.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "events/kafka/kafka_producer_internal.h"

namespace xyd::log::kafka {

// What one caller puts in a transaction: its records and the offsets it consumed (or none).
struct TxnBatch {
  std::span<const OutRecord> records;
  const ConsumedOffsets* offsets = nullptr;
};

// What became of one transaction of batches.
struct TxnOutcome {
  enum class Kind {
    committed,     // every batch is in the log: `positions`
    batch_faults,  // aborted, nothing written: the batches in `faults` fail alone (records at fault,
                   // their consumer group rebalanced), the others may go again; none: `error` for all
    retry,         // aborted, nothing written: the same batches may go again
    recreate,      // the producer failed fatally (or its abort did): drop it, then maybe go again
    failed,        // nothing more to try: `error` for every batch
  };
  Kind kind = Kind::failed;
  Error error;
  std::map<size_t, Error> faults;                        // unless committed: batches that fail alone, by index (also
                                                         // beside recreate, when the abort after them failed)
  std::vector<Result<std::vector<Position>>> positions;  // committed: each batch's, by index
};

// Runs transactions on the process's producer, one at a time. The caller holds the
// ProducerHolder's mutex for the whole of run(); the session keeps no state between runs.
class TxnSession {
 public:
  // All three outlive the session (they belong to the same KafkaLog).
  TxnSession(const KafkaLogOptions& options, ProducerHolder& producer, const SubscriptionRegistry& registry)
      : options_(options), producer_(producer), registry_(registry) {}

  // Writes `batches` in one transaction, giving up at `deadline`.
  TxnOutcome run(const std::vector<const TxnBatch*>& batches, Clock::time_point deadline);

 private:
  // Aborts the open transaction; false when that failed (the producer must be dropped).
  bool abort_open(rd_kafka_t* rk, Deliveries* deliveries);
  TxnOutcome after_error(rd_kafka_t* rk, const rd_kafka_error_t* e, std::string_view call, Deliveries* deliveries);
  // The part of run() after begin_transaction: produce, offsets, flush, commit.
  TxnOutcome produce_and_commit(rd_kafka_t* rk, const std::vector<const TxnBatch*>& batches,
                                Clock::time_point deadline);
  // Sends each group's offsets; an outcome only when that failed.
  std::optional<TxnOutcome> send_offsets(rd_kafka_t* rk, const std::vector<const TxnBatch*>& batches,
                                         Deliveries& deliveries, Clock::time_point deadline);
  TxnOutcome commit(rd_kafka_t* rk, const std::vector<const TxnBatch*>& batches, const std::vector<size_t>& first_slot,
                    const std::shared_ptr<Deliveries>& deliveries, Clock::time_point deadline);

  const KafkaLogOptions& options_;
  ProducerHolder& producer_;
  const SubscriptionRegistry& registry_;
};

}  // namespace xyd::log::kafka

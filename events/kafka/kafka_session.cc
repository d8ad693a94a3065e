// The transaction session (kafka_session_internal.h): one Kafka transaction from begin to commit,
// every error classified, following librdkafka's transactional API contract.
#include <algorithm>

#include "events/kafka/kafka_session_internal.h"

namespace xyd::log::kafka {
namespace {

using Kind = TxnOutcome::Kind;

TxnOutcome outcome(Kind kind, Error error) {
  TxnOutcome out;
  out.kind = kind;
  out.error = std::move(error);
  return out;
}

// Errors of send_offsets_to_transaction saying the group's generation moved on: the member whose
// metadata was sent no longer owns its partitions.
bool group_fenced_code(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION || err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
         err == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID || err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS;
}

// Flushes the transaction's records before commit_transaction, in short slices, watching their
// delivery reports. librdkafka 2.0's commit_transaction goes on flushing for its whole timeout
// after a record failed (the partition's later records wait behind the sequence gap), though
// the transaction can then only abort; this notices the failure at once.
enum class Flushed { delivered, failed, timed_out };
Flushed flush_records(rd_kafka_t* rk, const Deliveries& deliveries, Clock::time_point deadline) {
  for (;;) {
    if (deliveries.any_failed()) return Flushed::failed;
    const rd_kafka_resp_err_t err = rd_kafka_flush(rk, std::min(10, budget_ms(deadline)));
    if (deliveries.any_failed()) return Flushed::failed;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Flushed::delivered;
    if (Clock::now() >= deadline) return Flushed::timed_out;
  }
}

// The first record at fault of each batch, from its delivery report, as that batch's refusal.
void add_record_faults(const std::vector<const TxnBatch*>& batches, const std::vector<size_t>& first_slot,
                       const Deliveries& deliveries, std::map<size_t, Error>& faults) {
  for (size_t b = 0; b < batches.size(); ++b) {
    for (size_t j = 0; j < batches[b]->records.size(); ++j) {
      const Slot slot = deliveries.slot(first_slot[b] + j);
      if (slot.reported && record_fault(slot.err)) {
        faults.emplace(b, record_error(j, batches[b]->records[j], slot.err));
        break;
      }
    }
  }
}

// Where each record of a committed transaction landed, by batch.
std::vector<Result<std::vector<Position>>> positions_of(const std::vector<const TxnBatch*>& batches,
                                                        const std::vector<size_t>& first_slot,
                                                        const Deliveries& deliveries) {
  std::vector<Result<std::vector<Position>>> all;
  all.reserve(batches.size());
  for (size_t b = 0; b < batches.size(); ++b) {
    const std::span<const OutRecord> records = batches[b]->records;
    std::vector<Position> positions;
    positions.reserve(records.size());
    std::optional<Error> lost;
    for (size_t j = 0; j < records.size(); ++j) {
      const Slot slot = deliveries.slot(first_slot[b] + j);
      if (!slot.reported || slot.err != RD_KAFKA_RESP_ERR_NO_ERROR || slot.offset < 0) {
        lost = make_error(Errc::fatal, "Kafka committed the transaction but reported no offset for record #" +
                                           std::to_string(j) + " (topic " + records[j].topic + ", " +
                                           (slot.reported ? err_text(slot.err) : "no delivery report") +
                                           "): check the topic before retrying");
        break;
      }
      positions.push_back(Position{{records[j].topic, slot.partition}, slot.offset});
    }
    if (lost) {
      all.emplace_back(*lost);
    } else {
      all.emplace_back(std::move(positions));
    }
  }
  return all;
}

}  // namespace

TxnOutcome TxnSession::run(const std::vector<const TxnBatch*>& batches, Clock::time_point deadline) {
  Result<rd_kafka_t*> producer = producer_.producer();
  if (!producer.ok()) return outcome(Kind::failed, producer.error());
  rd_kafka_t* rk = *producer;
  if (ErrorPtr e{rd_kafka_begin_transaction(rk)}) return after_error(rk, e.get(), "begin_transaction", nullptr);
  return produce_and_commit(rk, batches, deadline);
}

TxnOutcome TxnSession::produce_and_commit(rd_kafka_t* rk, const std::vector<const TxnBatch*>& batches,
                                          Clock::time_point deadline) {
  // Every record, each with its delivery slot.
  auto deliveries = std::make_shared<Deliveries>();
  std::vector<size_t> first_slot(batches.size());
  for (size_t b = 0; b < batches.size(); ++b) {
    first_slot[b] = deliveries->size();
    for (size_t j = 0; j < batches[b]->records.size(); ++j) {
      const OutRecord& r = batches[b]->records[j];
      const size_t index = deliveries->add();
      const rd_kafka_resp_err_t err = produce(rk, r, deliveries, index, deadline);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      char reason[256];
      if (err == RD_KAFKA_RESP_ERR__FATAL || rd_kafka_fatal_error(rk, reason, sizeof reason)) {
        return outcome(Kind::recreate, make_error(Errc::unavailable, "produce failed: " + err_text(err)));
      }
      TxnOutcome out = outcome(
          Kind::retry, make_error(Errc::unavailable,
                                  "producing to topic " + r.topic + " failed: " + err_text(err) +
                                      (err == RD_KAFKA_RESP_ERR__QUEUE_FULL
                                           ? "; Kafka at " + options_.brokers + " is not taking writes fast enough"
                                           : std::string())));
      if (record_fault(err)) {
        out.kind = Kind::batch_faults;
        out.faults.emplace(b, record_error(j, r, err));
      }
      if (!abort_open(rk, deliveries.get())) out.kind = Kind::recreate;
      return out;
    }
  }

  if (std::optional<TxnOutcome> refused = send_offsets(rk, batches, *deliveries, deadline)) return *refused;

  switch (flush_records(rk, *deliveries, deadline)) {
    case Flushed::delivered:
      break;
    case Flushed::failed: {
      TxnOutcome out = outcome(Kind::retry, make_error(Errc::unavailable, "a record was not delivered"));
      if (!abort_open(rk, deliveries.get())) out.kind = Kind::recreate;
      for (size_t b = 0; b < batches.size() && out.error.message == "a record was not delivered"; ++b) {
        for (size_t j = 0; j < batches[b]->records.size(); ++j) {
          const Slot slot = deliveries->slot(first_slot[b] + j);
          if (slot.reported && slot.err != RD_KAFKA_RESP_ERR_NO_ERROR && !record_fault(slot.err)) {
            out.error = make_error(Errc::unavailable, "record #" + std::to_string(j) + " (topic " +
                                                          batches[b]->records[j].topic +
                                                          ") was not delivered: " + err_text(slot.err));
            break;
          }
        }
      }
      add_record_faults(batches, first_slot, *deliveries, out.faults);
      if (!out.faults.empty() && out.kind == Kind::retry) out.kind = Kind::batch_faults;
      return out;
    }
    case Flushed::timed_out:
      // No commit was sent; dropping the producer ends the transaction (the next producer's
      // init_transactions aborts it) without waiting on an abort that cannot reach the broker.
      (void)producer_.drop_producer("an append");
      return outcome(Kind::failed, make_error(Errc::unavailable, "Kafka at " + options_.brokers +
                                                                     " did not take the records within " +
                                                                     duration_text(options_.transaction_timeout) +
                                                                     ": nothing was written: is the broker running? "
                                                                     "ops/kafka/start.sh"));
  }
  return commit(rk, batches, first_slot, deliveries, deadline);
}

std::optional<TxnOutcome> TxnSession::send_offsets(rd_kafka_t* rk, const std::vector<const TxnBatch*>& batches,
                                                   Deliveries& deliveries, Clock::time_point deadline) {
  // The consumed offsets, merged per consumer group (the furthest offset of a partition wins).
  std::map<std::string, std::map<TopicPartition, int64_t>> by_group;
  std::map<std::string, std::vector<size_t>> carriers;
  for (size_t b = 0; b < batches.size(); ++b) {
    const ConsumedOffsets* offsets = batches[b]->offsets;
    if (offsets == nullptr || offsets->next_offsets.empty()) continue;
    auto& merged = by_group[offsets->group];
    for (const auto& [tp, offset] : offsets->next_offsets) {
      auto [it, inserted] = merged.try_emplace(tp, offset);
      if (!inserted) it->second = std::max(it->second, offset);
    }
    carriers[offsets->group].push_back(b);
  }
  for (const auto& [group, offsets] : by_group) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    std::vector<TopicPartition> tps;
    for (const auto& [tp, offset] : offsets) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
      tps.push_back(tp);
    }
    GroupMetadataPtr md = registry_.metadata(group, tps);
    ErrorPtr e = retrying(
        deadline, [&] { return rd_kafka_send_offsets_to_transaction(rk, list.get(), md.get(), budget_ms(deadline)); });
    if (!e) continue;
    if (!rd_kafka_error_is_fatal(e.get()) && group_fenced_code(rd_kafka_error_code(e.get()))) {
      TxnOutcome out = outcome(Kind::batch_faults, {});
      for (size_t b : carriers[group]) {
        out.faults.emplace(
            b, make_error(Errc::conflict, "consumer group " + group + " has rebalanced (" + err_text(e.get()) +
                                              "): this member no longer owns the partitions it consumed; "
                                              "nothing was written: re-read from the group's committed offsets"));
      }
      if (!abort_open(rk, &deliveries)) out.kind = Kind::recreate;
      return out;
    }
    return after_error(rk, e.get(), "send_offsets_to_transaction (group " + group + ")", &deliveries);
  }
  return std::nullopt;
}

TxnOutcome TxnSession::commit(rd_kafka_t* rk, const std::vector<const TxnBatch*>& batches,
                              const std::vector<size_t>& first_slot, const std::shared_ptr<Deliveries>& deliveries,
                              Clock::time_point deadline) {
  ErrorPtr e = retrying(deadline, [&] { return rd_kafka_commit_transaction(rk, budget_ms(deadline)); });
  // commit_transaction flushes before it sends EndTxn: with reports still missing, no commit was
  // ever sent (and the next producer's init_transactions aborts the transaction).
  const bool commit_maybe_sent = deliveries->all_reported();
  if (!e) {
    (void)deliveries->wait_all(std::chrono::seconds(5));  // commit flushed: all reported already
    TxnOutcome out = outcome(Kind::committed, {});
    out.positions = positions_of(batches, first_slot, *deliveries);
    return out;
  }
  if (rd_kafka_error_is_fatal(e.get())) {
    return outcome(Kind::recreate, make_error(Errc::unavailable, "commit_transaction failed: " + err_text(e.get())));
  }
  if (rd_kafka_error_is_retriable(e.get())) {
    // Out of time with the commit unfinished. librdkafka allows only resuming it now (an abort
    // fails with _CONFLICT), so the producer goes; the next one's init_transactions settles it.
    Error error =
        commit_maybe_sent
            ? make_error(Errc::timeout, "Kafka at " + options_.brokers + " did not confirm the commit within " +
                                            duration_text(options_.transaction_timeout) + " (" + err_text(e.get()) +
                                            "): the append may or may not be in the log; "
                                            "check before retrying")
            : make_error(Errc::unavailable, "Kafka at " + options_.brokers + " did not take the records within " +
                                                duration_text(options_.transaction_timeout) + " (" +
                                                rd_kafka_error_name(e.get()) +
                                                "): nothing was written: is the broker running? "
                                                "ops/kafka/start.sh");
    (void)producer_.drop_producer("commit_transaction");
    return outcome(Kind::failed, error);
  }
  // Requires abort (e.g. a record was refused): abort, and retry without records at fault.
  TxnOutcome out = after_error(rk, e.get(), "commit_transaction", deliveries.get());
  if (out.kind == Kind::retry) {
    add_record_faults(batches, first_slot, *deliveries, out.faults);
    if (!out.faults.empty()) out.kind = Kind::batch_faults;
  }
  return out;
}

bool TxnSession::abort_open(rd_kafka_t* rk, Deliveries* deliveries) {
  const auto deadline = Clock::now() + options_.request_timeout;
  ErrorPtr e = retrying(deadline, [&] { return rd_kafka_abort_transaction(rk, budget_ms(deadline)); });
  // The abort purged what was queued; wait for those reports so the slots are final.
  if (!e && deliveries != nullptr) (void)deliveries->wait_all(std::chrono::seconds(5));
  if (e) {
    warn("abort_transaction failed (" + err_text(e.get()) + "); the producer is dropped");
    return false;
  }
  return true;
}

TxnOutcome TxnSession::after_error(rd_kafka_t* rk, const rd_kafka_error_t* e, std::string_view call,
                                   Deliveries* deliveries) {
  const std::string text = std::string(call) + " failed: " + err_text(e);
  if (rd_kafka_error_is_fatal(e)) return outcome(Kind::recreate, make_error(Errc::unavailable, text));
  if (!abort_open(rk, deliveries)) {
    return outcome(Kind::recreate, make_error(Errc::unavailable, text + "; abort failed too"));
  }
  return outcome(Kind::retry, make_error(Errc::unavailable, text + " (transaction aborted, nothing written)"));
}

}  // namespace xyd::log::kafka

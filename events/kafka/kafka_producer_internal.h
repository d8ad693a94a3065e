// The Kafka log's transactional producer: TxnProducer (one librdkafka producer, its transactions
// initialised, its delivery reports and statistics served by its own poll thread), ProducerHolder
// (owns the current one: re-created after a fatal error, never after fencing), produce() (one record
// into the open transaction) and the retry rule of librdkafka's transactional calls. Include only
// from events/kafka/*.cc.
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "events/kafka/kafka_delivery_internal.h"

namespace xyd::log::kafka {

// The timeout of one call of a transactional API. Never -1: in librdkafka 2.0 that can block an
// abort forever while the coordinator is unreachable; a timed-out call resumes when called again.
inline int budget_ms(Clock::time_point deadline) {
  return std::max(1, remaining_ms(deadline));
}

// Calls a transactional API again while it fails with a retriable error, until `deadline`.
template <typename Call>
ErrorPtr retrying(Clock::time_point deadline, Call&& call) {
  for (int attempt = 0;; ++attempt) {
    const auto started = Clock::now();
    ErrorPtr e(call());
    if (!e || rd_kafka_error_is_fatal(e.get()) || !rd_kafka_error_is_retriable(e.get()) || Clock::now() >= deadline) {
      return e;
    }
    // Back off unless the call itself waited (a resumable timeout): never spin.
    if (Clock::now() - started < std::chrono::milliseconds(500)) {
      const auto pause = std::chrono::milliseconds(std::min(50 * (attempt + 1), 500));
      std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - Clock::now()));
    }
  }
}

// One transactional, idempotent librdkafka producer (acks=all) and the thread that polls its main
// queue (delivery reports into Deliveries, statistics to KafkaLogOptions.statistics). Used under
// ProducerHolder's mutex; the poll thread is its own.
class TxnProducer {
 public:
  // Creates the producer and runs init_transactions (which aborts what a previous producer with
  // the same transactional.id left open), within options.request_timeout.
  static Result<std::unique_ptr<TxnProducer>> open(const KafkaLogOptions& options, const std::string& txn_id, bool lz4);
  ~TxnProducer();
  TxnProducer(const TxnProducer&) = delete;
  TxnProducer& operator=(const TxnProducer&) = delete;

  rd_kafka_t* handle() const { return rk_.get(); }

 private:
  TxnProducer() = default;
  void poll_loop();
  void dispatch(rd_kafka_event_t* ev);

  HandlePtr rk_;
  QueuePtr queue_;
  std::function<void(std::string_view)> statistics_;  // KafkaLogOptions.statistics
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

// Enqueues one record in the open transaction; its delivery report lands in `deliveries[index]`.
// Waits (the poll thread drains the queue) while librdkafka's queue is full.
rd_kafka_resp_err_t produce(rd_kafka_t* rk, const OutRecord& r, const std::shared_ptr<Deliveries>& deliveries,
                            size_t index, Clock::time_point deadline);

// Owns the process's current TxnProducer. Every method is called with mutex() held: by the
// group-commit leader for its whole transaction, or by open_kafka_log.
class ProducerHolder {
 public:
  // `options` outlives the holder (both belong to one KafkaLog).
  ProducerHolder(const KafkaLogOptions& options, std::string txn_id, bool lz4)
      : options_(options), txn_id_(std::move(txn_id)), lz4_(lz4) {}
  ~ProducerHolder();

  std::mutex& mutex() { return mutex_; }
  // The producer, created (init_transactions) if there is none.
  Result<rd_kafka_t*> producer();
  // After a fatal error (or an abort that failed), drops the producer; the next producer() makes a
  // new one, whose init_transactions aborts what this one left open. Returns the error to report.
  // A fenced producer is not replaced: another writer with the same transactional.id took over,
  // and replacing it would fence that writer in turn.
  Error drop_producer(std::string_view during);
  bool fenced() const { return fenced_.has_value(); }

 private:
  const KafkaLogOptions& options_;
  const std::string txn_id_;
  const bool lz4_;
  std::mutex mutex_;
  std::unique_ptr<TxnProducer> producer_;  // guarded by mutex_
  std::optional<Error> fenced_;            // guarded by mutex_
};

}  // namespace xyd::log::kafka

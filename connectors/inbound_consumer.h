// InboundConsumer: the bank connectors' Kafka side. One member of the consumer group
// `xyd-bank-inbound` over every topic xyd.in.<institution> (the list is refreshed, and a topic is
// created for each onboarded institution): it polls a batch, runs it through the
// InboundProcessor, and appends the batch's dead letters to xyd.dlq TOGETHER with the consumed
// offsets, in one log transaction. So offsets advance only once every outcome of the batch is
// durable (applied commands are in the log before the gateway answers), a dead letter is written
// exactly once, and a consumer killed at any moment resumes from the last committed batch, whose
// results are replayed by serial (nothing lost, nothing counted twice). Works on either log (on
// the embedded log only this process can produce to the topics). Two batches are in flight: batch
// N commits on a helper thread while N + 1 is decided; N + 1 commits only after N has. Owns its
// polling thread and that helper.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/inbound.h"
#include "events/event_log.h"

namespace xyd::connectors {

// How the consumer runs; set by its owner before start().
struct InboundConsumerOptions {
  std::string group = "xyd-bank-inbound";
  int32_t partitions = 6;   // of the xyd.in.<institution> topics it creates
  size_t max_batch = 5000;  // records per poll
  std::chrono::milliseconds poll_wait{200};
  std::chrono::milliseconds refresh{3000};  // how often the topic list is refreshed
  // Only topics starting with this are read (a node may serve some banks; benchmarks, one).
  std::string topic_prefix = "xyd.in.";
  // The onboarded institutions (a topic is created for each); null: only existing topics.
  std::function<std::vector<std::string>()> institutions;
};

// The consumer's counters, copied out for /api/v1/ops/connectors/inbound.
struct InboundStats {
  uint64_t received = 0, applied = 0, replayed = 0, rejected = 0, retries = 0, batches = 0;
  int64_t first_records_ms = 0;  // steady-clock ms when the first poll returned records (benchmarks)
  std::vector<std::string> topics;
  std::string last_error;
  nlohmann::json to_json() const;
};

// The Kafka side of the bank connectors; see the file comment. Owns its thread.
class InboundConsumer {
 public:
  InboundConsumer(log::EventLog& log, domain::CommandGateway& gateway, InboundConsumerOptions options);
  ~InboundConsumer();
  void start();
  void stop();
  InboundStats stats() const;

 private:
  void run();
  Status refresh_topics(std::unique_ptr<log::Subscription>& subscription);
  // A decided batch waiting to commit: its dead letters, its offsets, its counts.
  struct Decided {
    std::vector<log::OutRecord> letters;
    log::ConsumedOffsets offsets;
    InboundStats counts;
  };
  Result<Decided> decide(const std::vector<log::Record>& records, const log::Subscription& subscription);
  Status commit(const Decided& decided);

  log::EventLog& log_;
  InboundProcessor processor_;
  InboundConsumerOptions options_;
  std::vector<std::string> topics_;  // subscribed now (consumer thread)
  std::vector<std::string> listed_;  // listed at the previous refresh (consumer thread)
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mutex_;  // guards stats_
  InboundStats stats_;
};

}  // namespace xyd::connectors

// CommandProcessor: the single writer of the command partitions it owns. It is a member of the
// consumer group of xyd.commands; for each batch of commands it decides each against aggregate
// state, and in ONE log transaction appends the new events, the outcomes (xyd.outcomes) and the
// consumed command offsets; then it records the new states, outcomes and log positions in the
// AggregateStore. On gaining a partition it first catches the store up from the log. Owns one
// thread; start() and stop() are called from the owner's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aggregates/aggregate.h"
#include "aggregates/processor/aggregate_store.h"
#include "events/event_log.h"

namespace xyd::domain {

struct SealedEvents;
struct BatchWork;

// How a command is decided against its aggregate's state: decide_checked, unless a test injects
// one that fails in ways the domain does not (an exception) to prove the processor survives it.
using DecideFunction =
    std::function<Result<std::vector<NewEvent>>(const Aggregate&, const AggregateState&, const Command&)>;

struct ProcessorOptions {
  std::string group = "xyd-processor";
  std::string node = "xyd";                 // names the events' CloudEvents source
  size_t max_batch = 2000;                  // commands per transaction
  std::chrono::milliseconds poll_wait{20};  // how long an idle poll waits
  DecideFunction decide = decide_checked;
};

struct ProcessorStats {
  uint64_t commands = 0;
  uint64_t events = 0;
  uint64_t transactions = 0;
  uint64_t failures = 0;  // transactions that failed and were re-consumed
};

class CommandProcessor {
 public:
  CommandProcessor(log::EventLog& log, AggregateStore& store, ProcessorOptions options);
  ~CommandProcessor();

  // Checks that every xyd topic has the partition count of xyd.commands, then starts the thread.
  [[nodiscard]] Status start();
  void stop();

  std::vector<log::TopicPartition> assignment() const;
  ProcessorStats stats() const;
  // The last error that made the processor re-consume, if any (for /healthz).
  std::string last_error() const;

 private:
  void run();
  Status process(const std::vector<log::Record>& commands);
  // Decides one command into the batch: its outcome (accepted, refused, or an internal-error
  // refusal if deciding threw) and its events. An error is the store's, not the command's.
  Status process_one(BatchWork& work, const Command& command);
  Result<SealedEvents> decide_and_seal(const Aggregate& aggregate, const AggregateState& state,
                                       const Command& command) const;
  Status catch_up(const std::vector<log::TopicPartition>& command_partitions);
  Result<SealedEvents> seal_events(const Aggregate& aggregate, const AggregateState& state, const Command& command,
                                   const std::vector<NewEvent>& decided) const;

  log::EventLog& log_;
  AggregateStore& store_;
  ProcessorOptions options_;
  std::vector<std::string> state_topics_;  // event topics and xyd.outcomes

  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mutex_;  // guards the fields below, read by other threads
  std::vector<log::TopicPartition> assignment_;
  ProcessorStats stats_;
  std::string last_error_;
};

}  // namespace xyd::domain

// CommandGateway: how a request thread runs a command. It appends the command to xyd.commands
// (keyed by aggregate id, so the partition's owner decides it), then waits for its outcome on
// xyd.outcomes, which one reader thread of the gateway follows. A command id already in flight
// in this process is refused (409) until it completes; a wait that runs out answers timeout
// (the command may still complete; its id makes the retry safe). Appending waits at most the
// write timeout (BoundedAppender): with the log down a write fails fast with `unavailable`.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "aggregates/command.h"
#include "aggregates/outcome.h"
#include "aggregates/processor/bounded_appender.h"
#include "events/event_log.h"

namespace xyd::domain {

struct GatewayOptions {
  std::chrono::milliseconds outcome_timeout{10000};
  std::chrono::milliseconds write_timeout{5000};  // how long an append may take before unavailable
  std::string node = "xyd";                       // names the commands' CloudEvents source
};

class CommandGateway {
 public:
  CommandGateway(log::EventLog& log, std::chrono::milliseconds timeout);
  CommandGateway(log::EventLog& log, GatewayOptions options);
  ~CommandGateway();

  // Starts following xyd.outcomes from its current end; call before the first submit().
  [[nodiscard]] Status start();
  void stop();

  // Runs a command and returns its outcome (accepted, refused or replayed), or an error when the
  // log cannot take it (unavailable), the id is in flight (conflict) or the wait ran out (timeout).
  Result<Outcome> submit(const Command& command);
  // Runs many commands with one append (so commands on one aggregate are decided in the order
  // given) and waits for every outcome; one result per command, in order. Ids must be distinct
  // within the call (a repeated id is refused like one in flight). For connectors that take
  // results in batches.
  std::vector<Result<Outcome>> submit_all(const std::vector<Command>& commands);
  // Whether the log takes writes now, without I/O (for a readiness probe): see BoundedAppender.
  bool log_writable() const { return appender_.writable(); }

 private:
  struct Waiter {
    bool done = false;
    Outcome outcome;
    std::condition_variable arrived;  // one per waiter: an outcome wakes only its own request
  };
  void follow();
  log::OutRecord command_record(const Command& command) const;

  log::EventLog& log_;
  const std::chrono::milliseconds timeout_;
  const std::string source_;  // "/xyd/<node>"
  BoundedAppender appender_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Waiter>> waiting_;  // by command id
  std::atomic<bool> stopping_{false};
  std::unique_ptr<log::Reader> reader_;  // owned by the follower thread once started
  std::thread follower_;
};

}  // namespace xyd::domain

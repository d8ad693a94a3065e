// StoredFollower: a thread that follows some topics of the log from positions kept in the
// OutboundStore (so a restart resumes where the last stored batch ended) and hands each polled
// batch to a handler. The handler does its work and stores the batch's next offsets together with
// its own changes (next_offsets() computes them); when it fails, the follower waits a moment,
// reopens its reader at the stored positions and tries again: nothing is skipped, at most the
// unfinished batch is seen twice. When idle it commits its positions to the log under group()
// (events/resting_offsets.h). The follower's own thread runs the handler; start/stop from one
// owning thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "connectors/outbound_store.h"
#include "events/event_log.h"

namespace xyd::connectors {

using BatchHandler = std::function<Status(const std::vector<log::Record>& records)>;

// The next offset of each partition after `records`.
std::map<log::TopicPartition, int64_t> next_offsets(const std::vector<log::Record>& records);

class StoredFollower {
 public:
  StoredFollower(log::EventLog& log, OutboundStore& store, std::string name, std::vector<std::string> topics,
                 BatchHandler handler, std::chrono::milliseconds poll_timeout = std::chrono::milliseconds(200),
                 size_t max_batch = 500);
  ~StoredFollower();
  StoredFollower(const StoredFollower&) = delete;
  StoredFollower& operator=(const StoredFollower&) = delete;

  // Resolves the partitions and starts the thread.
  [[nodiscard]] Status start();
  void stop();
  const std::string& name() const { return name_; }
  // The consumer group its positions are committed under when it is idle ("xyd-<name>"): not a
  // group it reads with, a mirror of the stored positions for Kafka's tools (lag 0 at rest).
  std::string group() const { return "xyd-" + name_; }
  std::string last_error() const;

 private:
  Result<std::unique_ptr<log::Reader>> open_reader();
  void run();
  void note(const std::string& error);

  log::EventLog& log_;
  OutboundStore& store_;
  std::string name_;
  std::vector<std::string> topics_;
  BatchHandler handler_;
  std::chrono::milliseconds poll_timeout_;
  size_t max_batch_;
  std::vector<log::TopicPartition> partitions_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;  // guards last_error_
  std::string last_error_;
  std::thread thread_;
};

}  // namespace xyd::connectors

// BoundedAppender: appends records to the log from its own thread, so that a caller waits a
// bounded time even when the log blocks far longer (a Kafka broker down: librdkafka retries for
// up to its transaction timeout). What callers queue while an append runs goes in the next
// append, together (one transaction, like the log's own group commit). A caller that stops
// waiting gets `unavailable`; its records are then not appended if they have not started, and
// may still land if they had (commands carry their id: a retry with the same Idempotency-Key is
// safe). Thread-safe; owns one appender thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "events/event_log.h"

namespace xyd::domain {

class BoundedAppender {
 public:
  BoundedAppender(log::EventLog& log, std::chrono::milliseconds timeout);
  ~BoundedAppender();
  BoundedAppender(const BoundedAppender&) = delete;
  BoundedAppender& operator=(const BoundedAppender&) = delete;

  // The records' positions, durable; unavailable when the log did not take them within the timeout.
  Result<std::vector<log::Position>> append(std::vector<log::OutRecord> records);
  // A cheap "is the log writable" probe (no I/O): the last append the log finished succeeded and
  // none has been running longer than the timeout. True before the first append.
  bool writable() const;
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  struct Task;
  void run();
  void finish(const std::vector<std::shared_ptr<Task>>& tasks, Result<std::vector<log::Position>> result);

  log::EventLog& log_;
  const std::chrono::milliseconds timeout_;
  std::mutex mutex_;
  std::condition_variable queued_;  // the appender thread waits on it for work
  std::condition_variable done_;    // callers wait on it for their task
  std::deque<std::shared_ptr<Task>> queue_;
  bool stopping_ = false;
  std::atomic<bool> last_ok_{true};
  std::atomic<int64_t> running_since_ms_{0};  // steady clock; 0 when no append runs
  std::thread thread_;
};

}  // namespace xyd::domain

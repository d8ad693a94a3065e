// SubscriptionWorker: runs one subscription (subscription.h) over the log. Its thread reads from
// the positions the subscription stored, hands each batch to its handler, and after a failed
// batch waits a moment and reads again from the stored positions. When idle it commits those
// positions to the log under the subscription's group (events/resting_offsets.h). Started and
// stopped by the runtime's supervisor; progress() from any thread.
#pragma once

#include <atomic>
#include <mutex>
#include <thread>

#include "projections/runtime/subscription.h"
#include "projections/runtime/worker.h"

namespace xyd::projections::runtime {

class SubscriptionWorker {
 public:
  SubscriptionWorker(log::EventLog& log, const SubscriptionSpec& spec, const WorkerOptions& options);
  ~SubscriptionWorker();
  SubscriptionWorker(const SubscriptionWorker&) = delete;
  SubscriptionWorker& operator=(const SubscriptionWorker&) = delete;

  // Resolves the partitions, opens a reader at the stored positions, starts the thread.
  [[nodiscard]] Status start();
  void stop();
  WorkerProgress progress() const;

 private:
  Result<std::unique_ptr<log::Reader>> open_reader();
  void run();
  void note_error(const std::string& error);
  void refresh_ends();

  log::EventLog& log_;
  SubscriptionSpec spec_;
  std::vector<log::TopicPartition> partitions_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;  // guards progress_
  WorkerProgress progress_;
  std::thread thread_;
};

// The progress of positions `stored` (a partition without one: its beginning) against the log's
// ends: what a listing shows of a version or subscription that no worker runs here.
WorkerProgress progress_at(log::EventLog& log, const std::vector<std::string>& topics,
                           const std::map<log::TopicPartition, int64_t>& stored);

}  // namespace xyd::projections::runtime

// VersionWorker: keeps one version of one projection up with the log. Its fetching thread polls
// the log through its own Reader (read_committed, from the offsets stored with the version, so
// the write side is never blocked or slowed by a lock) and queues batches; its applying thread
// applies each batch and writes the rows with the next offsets in one WriteBatch (guarantee 4).
// The runtime's supervisor starts, pauses, resumes and stops it; progress() may be called from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/event_log.h"
#include "projections/projection.h"
#include "projections/runtime/store.h"

namespace xyd::projections::runtime {

class RocksViewWriter;

struct WorkerOptions {
  // Where the log's topics live: a spec's topic "xyd.<rest>" is read as <namespace><rest> (tests
  // keep their topics apart with a namespace of their own).
  std::string topic_namespace = "xyd.";
  size_t max_batch = 4096;   // records per WriteBatch at most
  size_t queue_batches = 4;  // fetched batches waiting to be applied, at most
  std::chrono::milliseconds poll_timeout{100};
  // Called on the applying thread between building batch number `batch` and writing it
  // ("before_write"), and after writing it ("after_write"). Tests inject crashes here.
  std::function<void(std::string_view point, uint64_t batch)> fail_point;
  // Called on the applying thread after each committed batch, with the projection's name (the
  // runtime wakes readers that follow a view: the risk feed's SSE and publisher).
  std::function<void(const std::string& projection)> committed;

  // The log's name of a spec's topic.
  std::string topic(const std::string& spec_topic) const;
};

// The namespace of a test's event topics "<namespace>events.<type>", from their prefix.
std::string namespace_of_events_prefix(const std::string& events_prefix);

struct WorkerProgress {
  std::map<log::TopicPartition, int64_t> positions;  // next offsets applied and committed
  std::map<log::TopicPartition, int64_t> ends;       // the log's end offsets, as last seen
  uint64_t done = 0;                                 // sum of positions
  uint64_t total = 0;                                // sum of end offsets (on Kafka they count transaction markers too)
  uint64_t lag = 0;                                  // total - done
  uint64_t applied = 0;                              // events applied since the worker started
  uint64_t rejected = 0;  // events the projection refused since it started (kept under runtime keys)
  double rate = 0;        // events per second over the last few seconds
  // The last poll found nothing new, everything fetched is applied, and every partition is at its
  // end (on Kafka: within the one transaction marker that ends it) or nothing came for 2 s.
  bool caught_up = false;
  uint64_t idle_polls = 0;      // polls that found nothing new, since the worker started
  bool ever_caught_up = false;  // since the worker started
  bool failed = false;          // stopped on an error: the supervisor restarts it
  std::string error;            // the last error (also transient ones being retried)
};

class VersionWorker {
 public:
  // `write_ahead_log` off (a rebuild): rows go to the memtable only and reach disk by flushes,
  // rows and offsets together; the runtime flushes before making the version live.
  VersionWorker(log::EventLog& log, std::shared_ptr<VersionHandle> version, const ProjectionSpec& spec,
                WorkerOptions options, bool write_ahead_log);
  ~VersionWorker();
  VersionWorker(const VersionWorker&) = delete;
  VersionWorker& operator=(const VersionWorker&) = delete;

  // Resolves the partitions and start offsets, makes the projection, starts both threads.
  [[nodiscard]] Status start();
  void stop();
  // Holds the applying thread between batches; true once it is held (false on timeout or failure).
  bool pause(std::chrono::milliseconds timeout);
  void resume();
  void set_write_ahead_log(bool on) { write_ahead_log_ = on; }
  bool write_ahead_log() const { return write_ahead_log_; }

  WorkerProgress progress() const;
  bool failed() const;
  // Waits until every partition of `target` is applied up to its offset; false on timeout/failure.
  bool wait_for(const std::map<log::TopicPartition, int64_t>& target, std::chrono::milliseconds timeout);
  const std::shared_ptr<VersionHandle>& version() const { return version_; }

 private:
  struct Item {
    std::vector<log::Record> records;  // empty: the fetcher found nothing new (idle)
  };
  void fetch_loop(std::map<log::TopicPartition, int64_t> start);
  void apply_loop(std::unique_ptr<Projection> projection);
  [[nodiscard]] Status apply_batch(Projection& projection, RocksViewWriter& writer, std::vector<log::Record>& records,
                                   uint64_t number);
  void fail(const Error& error);
  void note_error(const std::string& error);
  void refresh_ends();

  log::EventLog& log_;
  std::shared_ptr<VersionHandle> version_;
  ProjectionSpec spec_;
  WorkerOptions options_;
  std::atomic<bool> write_ahead_log_;
  std::vector<log::TopicPartition> partitions_;

  mutable std::mutex mutex_;         // guards everything below
  std::condition_variable changed_;  // queue, pause, positions, stop
  std::deque<Item> queue_;
  // Applied batches go back to the fetching thread to be freed there, where their memory was
  // allocated (cheaper for the allocator, and off the applying thread).
  std::vector<std::vector<log::Record>> spent_;
  bool stopping_ = false;
  bool pause_requested_ = false;
  bool paused_ = false;
  WorkerProgress progress_;
  std::deque<std::pair<std::chrono::steady_clock::time_point, uint64_t>> rate_samples_;
  uint64_t idle_in_a_row_ = 0;

  std::thread fetcher_;
  std::thread applier_;
};

}  // namespace xyd::projections::runtime

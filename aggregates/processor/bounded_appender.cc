#include "aggregates/processor/bounded_appender.h"

#include <optional>

namespace xyd::domain {

namespace {

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct BoundedAppender::Task {
  std::vector<log::OutRecord> records;
  bool abandoned = false;  // the caller stopped waiting; guarded by mutex_
  std::optional<Result<std::vector<log::Position>>> result;
};

BoundedAppender::BoundedAppender(log::EventLog& log, std::chrono::milliseconds timeout)
    : log_(log), timeout_(timeout), thread_([this] { run(); }) {}

BoundedAppender::~BoundedAppender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  thread_.join();
}

bool BoundedAppender::writable() const {
  const int64_t since = running_since_ms_.load();
  if (since != 0 && steady_ms() - since > timeout_.count()) return false;
  return last_ok_.load();
}

Result<std::vector<log::Position>> BoundedAppender::append(std::vector<log::OutRecord> records) {
  if (records.empty()) return std::vector<log::Position>{};
  auto task = std::make_shared<Task>();
  task->records = std::move(records);
  std::unique_lock lock(mutex_);
  if (stopping_) return make_error(Errc::unavailable, "the server is stopping");
  queue_.push_back(task);
  queued_.notify_one();
  if (!done_.wait_for(lock, timeout_, [&] { return task->result.has_value(); })) {
    task->abandoned = true;
    return make_error(Errc::unavailable,
                      "the event log did not take the write within " + std::to_string(timeout_.count()) +
                          " ms; retry later with the same Idempotency-Key",
                      "", "log-writable");
  }
  return std::move(*task->result);
}

void BoundedAppender::finish(const std::vector<std::shared_ptr<Task>>& tasks,
                             Result<std::vector<log::Position>> result) {
  std::lock_guard lock(mutex_);
  if (!result.ok()) {
    for (const auto& task : tasks) task->result = result.error();
  } else {
    size_t at = 0;
    for (const auto& task : tasks) {
      const size_t n = task->records.size();
      task->result = std::vector<log::Position>(result->begin() + static_cast<std::ptrdiff_t>(at),
                                                result->begin() + static_cast<std::ptrdiff_t>(at + n));
      at += n;
    }
  }
  done_.notify_all();
}

void BoundedAppender::run() {
  for (;;) {
    std::vector<std::shared_ptr<Task>> tasks;
    std::vector<log::OutRecord> records;
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) return;
      for (auto& task : queue_) {
        if (task->abandoned) continue;  // the caller was answered: write nothing it was not told of
        tasks.push_back(task);
        records.insert(records.end(), task->records.begin(), task->records.end());
      }
      queue_.clear();
    }
    if (tasks.empty()) continue;
    running_since_ms_ = steady_ms();
    auto appended = log_.append(records);
    if (!appended.ok() && tasks.size() > 1 && appended.error().code != Errc::unavailable &&
        appended.error().code != Errc::timeout) {
      // One task's records at fault (too large, say) must not fail the others: each alone.
      last_ok_ = true;  // the log answered
      for (const auto& task : tasks) finish({task}, log_.append(task->records));
    } else if (appended.ok() && appended->size() != records.size()) {
      finish(tasks, make_error(Errc::fatal, "the log returned " + std::to_string(appended->size()) + " positions for " +
                                                std::to_string(records.size()) + " records"));
    } else {
      last_ok_ = appended.ok();
      finish(tasks, std::move(appended));
    }
    running_since_ms_ = 0;
  }
}

}  // namespace xyd::domain

#include "projections/runtime/subscription_worker.h"

#include <iostream>

#include "events/resting_offsets.h"

namespace xyd::projections::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

void sum_up(WorkerProgress& p) {
  p.done = p.total = 0;
  for (const auto& [tp, position] : p.positions) {
    p.done += static_cast<uint64_t>(position);
    auto end = p.ends.find(tp);
    p.total += static_cast<uint64_t>(end == p.ends.end() ? position : std::max(end->second, position));
  }
  p.lag = p.total - p.done;
}

}  // namespace

std::map<log::TopicPartition, int64_t> next_offsets(const std::vector<log::Record>& records) {
  std::map<log::TopicPartition, int64_t> next;
  for (const auto& record : records) {
    auto& slot = next[record.tp()];
    slot = std::max(slot, record.offset + 1);
  }
  return next;
}

WorkerProgress progress_at(log::EventLog& log, const std::vector<std::string>& topics,
                           const std::map<log::TopicPartition, int64_t>& stored) {
  WorkerProgress progress;
  for (const auto& topic : topics) {
    auto partitions = log.partition_count(topic);
    for (int32_t p = 0; partitions.ok() && p < *partitions; ++p) {
      const log::TopicPartition tp{topic, p};
      int64_t position = 0;
      if (auto found = stored.find(tp); found != stored.end())
        position = found->second;
      else if (auto begin = log.begin_offset(tp); begin.ok())
        position = *begin;
      progress.positions[tp] = position;
      if (auto end = log.end_offset(tp); end.ok()) progress.ends[tp] = *end;
    }
  }
  sum_up(progress);
  return progress;
}

SubscriptionWorker::SubscriptionWorker(log::EventLog& log, const SubscriptionSpec& spec, const WorkerOptions& options)
    : log_(log), spec_(spec) {
  for (auto& topic : spec_.topics) topic = options.topic(topic);
}

SubscriptionWorker::~SubscriptionWorker() {
  stop();
}

Status SubscriptionWorker::start() {
  partitions_.clear();
  for (const auto& topic : spec_.topics) {
    auto count = log_.partition_count(topic);
    if (!count.ok())
      return make_error(count.error().code,
                        "subscription " + spec_.name + " reads " + topic + ": " + count.error().message);
    for (int32_t p = 0; p < *count; ++p) partitions_.push_back({topic, p});
  }
  XYD_ASSIGN_OR_RETURN(auto probe, open_reader());  // fail at start, not later, when it cannot read
  refresh_ends();
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  return Status();
}

void SubscriptionWorker::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

WorkerProgress SubscriptionWorker::progress() const {
  std::lock_guard lock(mutex_);
  WorkerProgress p = progress_;
  sum_up(p);
  return p;
}

void SubscriptionWorker::note_error(const std::string& error) {
  std::cerr << "xyd subscriptions: " << spec_.name << ": " << error << " (retrying from the stored position)"
            << std::endl;
  std::lock_guard lock(mutex_);
  progress_.error = error;
  progress_.caught_up = false;
}

void SubscriptionWorker::refresh_ends() {
  std::map<log::TopicPartition, int64_t> ends;
  for (const auto& tp : partitions_) {
    auto end = log_.end_offset(tp);
    if (!end.ok()) return;  // shown as it was last seen
    ends[tp] = *end;
  }
  std::lock_guard lock(mutex_);
  progress_.ends = std::move(ends);
}

Result<std::unique_ptr<log::Reader>> SubscriptionWorker::open_reader() {
  XYD_ASSIGN_OR_RETURN(auto stored, spec_.stored_positions());
  std::map<log::TopicPartition, int64_t> start;
  for (const auto& tp : partitions_) {
    if (auto found = stored.find(tp); found != stored.end()) {
      start[tp] = found->second;
    } else {
      XYD_ASSIGN_OR_RETURN(start[tp], log_.begin_offset(tp));
    }
  }
  XYD_ASSIGN_OR_RETURN(auto reader, log_.reader());
  XYD_RETURN_IF_ERROR(reader->assign(start));
  std::lock_guard lock(mutex_);
  progress_.positions = start;
  return reader;
}

void SubscriptionWorker::run() {
  std::unique_ptr<log::Reader> reader;
  log::RestingOffsets resting;
  auto refreshed = Clock::now();
  while (!stopping_) {
    if (!reader) {
      auto opened = open_reader();
      if (!opened.ok()) {
        note_error("opening a reader: " + opened.error().message);
        std::this_thread::sleep_for(500ms);
        continue;
      }
      reader = std::move(opened).value();
    }
    auto polled = reader->poll(spec_.poll_timeout, spec_.max_batch);
    if (!polled.ok()) {
      note_error("reading the log: " + polled.error().message);
      reader.reset();
      std::this_thread::sleep_for(200ms);
      continue;
    }
    if (polled->empty()) {
      // Idle, everything handled and stored: the same positions committed under the
      // subscription's own group, for Kafka's tools and /metrics.
      if (auto settled = resting.settle(log_, spec_.group(), *reader, partitions_); !settled.ok())
        note_error("committing the positions of group " + spec_.group() + ": " + settled.error().message);
      refresh_ends();
      refreshed = Clock::now();
      std::lock_guard lock(mutex_);
      for (const auto& tp : partitions_)
        if (auto at = reader->position(tp); at.ok()) progress_.positions[tp] = std::max(progress_.positions[tp], *at);
      progress_.caught_up = true;
      progress_.ever_caught_up = true;
      ++progress_.idle_polls;
      continue;
    }
    const auto next = next_offsets(*polled);
    Status handled;
    try {
      handled = spec_.handle(*polled, next);
    } catch (const std::exception& e) {  // never die on a batch: tried again from the stored position
      handled = make_error(Errc::fatal, std::string("handling a batch: ") + e.what());
    }
    if (!handled.ok()) {
      note_error(handled.error().message);
      reader.reset();  // back to the stored position: the batch is tried again
      std::this_thread::sleep_for(500ms);
      continue;
    }
    {
      std::lock_guard lock(mutex_);
      for (const auto& [tp, offset] : next) progress_.positions[tp] = std::max(progress_.positions[tp], offset);
      progress_.applied += polled->size();
      progress_.caught_up = false;
      progress_.error.clear();
    }
    if (Clock::now() - refreshed > 1s) {
      refresh_ends();
      refreshed = Clock::now();
    }
  }
}

}  // namespace xyd::projections::runtime

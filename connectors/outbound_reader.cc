#include "connectors/outbound_reader.h"

#include <iostream>

#include "events/resting_offsets.h"

namespace xyd::connectors {

using namespace std::chrono_literals;

std::map<log::TopicPartition, int64_t> next_offsets(const std::vector<log::Record>& records) {
  std::map<log::TopicPartition, int64_t> next;
  for (const auto& record : records) {
    auto& slot = next[record.tp()];
    slot = std::max(slot, record.offset + 1);
  }
  return next;
}

StoredFollower::StoredFollower(log::EventLog& log, OutboundStore& store, std::string name,
                               std::vector<std::string> topics, BatchHandler handler,
                               std::chrono::milliseconds poll_timeout, size_t max_batch)
    : log_(log),
      store_(store),
      name_(std::move(name)),
      topics_(std::move(topics)),
      handler_(std::move(handler)),
      poll_timeout_(poll_timeout),
      max_batch_(max_batch) {}

StoredFollower::~StoredFollower() {
  stop();
}

Status StoredFollower::start() {
  partitions_.clear();
  for (const auto& topic : topics_) {
    XYD_ASSIGN_OR_RETURN(int32_t count, log_.partition_count(topic));
    for (int32_t p = 0; p < count; ++p) partitions_.push_back({topic, p});
  }
  XYD_ASSIGN_OR_RETURN(auto probe, open_reader());  // fail at start, not later, when it cannot read
  thread_ = std::thread([this] { run(); });
  return Status();
}

void StoredFollower::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::string StoredFollower::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void StoredFollower::note(const std::string& error) {
  std::cerr << "xyd connectors: " << name_ << ": " << error << " (retrying from the stored position)" << std::endl;
  std::lock_guard lock(mutex_);
  last_error_ = error;
}

Result<std::unique_ptr<log::Reader>> StoredFollower::open_reader() {
  XYD_ASSIGN_OR_RETURN(auto stored, store_.offsets(name_));
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
  return reader;
}

void StoredFollower::run() {
  std::unique_ptr<log::Reader> reader;
  log::RestingOffsets resting;
  while (!stopping_) {
    if (!reader) {
      auto opened = open_reader();
      if (!opened.ok()) {
        note("opening a reader: " + opened.error().message);
        std::this_thread::sleep_for(500ms);
        continue;
      }
      reader = std::move(opened).value();
    }
    auto polled = reader->poll(poll_timeout_, max_batch_);
    if (!polled.ok()) {
      note("reading the log: " + polled.error().message);
      reader.reset();
      std::this_thread::sleep_for(200ms);
      continue;
    }
    if (polled->empty()) {
      // Idle, everything handled and stored: the same positions committed under the follower's
      // own group, for Kafka's tools and /metrics.
      if (auto settled = resting.settle(log_, group(), *reader, partitions_); !settled.ok())
        note("committing the positions of group " + group() + ": " + settled.error().message);
      continue;
    }
    Status handled;
    try {
      handled = handler_(*polled);
    } catch (const std::exception& e) {  // never die on a batch: tried again from the stored position
      handled = make_error(Errc::fatal, std::string("handling a batch: ") + e.what());
    }
    if (!handled.ok()) {
      note(handled.error().message);
      reader.reset();  // back to the stored position: the batch is tried again
      std::this_thread::sleep_for(500ms);
    }
  }
}

}  // namespace xyd::connectors

#include "projections/runtime/worker.h"

#include <rocksdb/write_batch.h>

#include <iostream>

#include "projections/runtime/rocks_view.h"

namespace xyd::projections::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string version_name(const VersionHandle& version) {
  return version.info().projection + " v" + std::to_string(version.info().version);
}

// Sets each partition's next offset after `records` (which come in runs per partition): one map
// update per run rather than per record.
void note_positions(const std::vector<log::Record>& records, std::map<log::TopicPartition, int64_t>& next) {
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const bool run_ends =
        i + 1 == records.size() || records[i + 1].partition != r.partition || records[i + 1].topic != r.topic;
    if (run_ends) {
      auto& slot = next[r.tp()];
      slot = std::max(slot, r.offset + 1);
    }
  }
}

}  // namespace

std::string WorkerOptions::topic(const std::string& spec_topic) const {
  static const std::string standard = "xyd.";
  if (topic_namespace == standard || !spec_topic.starts_with(standard)) return spec_topic;
  return topic_namespace + spec_topic.substr(standard.size());
}

std::string namespace_of_events_prefix(const std::string& events_prefix) {
  static const std::string events = "events.";
  if (!events_prefix.ends_with(events)) return events_prefix;
  return events_prefix.substr(0, events_prefix.size() - events.size());
}

VersionWorker::VersionWorker(log::EventLog& log, std::shared_ptr<VersionHandle> version, const ProjectionSpec& spec,
                             WorkerOptions options, bool write_ahead_log)
    : log_(log),
      version_(std::move(version)),
      spec_(spec),
      options_(std::move(options)),
      write_ahead_log_(write_ahead_log) {}

VersionWorker::~VersionWorker() {
  stop();
}

Status VersionWorker::start() {
  XYD_ASSIGN_OR_RETURN(auto stored, stored_offsets(*version_));
  std::map<log::TopicPartition, int64_t> start;
  partitions_.clear();
  for (const auto& spec_topic : spec_.topics) {
    const std::string topic = options_.topic(spec_topic);
    auto count = log_.partition_count(topic);
    if (!count.ok())
      return make_error(count.error().code,
                        "projection " + spec_.name + " reads " + topic + ": " + count.error().message);
    for (int32_t p = 0; p < *count; ++p) {
      log::TopicPartition tp{topic, p};
      partitions_.push_back(tp);
      if (auto found = stored.find(tp); found != stored.end()) {
        start[tp] = found->second;
      } else {
        XYD_ASSIGN_OR_RETURN(start[tp], log_.begin_offset(tp));
      }
    }
  }
  XYD_ASSIGN_OR_RETURN(auto projection, spec_.make(version_->rules()));
  projection->begin(stored.empty());  // every batch stores offsets: none stored, no rows either
  {
    std::lock_guard lock(mutex_);
    progress_.positions = start;
    rate_samples_.emplace_back(Clock::now(), 0);
  }
  refresh_ends();
  fetcher_ = std::thread([this, start] { fetch_loop(start); });
  applier_ = std::thread([this, p = std::move(projection)]() mutable { apply_loop(std::move(p)); });
  return Status();
}

void VersionWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (fetcher_.joinable()) fetcher_.join();
  if (applier_.joinable()) applier_.join();
}

bool VersionWorker::pause(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  pause_requested_ = true;
  changed_.notify_all();
  const bool held = changed_.wait_for(lock, timeout, [&] { return paused_ || progress_.failed || stopping_; });
  if (!held || !paused_) {
    pause_requested_ = false;
    changed_.notify_all();
    return false;
  }
  return true;
}

void VersionWorker::resume() {
  {
    std::lock_guard lock(mutex_);
    pause_requested_ = false;
  }
  changed_.notify_all();
}

bool VersionWorker::failed() const {
  std::lock_guard lock(mutex_);
  return progress_.failed;
}

WorkerProgress VersionWorker::progress() const {
  std::lock_guard lock(mutex_);
  WorkerProgress p = progress_;
  p.done = p.total = 0;
  for (const auto& [tp, position] : p.positions) {
    p.done += static_cast<uint64_t>(position);
    auto end = p.ends.find(tp);
    p.total += static_cast<uint64_t>(std::max(position, end == p.ends.end() ? position : end->second));
  }
  p.lag = p.total - p.done;
  if (rate_samples_.size() >= 2) {
    const auto& [t0, a0] = rate_samples_.front();
    const auto& [t1, a1] = rate_samples_.back();
    const double seconds = std::chrono::duration<double>(t1 - t0).count();
    p.rate = seconds > 0.2 ? static_cast<double>(a1 - a0) / seconds : 0;
  }
  return p;
}

bool VersionWorker::wait_for(const std::map<log::TopicPartition, int64_t>& target, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto reached = [&] {
    for (const auto& [tp, offset] : target) {
      auto found = progress_.positions.find(tp);
      if (found == progress_.positions.end() || found->second < offset) return false;
    }
    return true;
  };
  changed_.wait_for(lock, timeout, [&] { return progress_.failed || stopping_ || reached(); });
  return !progress_.failed && reached();
}

void VersionWorker::fail(const Error& error) {
  std::cerr << "xyd projections: " << version_name(*version_) << " stopped: " << error.message
            << " (it restarts from its stored offsets)" << std::endl;
  {
    std::lock_guard lock(mutex_);
    progress_.failed = true;
    progress_.error = error.message;
    stopping_ = true;
  }
  changed_.notify_all();
}

void VersionWorker::note_error(const std::string& error) {
  std::lock_guard lock(mutex_);
  progress_.error = error;
}

void VersionWorker::refresh_ends() {
  std::map<log::TopicPartition, int64_t> ends;
  for (const auto& tp : partitions_) {
    auto end = log_.end_offset(tp);
    if (!end.ok()) {
      note_error("reading the end of " + tp.to_string() + ": " + end.error().message);
      return;
    }
    ends[tp] = *end;
  }
  std::lock_guard lock(mutex_);
  progress_.ends = std::move(ends);
}

void VersionWorker::fetch_loop(std::map<log::TopicPartition, int64_t> fetched) {
  std::unique_ptr<log::Reader> reader;
  auto open_reader = [&]() -> Status {
    XYD_ASSIGN_OR_RETURN(reader, log_.reader());
    return reader->assign(fetched);
  };
  if (auto opened = open_reader(); !opened.ok()) {
    fail(opened.error());
    return;
  }
  auto refreshed = Clock::now();
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    if (Clock::now() - refreshed >= 1s) {
      refresh_ends();
      refreshed = Clock::now();
    }
    {
      std::vector<std::vector<log::Record>> spent;
      {
        std::lock_guard lock(mutex_);
        spent.swap(spent_);
      }
    }  // freed here
    auto polled = reader->poll(options_.poll_timeout, options_.max_batch);
    if (!polled.ok()) {
      note_error("reading the log: " + polled.error().message);
      if (polled.error().code == Errc::fatal) {
        reader.reset();
        if (auto reopened = open_reader(); !reopened.ok()) {
          fail(reopened.error());
          return;
        }
      }
      std::this_thread::sleep_for(200ms);
      continue;
    }
    std::unique_lock lock(mutex_);
    if (polled->empty()) {
      if (queue_.empty()) {
        queue_.push_back(Item{});
        changed_.notify_all();
      }
      continue;
    }
    changed_.wait(lock, [&] { return stopping_ || queue_.size() < options_.queue_batches; });
    if (stopping_) break;
    note_positions(*polled, fetched);
    queue_.push_back(Item{std::move(polled).value()});
    changed_.notify_all();
  }
}

void VersionWorker::apply_loop(std::unique_ptr<Projection> projection) {
  uint64_t number = 0;
  RocksViewWriter writer(*version_);  // one for all batches: its buffers keep their capacity
  while (true) {
    Item item;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || pause_requested_ || !queue_.empty(); });
      if (stopping_) break;
      if (pause_requested_) {
        paused_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return stopping_ || !pause_requested_; });
        paused_ = false;
        continue;
      }
      item = std::move(queue_.front());
      queue_.pop_front();
      changed_.notify_all();
      if (item.records.empty()) {
        ++progress_.idle_polls;
        ++idle_in_a_row_;
        // On Kafka every committed transaction ends with a marker, which takes an offset.
        const int64_t slack = log_.backend() == "kafka" ? 1 : 0;
        bool at_end = true;
        for (const auto& [tp, end] : progress_.ends) at_end = at_end && progress_.positions[tp] >= end - slack;
        progress_.caught_up =
            queue_.empty() && (at_end || static_cast<int64_t>(idle_in_a_row_) * options_.poll_timeout >= 2s);
        progress_.ever_caught_up = progress_.ever_caught_up || progress_.caught_up;
        const auto now = Clock::now();
        if (rate_samples_.empty() || now - rate_samples_.back().first >= 250ms)
          rate_samples_.emplace_back(now, progress_.applied);
        while (rate_samples_.size() > 2 && now - rate_samples_.front().first > 5s) rate_samples_.pop_front();
        continue;
      }
    }
    auto applied = apply_batch(*projection, writer, item.records, ++number);
    if (!applied.ok()) {
      fail(applied.error());
      break;
    }
    std::lock_guard lock(mutex_);
    spent_.push_back(std::move(item.records));
  }
}

Status VersionWorker::apply_batch(Projection& projection, RocksViewWriter& writer, std::vector<log::Record>& records,
                                  uint64_t number) {
  thread_local ScannedEvent scanned;
  writer.clear();
  std::map<log::TopicPartition, int64_t> touched;
  uint64_t rejected = 0;
  std::string last_rejection;
  for (const auto& record : records) {
    auto scan = scan_event(record.value, scanned);
    const Error decode_error = scan.error();
    EventContext context{record, scan.ok() ? &scanned : nullptr, scan.ok() ? nullptr : &decode_error};
    Status applied;
    try {
      applied = projection.apply(writer, context);
    } catch (const std::exception& e) {  // a record no projection should die on: refused like a bad one
      applied = make_error(Errc::corrupt, std::string("the projection could not apply the record: ") + e.what());
    }
    if (!applied.ok()) {
      writer.put_rejected(record, applied.error());
      ++rejected;
      last_rejection = record.tp().to_string() + "@" + std::to_string(record.offset) + ": " + applied.error().message;
    }
  }
  note_positions(records, touched);
  projection.end_batch(writer);
  if (writer.misused()) {
    projection.batch_done(false);
    return make_error(Errc::fatal, "projection " + spec_.name +
                                       " wrote a key starting with a NUL byte, which the runtime reserves (a bug)");
  }
  writer.put_offsets(touched);
  if (options_.fail_point) options_.fail_point("before_write", number);
  rocksdb::WriteOptions write_options;
  write_options.disableWAL = !write_ahead_log_;
  auto written = version_->db()->Write(write_options, &writer.batch());
  if (!written.ok()) {
    projection.batch_done(false);
    return make_error(Errc::unavailable, "writing a batch of " + version_name(*version_) + ": " + written.ToString());
  }
  projection.batch_done(true);
  if (options_.fail_point) options_.fail_point("after_write", number);
  {
    std::lock_guard lock(mutex_);
    for (const auto& [tp, next] : touched) progress_.positions[tp] = next;
    progress_.applied += records.size();
    progress_.rejected += rejected;
    if (rejected > 0) progress_.error = "refused " + last_rejection;
    progress_.caught_up = false;
    idle_in_a_row_ = 0;
    const auto now = Clock::now();
    if (rate_samples_.empty() || now - rate_samples_.back().first >= 250ms)
      rate_samples_.emplace_back(now, progress_.applied);
    while (rate_samples_.size() > 2 && now - rate_samples_.front().first > 5s) rate_samples_.pop_front();
  }
  changed_.notify_all();
  if (options_.committed) options_.committed(spec_.name);
  return Status();
}

}  // namespace xyd::projections::runtime

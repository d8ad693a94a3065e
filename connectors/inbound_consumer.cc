#include "connectors/inbound_consumer.h"

#include <algorithm>
#include <iostream>
#include <map>

#include "connectors/bank_result.h"
#include "events/resting_offsets.h"
#include "ops/telemetry/metrics.h"

namespace xyd::connectors {

using namespace std::chrono_literals;

namespace {
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
}  // namespace

nlohmann::json InboundStats::to_json() const {
  return {{"received", received}, {"applied", applied}, {"replayed", replayed}, {"rejected", rejected},
          {"retries", retries},   {"batches", batches}, {"topics", topics},     {"last_error", last_error}};
}

InboundConsumer::InboundConsumer(log::EventLog& log, domain::CommandGateway& gateway, InboundConsumerOptions options)
    : log_(log), processor_(gateway), options_(std::move(options)) {}

InboundConsumer::~InboundConsumer() {
  stop();
}

void InboundConsumer::start() {
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void InboundConsumer::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

InboundStats InboundConsumer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

Status InboundConsumer::refresh_topics(std::unique_ptr<log::Subscription>& subscription) {
  if (options_.institutions) {
    std::vector<log::TopicSpec> wanted;
    for (const auto& institution : options_.institutions())
      if (!std::binary_search(listed_.begin(), listed_.end(), inbound_topic(institution)))
        wanted.push_back({inbound_topic(institution), options_.partitions});
    if (!wanted.empty()) XYD_RETURN_IF_ERROR(log_.create_topics(wanted));
  }
  XYD_ASSIGN_OR_RETURN(auto all, log_.list_topics());
  // A topic joins the subscription from the refresh after the one that first listed it, so every
  // broker knows it when the group assigns its partitions.
  std::vector<std::string> listed, topics;
  for (const auto& topic : all)
    if (!institution_of_topic(topic).empty() && topic.starts_with(options_.topic_prefix)) listed.push_back(topic);
  std::sort(listed.begin(), listed.end());
  for (const auto& topic : listed)
    if (std::binary_search(listed_.begin(), listed_.end(), topic)) topics.push_back(topic);
  listed_ = listed;
  if (topics == topics_ && subscription) return Status();
  subscription.reset();  // leave the group before joining with the new topic list
  topics_ = topics;
  {
    std::lock_guard lock(mutex_);
    stats_.topics = topics;
  }
  if (topics.empty()) return Status();
  XYD_ASSIGN_OR_RETURN(subscription, log_.subscribe(options_.group, topics, {}));
  return Status();
}

Result<InboundConsumer::Decided> InboundConsumer::decide(const std::vector<log::Record>& records,
                                                         const log::Subscription& subscription) {
  std::vector<Inbound> inbound;
  inbound.reserve(records.size());
  std::map<log::TopicPartition, int64_t> next;
  for (const auto& record : records) {
    Inbound item;
    item.channel = "kafka";
    item.institution = institution_of_topic(record.topic);
    item.bytes = record.value;
    item.delivery_id =
        "kafka:" + record.topic + "/" + std::to_string(record.partition) + "@" + std::to_string(record.offset);
    item.original = {
        {"topic", record.topic}, {"partition", record.partition}, {"offset", record.offset}, {"key", record.key}};
    item.received_ms = record.timestamp_ms > 0 ? record.timestamp_ms : now_ms();
    inbound.push_back(std::move(item));
    next[record.tp()] = std::max(next[record.tp()], record.offset + 1);
  }
  // Records the platform could not decide now are sent again (by serial, so a command that did
  // complete is answered as before); the others keep their verdicts.
  std::vector<InboundVerdict> verdicts = processor_.process(inbound);
  for (int attempt = 0;; ++attempt) {
    std::vector<size_t> again;
    for (size_t i = 0; i < verdicts.size(); ++i)
      if (verdicts[i].kind == InboundVerdict::Kind::retry) again.push_back(i);
    if (again.empty()) break;
    {
      std::lock_guard lock(mutex_);
      ++stats_.retries;
      stats_.last_error = verdicts[again.front()].error.to_string();
    }
    if (stopping_) return verdicts[again.front()].error;  // nothing committed: the group re-reads the batch
    std::this_thread::sleep_for(std::min(5000ms, 200ms * (attempt + 1)));
    std::vector<Inbound> retried;
    for (size_t i : again) retried.push_back(inbound[i]);
    auto redone = processor_.process(retried);
    for (size_t k = 0; k < again.size(); ++k) verdicts[again[k]] = std::move(redone[k]);
  }
  Decided decided;
  decided.counts.received = records.size();
  for (const auto& verdict : verdicts) {
    switch (verdict.kind) {
      case InboundVerdict::Kind::applied:
        ++decided.counts.applied;
        break;
      case InboundVerdict::Kind::replayed:
        ++decided.counts.replayed;
        break;
      case InboundVerdict::Kind::rejected:
        ++decided.counts.rejected;
        decided.letters.push_back(to_record(*verdict.dead_letter));
        telemetry::metrics().dead_letter("bank-result");
        break;
      case InboundVerdict::Kind::retry:
        break;
    }
  }
  decided.offsets = log::ConsumedOffsets{subscription.group(), next};
  return decided;
}

Status InboundConsumer::commit(const Decided& decided) {
  XYD_RETURN_IF_ERROR(log_.append(decided.letters, &decided.offsets));
  std::lock_guard lock(mutex_);
  stats_.received += decided.counts.received;
  stats_.applied += decided.counts.applied;
  stats_.replayed += decided.counts.replayed;
  stats_.rejected += decided.counts.rejected;
  ++stats_.batches;
  return Status();
}

// Two batches in flight: while batch N's dead letters and offsets commit (on a helper thread),
// batch N + 1 is polled and decided; N + 1 commits only after N has. If N fails to commit,
// nothing after the last committed batch counts: the group re-reads from there (every command
// is answered again by serial, every dead letter written again in a new transaction).
void InboundConsumer::run() {
  std::unique_ptr<log::Subscription> subscription;
  std::future<Status> committing;  // the previous batch's commit, if any
  auto settle = [&]() -> Status { return committing.valid() ? committing.get() : Status(); };
  auto refreshed = std::chrono::steady_clock::time_point{};
  log::RestingOffsets resting;  // of the current subscription
  while (!stopping_) {
    Status status;
    if (std::chrono::steady_clock::now() - refreshed > options_.refresh) {
      refreshed = std::chrono::steady_clock::now();
      status = settle();  // the subscription may be replaced: nothing of it may be in flight
      if (status.ok()) {
        if (auto refresh = refresh_topics(subscription); !refresh.ok()) {
          std::lock_guard lock(mutex_);
          stats_.last_error = refresh.error().to_string();
        }
      }
    }
    if (status.ok() && !subscription) {
      std::this_thread::sleep_for(options_.poll_wait);
      continue;
    }
    if (status.ok()) {
      auto records = subscription->poll(options_.poll_wait, options_.max_batch);
      if (!records.ok()) {
        status = records.error();
      } else if (!records->empty()) {
        {
          std::lock_guard lock(mutex_);
          if (stats_.first_records_ms == 0)
            stats_.first_records_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count();
        }
        auto decided = decide(*records, *subscription);
        Status previous = settle();
        if (!decided.ok())
          status = decided.error();
        else if (!previous.ok())
          status = previous;
        else
          committing = std::async(std::launch::async, [this, d = std::move(*decided)] { return commit(d); });
      } else if (status = settle(); status.ok()) {
        // Idle, nothing in flight: move the committed offsets past the transaction markers.
        if (auto settled = resting.settle(log_, *subscription); !settled.ok()) status = settled.error();
      }
    }
    if (!status.ok()) {
      (void)settle();
      // Nothing after the last committed batch was acknowledged: leave the group and re-join
      // from the committed offsets.
      std::cerr << "xyd bank inbound: " << status.error().to_string() << "; re-reading from the committed offsets"
                << std::endl;
      {
        std::lock_guard lock(mutex_);
        stats_.last_error = status.error().to_string();
      }
      subscription.reset();
      resting.reset();
      topics_.clear();
      refreshed = {};
      std::this_thread::sleep_for(500ms);
    }
  }
  (void)settle();
}

}  // namespace xyd::connectors

// The Kafka EventLog: one transactional producer (its delivery reports served by its own poll
// thread) written by group-commit leaders under one mutex, one admin handle for
// metadata, topic creation and watermarks, and consumers made per Reader / Subscription
// (kafka_consumer.cc). Error handling follows librdkafka's transactional API contract:
// retriable → call again; requires abort → abort, retry the group; fatal → new producer.
#include "events/kafka/kafka_log.h"
#include "ops/telemetry/kafka_telemetry.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <thread>

#include "events/group_commit.h"
#include "events/kafka/kafka_internal.h"

namespace xyd::log {
namespace kafka {

// ---------------------------------------------------------------------------------------------
// Configuration and small helpers (declared in kafka_internal.h).

namespace {

// librdkafka properties only a producer (P) or only a consumer (C) understands (CONFIGURATION.md
// of librdkafka 2.0); an override of one of them goes only to that kind of handle.
bool producer_only(std::string_view key) {
  static const std::set<std::string_view> keys = {
      "acks", "batch.num.messages", "batch.size", "compression.codec", "compression.level", "compression.type",
      "delivery.report.only.error", "delivery.timeout.ms", "enable.gapless.guarantee", "enable.idempotence",
      "linger.ms", "message.send.max.retries", "message.timeout.ms", "partitioner", "produce.offset.report",
      "queue.buffering.backpressure.threshold", "queue.buffering.max.kbytes", "queue.buffering.max.messages",
      "queue.buffering.max.ms", "queuing.strategy", "request.required.acks", "request.timeout.ms", "retries",
      "retry.backoff.ms", "sticky.partitioning.linger.ms", "transaction.timeout.ms", "transactional.id"};
  return keys.count(key) != 0;
}

bool consumer_only(std::string_view key) {
  static const std::set<std::string_view> keys = {
      "auto.commit.enable", "auto.commit.interval.ms", "auto.offset.reset", "check.crcs",
      "consume.callback.max.messages", "coordinator.query.interval.ms", "enable.auto.commit",
      "enable.auto.offset.store", "enable.partition.eof", "fetch.error.backoff.ms", "fetch.max.bytes",
      "fetch.message.max.bytes", "fetch.min.bytes", "fetch.wait.max.ms", "group.id", "group.instance.id",
      "group.protocol.type", "heartbeat.interval.ms", "isolation.level", "max.partition.fetch.bytes",
      "max.poll.interval.ms", "offset.store.method", "offset.store.path", "offset.store.sync.interval.ms",
      "partition.assignment.strategy", "queued.max.messages.kbytes", "queued.min.messages", "session.timeout.ms"};
  return keys.count(key) != 0;
}

}  // namespace

Result<ConfPtr> make_conf(const KafkaLogOptions& options, Role role, const Settings& settings) {
  ConfPtr conf(rd_kafka_conf_new());
  auto set = [&](const std::string& key, const std::string& value, const char* origin) -> Status {
    char errstr[512] = {};
    if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      return make_error(Errc::invalid_argument,
                        std::string("bad Kafka client setting ") + key + "=" + value + " (" + origin + "): " + errstr,
                        std::string(origin) == "options.overrides" ? "overrides." + key : key, "librdkafka-property");
    }
    return Status::success();
  };
  XYD_RETURN_IF_ERROR(set("bootstrap.servers", options.brokers, "options.brokers"));
  XYD_RETURN_IF_ERROR(set("client.id", options.client_id, "options.client_id"));
  // request_timeout bounds each network request too (a produce request unanswered that long is
  // sent again; the idempotent producer makes that safe). librdkafka wants it at least 100 ms
  // under a transactional producer's transaction timeout.
  int64_t socket_ms = std::clamp<int64_t>(options.request_timeout.count(), 10, 300000);
  if (role == Role::producer) {
    socket_ms = std::max<int64_t>(10, std::min<int64_t>(socket_ms, options.transaction_timeout.count() - 100));
    const int64_t ack_ms = std::clamp<int64_t>(options.request_timeout.count(), 1, 900000);
    XYD_RETURN_IF_ERROR(set("request.timeout.ms", std::to_string(ack_ms), "options.request_timeout"));
  }
  XYD_RETURN_IF_ERROR(set("socket.timeout.ms", std::to_string(socket_ms), "options.request_timeout"));
  for (const auto& [key, value] : settings) XYD_RETURN_IF_ERROR(set(key, value, "set by xyd"));
  for (const auto& [raw_key, value] : options.overrides) {
    std::string_view key = raw_key;
    bool for_producer = true;
    bool for_consumer = true;
    bool for_admin = true;
    if (key.starts_with("producer.")) {
      key.remove_prefix(9);
      for_consumer = for_admin = false;
    } else if (key.starts_with("consumer.")) {
      key.remove_prefix(9);
      for_producer = for_admin = false;
    } else if (producer_only(key)) {
      for_consumer = for_admin = false;
    } else if (consumer_only(key)) {
      for_producer = for_admin = false;
    }
    const bool applies = (role == Role::producer && for_producer) || (role == Role::consumer && for_consumer) ||
                         (role == Role::admin && for_admin);
    if (key == "group.id" || key == "transactional.id") {
      return make_error(Errc::invalid_argument,
                        "Kafka setting " + raw_key + " cannot be overridden: xyd chooses group ids, and the "
                        "transactional id is KafkaLogOptions.transactional_id",
                        "overrides." + raw_key, "reserved");
    }
    if (applies) XYD_RETURN_IF_ERROR(set(std::string(key), value, "options.overrides"));
  }
  telemetry::attach_kafka_telemetry(conf.get());  // log lines through the logger, a group's lag to /metrics
  return conf;
}

Result<HandlePtr> new_handle(rd_kafka_type_t type, ConfPtr conf, std::string_view what) {
  char errstr[512] = {};
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (rk == nullptr) {
    return make_error(Errc::invalid_argument, "cannot create the Kafka " + std::string(what) + ": " + errstr +
                                                  " (check KafkaLogOptions.brokers and .overrides)");
  }
  (void)conf.release();  // the handle owns it now
  return HandlePtr(rk);
}

std::string err_text(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + " (" + rd_kafka_err2str(err) + ")";
}

std::string err_text(const rd_kafka_error_t* err) {
  return std::string(rd_kafka_error_name(err)) + ": " + rd_kafka_error_string(err);
}

std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

std::string host_and_pid() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::strcpy(host, "localhost");
  return std::string(host) + "-" + std::to_string(getpid());
}

Settings consumer_settings(const std::string& group) {
  return {{"group.id", group},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"isolation.level", "read_committed"},
          {"auto.offset.reset", "earliest"},
          {"enable.partition.eof", "false"},
          // A read_committed fetch waiting at the last stable offset is not woken when a commit
          // marker moves it; a short wait bounds that delay (command outcomes, catching up).
          {"fetch.wait.max.ms", "10"},
          {"allow.auto.create.topics", "false"}};
}

void SubscriptionRegistry::add(const std::string& group, rd_kafka_t* consumer,
                               std::shared_ptr<const Assignment> assignment) {
  std::lock_guard lock(mutex_);
  entries_.push_back(Entry{group, consumer, std::move(assignment)});
}

void SubscriptionRegistry::remove(rd_kafka_t* consumer) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [&](const Entry& e) { return e.consumer == consumer; });
}

GroupMetadataPtr SubscriptionRegistry::metadata(const std::string& group,
                                                const std::vector<TopicPartition>& tps) const {
  std::lock_guard lock(mutex_);  // held while using a member's handle: it cannot be destroyed meanwhile
  const Entry* chosen = nullptr;
  for (const Entry& e : entries_) {
    if (e.group != group) continue;
    if (chosen == nullptr) chosen = &e;
    std::lock_guard assignment_lock(e.assignment->mutex);
    const auto& held = e.assignment->partitions;
    if (std::all_of(tps.begin(), tps.end(), [&](const TopicPartition& tp) { return held.count(tp) != 0; })) {
      chosen = &e;
      break;
    }
  }
  if (chosen != nullptr) {
    if (rd_kafka_consumer_group_metadata_t* md = rd_kafka_consumer_group_metadata(chosen->consumer)) {
      return GroupMetadataPtr(md);
    }
  }
  return GroupMetadataPtr(rd_kafka_consumer_group_metadata_new(group.c_str()));
}

// ---------------------------------------------------------------------------------------------
// Delivery reports.

namespace {

// Where one produced record landed, or why it did not.
struct Slot {
  int32_t partition = -1;
  int64_t offset = -1;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  bool reported = false;
  bool queued = true;  // false: producev refused it, it is not part of the transaction
};

// The delivery reports of the records of one transaction. Shared with the poll thread through
// each message's opaque (a DeliveryRef), so a late report never touches freed memory.
class Deliveries {
 public:
  size_t add() {
    std::lock_guard lock(mutex_);
    slots_.emplace_back();
    ++outstanding_;
    return slots_.size() - 1;
  }
  void report(size_t index, int32_t partition, int64_t offset, rd_kafka_resp_err_t err) {
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[index];
    if (slot.reported) return;
    slot = Slot{partition, offset, err, true, true};
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ++failed_;
    if (--outstanding_ == 0) done_.notify_all();
  }
  // producev refused the record: no report will come.
  void not_queued(size_t index, rd_kafka_resp_err_t err) {
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[index];
    if (slot.reported) return;
    slot = Slot{-1, -1, err, true, false};
    if (--outstanding_ == 0) done_.notify_all();
  }
  // Waits until every produced record has its report; false on timeout.
  bool wait_all(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return done_.wait_for(lock, timeout, [&] { return outstanding_ == 0; });
  }
  // A queued record failed: the transaction can only abort.
  bool any_failed() const {
    std::lock_guard lock(mutex_);
    return failed_ > 0;
  }
  bool all_reported() const {
    std::lock_guard lock(mutex_);
    return outstanding_ == 0;
  }
  Slot slot(size_t index) const {
    std::lock_guard lock(mutex_);
    return slots_[index];
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return slots_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::deque<Slot> slots_;
  size_t outstanding_ = 0;
  size_t failed_ = 0;
};

struct DeliveryRef {
  std::shared_ptr<Deliveries> owner;
  size_t index;
};

// The error codes of a delivery or produce failure that is the record's own fault (its size, its
// topic or partition): the other records of a group may be retried without it.
bool record_fault(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return true;
    default:
      return false;
  }
}

Error record_error(size_t index, const OutRecord& r, rd_kafka_resp_err_t err) {
  const std::string where = "record #" + std::to_string(index) + " (topic " + r.topic +
                            (r.partition ? ", partition " + std::to_string(*r.partition) : std::string()) + ")";
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
      return make_error(Errc::invalid_argument,
                        where + " is too large for Kafka (" + std::to_string(r.key.size() + r.value.size()) +
                            " bytes of key and value): " + err_text(err) +
                            "; keep records under message.max.bytes (1 MB by default)",
                        "records[" + std::to_string(index) + "].value", "max-size");
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return make_error(Errc::not_found,
                        where + ": no such topic or partition on Kafka (" + err_text(err) +
                            "); create the topic with EventLog::create_topics",
                        "records[" + std::to_string(index) + "].topic", "exists");
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      return make_error(Errc::refused, where + ": this client may not write the topic (" + err_text(err) +
                                           "); grant it Write on the topic");
    default:
      return make_error(Errc::invalid_argument, where + " was refused by Kafka: " + err_text(err),
                        "records[" + std::to_string(index) + "]", "kafka-record");
  }
}

bool fenced_code(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__FENCED || err == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         err == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

// Errors of send_offsets_to_transaction saying the group's generation moved on: the member whose
// metadata was sent no longer owns its partitions.
bool group_fenced_code(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION || err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
         err == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID || err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS;
}

// The timeout of one call of a transactional API. Never -1: in librdkafka 2.0 that can block an
// abort forever while the coordinator is unreachable; a timed-out call resumes when called again.
int budget_ms(Clock::time_point deadline) { return std::max(1, remaining_ms(deadline)); }

// Calls a transactional API again while it fails with a retriable error, until `deadline`.
template <typename Call>
ErrorPtr retrying(Clock::time_point deadline, Call&& call) {
  for (int attempt = 0;; ++attempt) {
    const auto started = Clock::now();
    ErrorPtr e(call());
    if (!e || rd_kafka_error_is_fatal(e.get()) || !rd_kafka_error_is_retriable(e.get()) || Clock::now() >= deadline) {
      return e;
    }
    // Back off unless the call itself waited (a resumable timeout): never spin.
    if (Clock::now() - started < std::chrono::milliseconds(500)) {
      const auto pause = std::chrono::milliseconds(std::min(50 * (attempt + 1), 500));
      std::this_thread::sleep_for(std::min<Clock::duration>(pause, deadline - Clock::now()));
    }
  }
}

void warn(const std::string& text) { std::fprintf(stderr, "xyd kafka: %s\n", text.c_str()); }

// Flushes the transaction's records before commit_transaction, in short slices, watching their
// delivery reports. librdkafka 2.0's commit_transaction goes on flushing for its whole timeout
// after a record failed (the partition's later records wait behind the sequence gap), though
// the transaction can then only abort; this notices the failure at once.
enum class Flushed { delivered, failed, timed_out };
Flushed flush_records(rd_kafka_t* rk, const Deliveries& deliveries, Clock::time_point deadline) {
  for (;;) {
    if (deliveries.any_failed()) return Flushed::failed;
    const rd_kafka_resp_err_t err = rd_kafka_flush(rk, std::min(10, budget_ms(deadline)));
    if (deliveries.any_failed()) return Flushed::failed;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Flushed::delivered;
    if (Clock::now() >= deadline) return Flushed::timed_out;
  }
}

// ---------------------------------------------------------------------------------------------
// The transactional producer and its poll loop.

class TxnProducer {
 public:
  static Result<std::unique_ptr<TxnProducer>> open(const KafkaLogOptions& options, const std::string& txn_id,
                                                   bool lz4) {
    Settings settings = {
        {"transactional.id", txn_id},
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"partitioner", "murmur2_random"},
        {"linger.ms", "5"},
        {"batch.size", "1000000"},  // message.max.bytes (1 MB) caps a batch anyway
        {"batch.num.messages", "10000"},
        {"queue.buffering.max.messages", "1000000"},
        {"queue.buffering.max.kbytes", "1048576"},
        {"transaction.timeout.ms", std::to_string(options.transaction_timeout.count())},
        {"allow.auto.create.topics", "false"},
    };
    if (lz4) settings.emplace_back("compression.type", "lz4");
    if (options.statistics) settings.emplace_back("statistics.interval.ms", "1000");
    XYD_ASSIGN_OR_RETURN(ConfPtr conf, make_conf(options, Role::producer, settings));
    // Delivery reports (and statistics) as events on the main queue, served by this producer's
    // poll thread only.
    rd_kafka_conf_set_events(conf.get(), RD_KAFKA_EVENT_DR | (options.statistics ? RD_KAFKA_EVENT_STATS : 0));

    std::unique_ptr<TxnProducer> p(new TxnProducer());
    p->statistics_ = options.statistics;
    XYD_ASSIGN_OR_RETURN(p->rk_, new_handle(RD_KAFKA_PRODUCER, std::move(conf), "transactional producer"));
    p->queue_.reset(rd_kafka_queue_get_main(p->rk_.get()));
    p->poller_ = std::thread([raw = p.get()] { raw->poll_loop(); });

    const auto deadline = Clock::now() + options.request_timeout;
    ErrorPtr e = retrying(deadline, [&] { return rd_kafka_init_transactions(p->rk_.get(), budget_ms(deadline)); });
    if (e) {
      const rd_kafka_resp_err_t code = rd_kafka_error_code(e.get());
      if (code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT ||
          code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        return make_error(Errc::unavailable,
                          "Kafka at " + options.brokers + " did not answer init_transactions (transactional.id " +
                              txn_id + ") within " + duration_text(options.request_timeout) + " (" +
                              err_text(e.get()) + "): is the broker running? ops/kafka/start.sh");
      }
      if (code == RD_KAFKA_RESP_ERR_INVALID_TRANSACTION_TIMEOUT) {
        return make_error(Errc::invalid_argument,
                          "Kafka at " + options.brokers + " refused transaction_timeout " +
                              duration_text(options.transaction_timeout) +
                              ": it exceeds the broker's transaction.max.timeout.ms (" + err_text(e.get()) + ")",
                          "transaction_timeout", "broker-max");
      }
      return make_error(rd_kafka_error_is_fatal(e.get()) ? Errc::fatal : Errc::unavailable,
                        "Kafka at " + options.brokers + " refused init_transactions for transactional.id " +
                            txn_id + ": " + err_text(e.get()));
    }
    return p;
  }

  ~TxnProducer() {
    if (rk_) {
      // Fail whatever is still queued, so every delivery report is served by the poll thread
      // (and its DeliveryRef freed) before the handle goes.
      rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
      const auto deadline = Clock::now() + std::chrono::seconds(5);
      while (rd_kafka_outq_len(rk_.get()) > 0 && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    stop_.store(true);
    if (poller_.joinable()) poller_.join();
    queue_.reset();
    rk_.reset();
  }

  TxnProducer(const TxnProducer&) = delete;
  TxnProducer& operator=(const TxnProducer&) = delete;

  rd_kafka_t* handle() const { return rk_.get(); }

 private:
  TxnProducer() = default;

  void poll_loop() {
    while (!stop_.load()) {
      EventPtr ev(rd_kafka_queue_poll(queue_.get(), 100));
      if (ev) dispatch(ev.get());
    }
    while (EventPtr ev{rd_kafka_queue_poll(queue_.get(), 0)}) dispatch(ev.get());
  }

  void dispatch(rd_kafka_event_t* ev) {
    if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_STATS) {
      if (statistics_) {
        try {
          statistics_(rd_kafka_event_stats(ev));
        } catch (const std::exception& e) {
          warn(std::string("the statistics callback threw: ") + e.what());
        } catch (...) {
          warn("the statistics callback threw");
        }
      }
      return;
    }
    if (rd_kafka_event_type(ev) != RD_KAFKA_EVENT_DR) return;
    while (const rd_kafka_message_t* m = rd_kafka_event_message_next(ev)) {
      std::unique_ptr<DeliveryRef> ref(static_cast<DeliveryRef*>(m->_private));
      if (ref) ref->owner->report(ref->index, m->partition, m->offset, m->err);
    }
  }

  HandlePtr rk_;
  QueuePtr queue_;
  std::function<void(std::string_view)> statistics_;  // KafkaLogOptions.statistics
  std::atomic<bool> stop_{false};
  std::thread poller_;
};

// Enqueues one record in the open transaction; its delivery report lands in `deliveries[index]`.
// Waits (the poll thread drains the queue) while librdkafka's queue is full.
rd_kafka_resp_err_t produce(rd_kafka_t* rk, const OutRecord& r, const std::shared_ptr<Deliveries>& deliveries,
                            size_t index, Clock::time_point deadline) {
  for (;;) {
    HeadersPtr headers;
    if (!r.headers.empty()) {
      headers.reset(rd_kafka_headers_new(r.headers.size()));
      for (const Header& h : r.headers) {
        rd_kafka_header_add(headers.get(), h.key.data(), static_cast<ssize_t>(h.key.size()), h.value.data(),
                            static_cast<ssize_t>(h.value.size()));
      }
    }
    auto ref = std::make_unique<DeliveryRef>(DeliveryRef{deliveries, index});
    const int32_t partition = r.partition ? *r.partition : RD_KAFKA_PARTITION_UA;
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()), RD_KAFKA_V_HEADERS(headers.get()),
        RD_KAFKA_V_OPAQUE(ref.get()), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      (void)headers.release();  // the message owns them now
      (void)ref.release();      // freed by the poll thread with the delivery report
      return err;
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || Clock::now() >= deadline) {
      deliveries->not_queued(index, err);
      return err;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// ---------------------------------------------------------------------------------------------
// The state shared by the EventLog and the Subscriptions it hands out.

struct AppendItem {
  std::span<const OutRecord> records;
  const ConsumedOffsets* offsets = nullptr;
  size_t first_slot = 0;  // of its records in the group's Deliveries
  std::optional<Result<std::vector<Position>>> result;
};

// rd_kafka_query_watermark_offsets, again while leadership is moving (e.g. just after the topic
// was created: the metadata may name a leader before that broker serves the partition).
rd_kafka_resp_err_t query_watermarks(rd_kafka_t* rk, const TopicPartition& tp, std::chrono::milliseconds timeout,
                                     int64_t* low, int64_t* high) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, tp.topic.c_str(), tp.partition, low, high, remaining_ms(deadline));
    const bool moving = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                        err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                        err == RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH || err == RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH ||
                        err == RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE;
    if (!moving || Clock::now() >= deadline) return err;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool valid_topic_name(const std::string& name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

class Core {
 public:
  Core(KafkaLogOptions options, std::string txn_id, bool lz4, HandlePtr admin)
      : options_(std::move(options)), txn_id_(std::move(txn_id)), lz4_(lz4), admin_(std::move(admin)) {}

  ~Core() {
    std::lock_guard lock(producer_mutex_);
    producer_.reset();
  }

  const KafkaLogOptions& options() const { return options_; }
  rd_kafka_t* admin() const { return admin_.get(); }
  const std::shared_ptr<SubscriptionRegistry>& registry() const { return registry_; }

  // Held by the group-commit leader while it writes.
  std::mutex& producer_mutex() { return producer_mutex_; }

  // With producer_mutex held: the producer, created (init_transactions) if there is none.
  Result<rd_kafka_t*> producer() {
    if (fenced_) return *fenced_;
    if (!producer_) {
      XYD_ASSIGN_OR_RETURN(producer_, TxnProducer::open(options_, txn_id_, lz4_));
    }
    return producer_->handle();
  }

  // With producer_mutex held: after a fatal error (or an abort that failed), drops the producer;
  // the next producer() makes a new one, whose init_transactions aborts what this one left open.
  // Returns the error to report. A fenced producer is not replaced: another writer with the same
  // transactional.id took over, and replacing it would fence that writer in turn.
  Error drop_producer(std::string_view during) {
    Error error;
    if (producer_) {
      char reason[512] = {};
      const rd_kafka_resp_err_t code = rd_kafka_fatal_error(producer_->handle(), reason, sizeof reason);
      if (fenced_code(code)) {
        fenced_ = make_error(Errc::fatal, "the Kafka producer (transactional.id " + txn_id_ +
                                              ") was fenced during " + std::string(during) +
                                              ": another writer with that transactional.id took over (" +
                                              rd_kafka_err2name(code) + ": " + reason +
                                              "); this process must stop writing: restart it with its own id");
        error = *fenced_;
      } else if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
        error = make_error(Errc::unavailable, "the Kafka producer failed fatally during " + std::string(during) +
                                                  " (" + rd_kafka_err2name(code) + ": " + reason +
                                                  "); it is being re-created");
      } else {
        error = make_error(Errc::unavailable, "the Kafka producer was reset after a failed " + std::string(during));
      }
      producer_.reset();
    } else {
      error = make_error(Errc::unavailable, "no Kafka producer");
    }
    return error;
  }
  bool fenced() const { return fenced_.has_value(); }

  // Checks records before they are queued: topic exists, explicit partition in range.
  Status check_records(std::span<const OutRecord> records);
  Status check_offsets(const ConsumedOffsets& offsets) const;

  Result<MetadataPtr> metadata(std::chrono::milliseconds timeout, bool all_topics);
  // Partition count of every topic (metadata of the cluster); also refreshes the cache.
  Result<std::map<std::string, int32_t>> topic_partitions();

  // The group-commit leader: writes `group` in one transaction.
  void flush_group(std::vector<AppendItem*>& group);

  GroupCommit<AppendItem>& group_commit() { return group_commit_; }

 private:
  enum class Outcome { committed, item_faults, retry, recreate, failed };
  struct GroupOutcome {
    Outcome kind;
    Error error;
    std::map<AppendItem*, Error> faults;
    std::shared_ptr<Deliveries> deliveries;
  };
  GroupOutcome run_group(const std::vector<AppendItem*>& live, Clock::time_point deadline);
  // Aborts the open transaction; false when that failed (the producer must be dropped).
  bool abort_open(rd_kafka_t* rk, Deliveries* deliveries);
  GroupOutcome after_error(rd_kafka_t* rk, const rd_kafka_error_t* e, std::string_view call,
                           Deliveries* deliveries);

  const KafkaLogOptions options_;
  const std::string txn_id_;
  const bool lz4_;
  HandlePtr admin_;
  std::shared_ptr<SubscriptionRegistry> registry_ = std::make_shared<SubscriptionRegistry>();

  std::mutex producer_mutex_;
  std::unique_ptr<TxnProducer> producer_;  // guarded by producer_mutex_
  std::optional<Error> fenced_;            // guarded by producer_mutex_
  GroupCommit<AppendItem> group_commit_;

  std::mutex topics_mutex_;
  std::map<std::string, int32_t> partitions_;  // cache for check_records
};

Result<MetadataPtr> Core::metadata(std::chrono::milliseconds timeout, bool all_topics) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(admin_.get(), all_topics ? 1 : 0, nullptr, &md, to_ms(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::unavailable, "Kafka at " + options_.brokers + " did not answer a metadata request within " +
                                             duration_text(timeout) + " (" + err_text(err) +
                                             "): is the broker running? ops/kafka/start.sh");
  }
  return MetadataPtr(md);
}

Result<std::map<std::string, int32_t>> Core::topic_partitions() {
  XYD_ASSIGN_OR_RETURN(MetadataPtr md, metadata(options_.request_timeout, true));
  std::map<std::string, int32_t> counts;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR) counts[t.topic] = t.partition_cnt;
  }
  std::lock_guard lock(topics_mutex_);
  partitions_ = counts;
  return counts;
}

Status Core::check_records(std::span<const OutRecord> records) {
  std::map<std::string, int32_t> needed;  // topic -> highest explicit partition (or -1)
  for (size_t i = 0; i < records.size(); ++i) {
    const OutRecord& r = records[i];
    if (r.topic.empty()) {
      return make_error(Errc::invalid_argument, "record #" + std::to_string(i) + " has no topic",
                        "records[" + std::to_string(i) + "].topic", "required");
    }
    if (r.partition && *r.partition < 0) {
      return make_error(Errc::invalid_argument,
                        "record #" + std::to_string(i) + " (topic " + r.topic + ") has negative partition " +
                            std::to_string(*r.partition),
                        "records[" + std::to_string(i) + "].partition", "non-negative");
    }
    auto [it, inserted] = needed.try_emplace(r.topic, -1);
    if (r.partition) it->second = std::max(it->second, *r.partition);
  }
  auto missing = [&](const std::map<std::string, int32_t>& known) {
    for (const auto& [topic, max_partition] : needed) {
      auto it = known.find(topic);
      if (it == known.end() || max_partition >= it->second) return true;
    }
    return false;
  };
  {
    std::lock_guard lock(topics_mutex_);
    if (!missing(partitions_)) return Status::success();
  }
  XYD_ASSIGN_OR_RETURN(const auto known, topic_partitions());
  for (const auto& [topic, max_partition] : needed) {
    auto it = known.find(topic);
    if (it == known.end()) {
      return make_error(Errc::not_found,
                        "topic " + topic + " does not exist on Kafka at " + options_.brokers +
                            ": create it first (EventLog::create_topics)",
                        "records.topic", "exists");
    }
    if (max_partition >= it->second) {
      return make_error(Errc::invalid_argument,
                        "partition " + std::to_string(max_partition) + " of topic " + topic +
                            " does not exist: the topic has " + std::to_string(it->second) + " partitions (0.." +
                            std::to_string(it->second - 1) + ")",
                        "records.partition", "in-range");
    }
  }
  return Status::success();
}

Status Core::check_offsets(const ConsumedOffsets& offsets) const {
  if (offsets.next_offsets.empty()) return Status::success();
  if (offsets.group.empty()) {
    return make_error(Errc::invalid_argument, "consumed offsets without a consumer group", "offsets.group",
                      "required");
  }
  for (const auto& [tp, offset] : offsets.next_offsets) {
    if (tp.topic.empty() || tp.partition < 0 || offset < 0) {
      return make_error(Errc::invalid_argument,
                        "bad consumed offset " + std::to_string(offset) + " for " + tp.to_string() + " of group " +
                            offsets.group + ": topic required, partition and offset non-negative",
                        "offsets.next_offsets", "non-negative");
    }
  }
  return Status::success();
}

bool Core::abort_open(rd_kafka_t* rk, Deliveries* deliveries) {
  const auto deadline = Clock::now() + options_.request_timeout;
  ErrorPtr e = retrying(deadline, [&] { return rd_kafka_abort_transaction(rk, budget_ms(deadline)); });
  // The abort purged what was queued; wait for those reports so the slots are final.
  if (!e && deliveries != nullptr) (void)deliveries->wait_all(std::chrono::seconds(5));
  if (e) {
    warn("abort_transaction failed (" + err_text(e.get()) + "); the producer is dropped");
    return false;
  }
  return true;
}

Core::GroupOutcome Core::after_error(rd_kafka_t* rk, const rd_kafka_error_t* e, std::string_view call,
                                     Deliveries* deliveries) {
  const std::string text = std::string(call) + " failed: " + err_text(e);
  if (rd_kafka_error_is_fatal(e)) return {Outcome::recreate, make_error(Errc::unavailable, text), {}, {}};
  if (!abort_open(rk, deliveries)) {
    return {Outcome::recreate, make_error(Errc::unavailable, text + "; abort failed too"), {}, {}};
  }
  return {Outcome::retry, make_error(Errc::unavailable, text + " (transaction aborted, nothing written)"), {}, {}};
}

Core::GroupOutcome Core::run_group(const std::vector<AppendItem*>& live, Clock::time_point deadline) {
  Result<rd_kafka_t*> producer = this->producer();
  if (!producer.ok()) return {Outcome::failed, producer.error(), {}, {}};
  rd_kafka_t* rk = *producer;

  if (ErrorPtr e{rd_kafka_begin_transaction(rk)}) return after_error(rk, e.get(), "begin_transaction", nullptr);

  // Every record, each with its delivery slot.
  auto deliveries = std::make_shared<Deliveries>();
  for (AppendItem* item : live) {
    item->first_slot = deliveries->size();
    for (size_t j = 0; j < item->records.size(); ++j) {
      const OutRecord& r = item->records[j];
      const size_t index = deliveries->add();
      const rd_kafka_resp_err_t err = produce(rk, r, deliveries, index, deadline);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      char reason[256];
      if (err == RD_KAFKA_RESP_ERR__FATAL || rd_kafka_fatal_error(rk, reason, sizeof reason)) {
        return {Outcome::recreate, make_error(Errc::unavailable, "produce failed: " + err_text(err)), {}, {}};
      }
      GroupOutcome out{Outcome::retry,
                       make_error(Errc::unavailable, "producing to topic " + r.topic + " failed: " + err_text(err) +
                                                         (err == RD_KAFKA_RESP_ERR__QUEUE_FULL
                                                              ? "; Kafka at " + options_.brokers +
                                                                    " is not taking writes fast enough"
                                                              : std::string())),
                       {},
                       {}};
      if (record_fault(err)) {
        out.kind = Outcome::item_faults;
        out.faults.emplace(item, record_error(j, r, err));
      }
      if (!abort_open(rk, deliveries.get())) out.kind = Outcome::recreate;
      return out;
    }
  }

  // The consumed offsets, merged per consumer group (the furthest offset of a partition wins).
  std::map<std::string, std::map<TopicPartition, int64_t>> by_group;
  std::map<std::string, std::vector<AppendItem*>> carriers;
  for (AppendItem* item : live) {
    if (item->offsets == nullptr || item->offsets->next_offsets.empty()) continue;
    auto& merged = by_group[item->offsets->group];
    for (const auto& [tp, offset] : item->offsets->next_offsets) {
      auto [it, inserted] = merged.try_emplace(tp, offset);
      if (!inserted) it->second = std::max(it->second, offset);
    }
    carriers[item->offsets->group].push_back(item);
  }
  for (const auto& [group, offsets] : by_group) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
    std::vector<TopicPartition> tps;
    for (const auto& [tp, offset] : offsets) {
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
      tps.push_back(tp);
    }
    GroupMetadataPtr md = registry_->metadata(group, tps);
    ErrorPtr e = retrying(deadline, [&] {
      return rd_kafka_send_offsets_to_transaction(rk, list.get(), md.get(), budget_ms(deadline));
    });
    if (!e) continue;
    if (!rd_kafka_error_is_fatal(e.get()) && group_fenced_code(rd_kafka_error_code(e.get()))) {
      GroupOutcome out{Outcome::item_faults, {}, {}, {}};
      for (AppendItem* item : carriers[group]) {
        out.faults.emplace(item, make_error(Errc::conflict,
                                            "consumer group " + group + " has rebalanced (" + err_text(e.get()) +
                                                "): this member no longer owns the partitions it consumed; "
                                                "nothing was written: re-read from the group's committed offsets"));
      }
      if (!abort_open(rk, deliveries.get())) out.kind = Outcome::recreate;
      return out;
    }
    return after_error(rk, e.get(), "send_offsets_to_transaction (group " + group + ")", deliveries.get());
  }

  switch (flush_records(rk, *deliveries, deadline)) {
    case Flushed::delivered:
      break;
    case Flushed::failed: {
      GroupOutcome out{Outcome::retry, make_error(Errc::unavailable, "a record was not delivered"), {}, {}};
      if (!abort_open(rk, deliveries.get())) out.kind = Outcome::recreate;
      for (AppendItem* item : live) {
        for (size_t j = 0; j < item->records.size(); ++j) {
          const Slot slot = deliveries->slot(item->first_slot + j);
          if (slot.reported && slot.err != RD_KAFKA_RESP_ERR_NO_ERROR && !record_fault(slot.err) &&
              out.error.message == "a record was not delivered") {
            out.error = make_error(Errc::unavailable, "record #" + std::to_string(j) + " (topic " +
                                                          item->records[j].topic + ") was not delivered: " +
                                                          err_text(slot.err));
          }
          if (slot.reported && record_fault(slot.err) && !out.faults.count(item)) {
            out.faults.emplace(item, record_error(j, item->records[j], slot.err));
          }
        }
      }
      if (!out.faults.empty() && out.kind == Outcome::retry) out.kind = Outcome::item_faults;
      return out;
    }
    case Flushed::timed_out: {
      // No commit was sent; dropping the producer ends the transaction (the next producer's
      // init_transactions aborts it) without waiting on an abort that cannot reach the broker.
      (void)drop_producer("an append");
      return {Outcome::failed,
              make_error(Errc::unavailable, "Kafka at " + options_.brokers + " did not take the records within " +
                                                duration_text(options_.transaction_timeout) +
                                                ": nothing was written: is the broker running? ops/kafka/start.sh"),
              {},
              {}};
    }
  }

  ErrorPtr e = retrying(deadline, [&] { return rd_kafka_commit_transaction(rk, budget_ms(deadline)); });
  // commit_transaction flushes before it sends EndTxn: with reports still missing, no commit was
  // ever sent (and the next producer's init_transactions aborts the transaction).
  const bool commit_maybe_sent = deliveries->all_reported();
  if (!e) {
    (void)deliveries->wait_all(std::chrono::seconds(5));  // commit flushed: all reported already
    return {Outcome::committed, {}, {}, deliveries};
  }
  if (rd_kafka_error_is_fatal(e.get())) {
    return {Outcome::recreate, make_error(Errc::unavailable, "commit_transaction failed: " + err_text(e.get())), {},
            {}};
  }
  if (rd_kafka_error_is_retriable(e.get())) {
    // Out of time with the commit unfinished. librdkafka allows only resuming it now (an abort
    // fails with _CONFLICT), so the producer goes; the next one's init_transactions settles it.
    Error error = commit_maybe_sent
                      ? make_error(Errc::timeout, "Kafka at " + options_.brokers +
                                                      " did not confirm the commit within " +
                                                      duration_text(options_.transaction_timeout) + " (" +
                                                      err_text(e.get()) +
                                                      "): the append may or may not be in the log; "
                                                      "check before retrying")
                      : make_error(Errc::unavailable, "Kafka at " + options_.brokers +
                                                          " did not take the records within " +
                                                          duration_text(options_.transaction_timeout) + " (" +
                                                          rd_kafka_error_name(e.get()) +
                                                          "): nothing was written: is the broker running? "
                                                          "ops/kafka/start.sh");
    (void)drop_producer("commit_transaction");
    return {Outcome::failed, error, {}, {}};
  }
  // Requires abort (e.g. a record was refused): abort, and retry without records at fault.
  GroupOutcome out = after_error(rk, e.get(), "commit_transaction", deliveries.get());
  if (out.kind == Outcome::retry) {
    for (AppendItem* item : live) {
      for (size_t j = 0; j < item->records.size(); ++j) {
        const Slot slot = deliveries->slot(item->first_slot + j);
        if (slot.reported && record_fault(slot.err)) {
          out.kind = Outcome::item_faults;
          out.faults.emplace(item, record_error(j, item->records[j], slot.err));
          break;
        }
      }
    }
  }
  return out;
}

void Core::flush_group(std::vector<AppendItem*>& group) {
  try {
    std::lock_guard lock(producer_mutex_);
    std::vector<AppendItem*> live(group.begin(), group.end());
    auto fail_all = [&](const Error& error) {
      for (AppendItem* item : live) item->result = error;
      live.clear();
    };
    int retries = 0;
    int recreations = 0;
    while (!live.empty()) {
      const auto deadline = Clock::now() + options_.transaction_timeout;
      GroupOutcome out = run_group(live, deadline);
      if (out.kind != Outcome::committed) {  // records at fault fail alone; the others go again
        for (auto& [item, error] : out.faults) item->result = error;
        std::erase_if(live, [](AppendItem* item) { return item->result.has_value(); });
      }
      switch (out.kind) {
        case Outcome::committed:
          for (AppendItem* item : live) {
            std::vector<Position> positions;
            positions.reserve(item->records.size());
            std::optional<Error> lost;
            for (size_t j = 0; j < item->records.size(); ++j) {
              const Slot slot = out.deliveries->slot(item->first_slot + j);
              if (!slot.reported || slot.err != RD_KAFKA_RESP_ERR_NO_ERROR || slot.offset < 0) {
                lost = make_error(Errc::fatal, "Kafka committed the transaction but reported no offset for record #" +
                                                   std::to_string(j) + " (topic " + item->records[j].topic + ", " +
                                                   (slot.reported ? err_text(slot.err) : "no delivery report") +
                                                   "): check the topic before retrying");
                break;
              }
              positions.push_back(Position{{item->records[j].topic, slot.partition}, slot.offset});
            }
            if (lost) {
              item->result = *lost;
            } else {
              item->result = std::move(positions);
            }
          }
          live.clear();
          break;
        case Outcome::item_faults:
          if (out.faults.empty()) fail_all(out.error);
          break;
        case Outcome::retry:
          if (++retries > 3) {
            fail_all(make_error(Errc::unavailable, "Kafka at " + options_.brokers + ": gave up after " +
                                                       std::to_string(retries) + " aborted attempts; last: " +
                                                       out.error.message));
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100 * retries));
          break;
        case Outcome::recreate: {
          Error error = drop_producer("an append");
          if (fenced() || ++recreations > 1) {
            fail_all(fenced() ? error : out.error);
          }
          break;
        }
        case Outcome::failed:
          fail_all(out.error);
          break;
      }
    }
  } catch (const std::exception& ex) {
    for (AppendItem* item : group) {
      if (!item->result) item->result = make_error(Errc::fatal, std::string("Kafka append failed: ") + ex.what());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The EventLog.

class KafkaLog final : public EventLog {
 public:
  explicit KafkaLog(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  std::string backend() const override { return "kafka"; }
  std::string where() const override { return core_->options().brokers; }

  Status ping() override {
    const auto timeout = std::chrono::milliseconds(2000);
    XYD_ASSIGN_OR_RETURN(MetadataPtr md, core_->metadata(timeout, false));
    if (md->broker_cnt == 0) {
      return make_error(Errc::unavailable, "Kafka at " + core_->options().brokers +
                                               " answered without brokers: is the cluster starting?");
    }
    return Status::success();
  }

  Status create_topics(const std::vector<TopicSpec>& topics) override;

  Result<int32_t> partition_count(const std::string& topic) override {
    XYD_ASSIGN_OR_RETURN(auto counts, core_->topic_partitions());
    auto it = counts.find(topic);
    if (it == counts.end()) {
      return make_error(Errc::not_found, "topic " + topic + " does not exist on Kafka at " + core_->options().brokers +
                                             ": create it with EventLog::create_topics",
                        "topic", "exists");
    }
    return it->second;
  }

  Result<std::vector<std::string>> list_topics() override {
    XYD_ASSIGN_OR_RETURN(auto counts, core_->topic_partitions());
    std::vector<std::string> names;
    for (const auto& [name, count] : counts) {
      if (!name.starts_with("__")) names.push_back(name);
    }
    return names;
  }

  Result<std::vector<Position>> append(std::span<const OutRecord> records, const ConsumedOffsets* offsets) override {
    const bool has_offsets = offsets != nullptr && !offsets->next_offsets.empty();
    if (records.empty() && !has_offsets) return std::vector<Position>{};
    XYD_RETURN_IF_ERROR(core_->check_records(records));
    if (has_offsets) XYD_RETURN_IF_ERROR(core_->check_offsets(*offsets));
    AppendItem item;
    item.records = records;
    item.offsets = has_offsets ? offsets : nullptr;
    core_->group_commit().submit(item, [this](std::vector<AppendItem*>& group) { core_->flush_group(group); });
    if (!item.result) return make_error(Errc::fatal, "Kafka append finished without an outcome");
    return std::move(*item.result);
  }

  Result<int64_t> end_offset(const TopicPartition& tp) override { return watermark(tp, false); }
  Result<int64_t> begin_offset(const TopicPartition& tp) override { return watermark(tp, true); }

  Result<std::map<TopicPartition, int64_t>> committed(const std::string& group,
                                                      const std::vector<TopicPartition>& tps) override {
    return fetch_committed(core_->options(), group, tps);
  }

  Result<std::unique_ptr<Reader>> reader() override { return open_reader(core_->options()); }

  Result<std::unique_ptr<Subscription>> subscribe(const std::string& group, const std::vector<std::string>& topics,
                                                  RebalanceListener listener) override {
    return open_subscription(core_->registry(), core_->options(), group, topics, std::move(listener));
  }

 private:
  Result<int64_t> watermark(const TopicPartition& tp, bool low_end) {
    if (tp.topic.empty() || tp.partition < 0) {
      return make_error(Errc::invalid_argument, "bad topic partition " + tp.to_string(), "tp", "required");
    }
    int64_t low = -1;
    int64_t high = -1;
    const rd_kafka_resp_err_t err = query_watermarks(core_->admin(), tp, core_->options().request_timeout, &low, &high);
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
        err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
      return make_error(Errc::not_found, "no partition " + tp.to_string() + " on Kafka at " +
                                             core_->options().brokers + " (" + err_text(err) +
                                             "): create the topic with EventLog::create_topics");
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(Errc::unavailable, "could not read the offsets of " + tp.to_string() + " from Kafka at " +
                                               core_->options().brokers + " (" + err_text(err) +
                                               "): is the broker running? ops/kafka/start.sh");
    }
    return low_end ? low : high;
  }

  std::shared_ptr<Core> core_;
};

Status KafkaLog::create_topics(const std::vector<TopicSpec>& topics) {
  std::set<std::string> seen;
  for (size_t i = 0; i < topics.size(); ++i) {
    const TopicSpec& t = topics[i];
    const std::string field = "topics[" + std::to_string(i) + "]";
    if (!valid_topic_name(t.name)) {
      return make_error(Errc::invalid_argument,
                        "bad topic name '" + t.name + "': use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'",
                        field + ".name", "kafka-topic-name");
    }
    if (t.partitions < 1) {
      return make_error(Errc::invalid_argument,
                        "topic " + t.name + " needs at least 1 partition, not " + std::to_string(t.partitions),
                        field + ".partitions", "positive");
    }
    if (!seen.insert(t.name).second) {
      return make_error(Errc::invalid_argument, "topic " + t.name + " is listed twice", field + ".name", "unique");
    }
  }
  if (topics.empty()) return Status::success();

  const KafkaLogOptions& options = core_->options();
  auto check_existing = [&](const std::map<std::string, int32_t>& counts, std::vector<const TopicSpec*>* absent)
      -> Status {
    for (const TopicSpec& t : topics) {
      auto it = counts.find(t.name);
      if (it == counts.end()) {
        if (absent != nullptr) absent->push_back(&t);
      } else if (it->second != t.partitions) {
        return make_error(Errc::conflict,
                          "topic " + t.name + " exists on Kafka at " + options.brokers + " with " +
                              std::to_string(it->second) + " partitions, not " + std::to_string(t.partitions) +
                              ": fix the configured partition count (Kafka cannot shrink a topic)",
                          "partitions", "matches-existing");
      }
    }
    return Status::success();
  };

  XYD_ASSIGN_OR_RETURN(auto counts, core_->topic_partitions());
  std::vector<const TopicSpec*> absent;
  XYD_RETURN_IF_ERROR(check_existing(counts, &absent));

  if (!absent.empty()) {
    std::vector<NewTopicPtr> owned;
    std::vector<rd_kafka_NewTopic_t*> raw;
    for (const TopicSpec* t : absent) {
      char errstr[512] = {};
      // Replication factor -1: the broker's default.replication.factor.
      NewTopicPtr nt(rd_kafka_NewTopic_new(t->name.c_str(), t->partitions, -1, errstr, sizeof errstr));
      if (!nt) return make_error(Errc::invalid_argument, "cannot describe topic " + t->name + ": " + errstr);
      for (const auto& [key, value] : std::initializer_list<std::pair<const char*, const char*>>{
               {"retention.ms", "-1"}, {"retention.bytes", "-1"}, {"cleanup.policy", "delete"}}) {
        if (rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(nt.get(), key, value)) {
          return make_error(Errc::fatal, "cannot set " + std::string(key) + " of topic " + t->name + ": " +
                                             err_text(err));
        }
      }
      raw.push_back(nt.get());
      owned.push_back(std::move(nt));
    }
    AdminOptionsPtr admin_options(rd_kafka_AdminOptions_new(core_->admin(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
    char errstr[512] = {};
    rd_kafka_AdminOptions_set_operation_timeout(admin_options.get(), to_ms(options.request_timeout), errstr,
                                                sizeof errstr);
    rd_kafka_AdminOptions_set_request_timeout(admin_options.get(), to_ms(options.request_timeout), errstr,
                                              sizeof errstr);
    QueuePtr queue(rd_kafka_queue_new(core_->admin()));
    rd_kafka_CreateTopics(core_->admin(), raw.data(), raw.size(), admin_options.get(), queue.get());
    EventPtr ev(rd_kafka_queue_poll(queue.get(), to_ms(options.request_timeout) + 5000));
    if (!ev) {
      return make_error(Errc::timeout, "Kafka at " + options.brokers + " did not answer CreateTopics within " +
                                           duration_text(options.request_timeout) +
                                           ": is the broker running? ops/kafka/start.sh");
    }
    if (rd_kafka_resp_err_t err = rd_kafka_event_error(ev.get())) {
      return make_error(Errc::unavailable, "CreateTopics on Kafka at " + options.brokers + " failed: " +
                                               err_text(err) + ": " + rd_kafka_event_error_string(ev.get()));
    }
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(ev.get());
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count; ++i) {
      const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
      const char* message = rd_kafka_topic_result_error_string(results[i]);
      return make_error(err == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR ? Errc::invalid_argument
                                                                             : Errc::unavailable,
                        "Kafka at " + options.brokers + " could not create topic " +
                            rd_kafka_topic_result_name(results[i]) + ": " + err_text(err) +
                            (message ? std::string(": ") + message : std::string()));
    }
  }

  // Wait until every topic shows in the metadata with a leader for each partition, so the first
  // produce or fetch does not race the creation.
  const auto deadline = Clock::now() + options.request_timeout;
  std::string pending;
  for (;;) {
    XYD_ASSIGN_OR_RETURN(MetadataPtr md, core_->metadata(options.request_timeout, true));
    std::map<std::string, int32_t> counts_now;
    pending.clear();
    for (const TopicSpec& t : topics) {
      const rd_kafka_metadata_topic_t* found = nullptr;
      for (int i = 0; i < md->topic_cnt; ++i) {
        if (t.name == md->topics[i].topic) found = &md->topics[i];
      }
      if (found == nullptr || found->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        pending = t.name + " (not in the metadata yet)";
        break;
      }
      counts_now[t.name] = found->partition_cnt;
      if (found->partition_cnt != t.partitions) {
        XYD_RETURN_IF_ERROR(check_existing(counts_now, nullptr));
      }
      for (int p = 0; p < found->partition_cnt; ++p) {
        if (found->partitions[p].leader < 0 || found->partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          pending = t.name + "/" + std::to_string(p) + " (no leader yet)";
          break;
        }
      }
      if (!pending.empty()) break;
    }
    if (pending.empty()) {
      // And each leader serves its partition (the metadata may run ahead of the broker).
      for (const TopicSpec& t : topics) {
        for (int32_t p = 0; p < t.partitions && pending.empty(); ++p) {
          int64_t low = -1;
          int64_t high = -1;
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
          const auto budget = std::max(left, std::chrono::milliseconds(1));
          if (rd_kafka_resp_err_t err = query_watermarks(core_->admin(), {t.name, p}, budget, &low, &high)) {
            pending = t.name + "/" + std::to_string(p) + " (" + err_text(err) + ")";
          }
        }
      }
    }
    if (pending.empty()) break;
    if (Clock::now() >= deadline) {
      return make_error(Errc::timeout, "topics created on Kafka at " + options.brokers + " but " + pending +
                                           " after " + duration_text(options.request_timeout) +
                                           ": check the broker log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (void)core_->topic_partitions();  // refresh the cache for append()
  return Status::success();
}

std::string default_transactional_id() {
  static std::atomic<int> opened{0};
  const int n = ++opened;
  std::string id = "xyd-" + host_and_pid();
  if (n > 1) id += "-" + std::to_string(n);  // several EventLogs in one process must not fence each other
  return id;
}

bool lz4_supported() {
  ConfPtr conf(rd_kafka_conf_new());
  char features[512] = {};
  size_t size = sizeof features;
  if (rd_kafka_conf_get(conf.get(), "builtin.features", features, &size) != RD_KAFKA_CONF_OK) return false;
  return std::string_view(features).find("lz4") != std::string_view::npos;
}

}  // namespace
}  // namespace kafka

Result<std::unique_ptr<EventLog>> open_kafka_log(const KafkaLogOptions& options) {
  using namespace kafka;
  if (options.brokers.empty()) {
    return make_error(Errc::invalid_argument, "no Kafka brokers configured (host:port,...)", "brokers", "required");
  }
  if (options.transaction_timeout < std::chrono::seconds(1)) {
    return make_error(Errc::invalid_argument, "transaction_timeout must be at least 1 s", "transaction_timeout",
                      "min-1s");
  }
  if (options.request_timeout <= std::chrono::milliseconds(0)) {
    return make_error(Errc::invalid_argument, "request_timeout must be positive", "request_timeout", "positive");
  }
  const std::string txn_id = options.transactional_id.empty() ? default_transactional_id() : options.transactional_id;
  const bool lz4 = lz4_supported();

  // The admin handle: metadata, CreateTopics, watermarks. A group-less consumer handle reading
  // read_uncommitted, so end_offset() is the high watermark (with read_committed it would be the
  // last stable offset). It has no callbacks, so no poll loop: each request has its own queue.
  XYD_ASSIGN_OR_RETURN(ConfPtr admin_conf, make_conf(options, Role::admin,
                                                     {{"allow.auto.create.topics", "false"},
                                                      {"isolation.level", "read_uncommitted"},
                                                      {"enable.auto.commit", "false"}}));
  XYD_ASSIGN_OR_RETURN(HandlePtr admin, new_handle(RD_KAFKA_CONSUMER, std::move(admin_conf), "admin client"));
  auto core = std::make_shared<Core>(options, txn_id, lz4, std::move(admin));
  {
    std::lock_guard lock(core->producer_mutex());
    Result<rd_kafka_t*> producer = core->producer();  // init_transactions now: fail early and clearly
    if (!producer.ok()) return producer.error();
  }
  return std::unique_ptr<EventLog>(new KafkaLog(std::move(core)));
}

}  // namespace xyd::log

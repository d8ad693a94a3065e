// The consuming side of the Kafka EventLog: Reader (explicit assignment, caller-stored offsets),
// Subscription (a consumer group member starting each partition from the group's committed
// offset), and committed() through a short-lived consumer of the group. Every consumer reads
// read_committed with auto commit off; its poll loop is the owner's poll() (rd_kafka_consumer_poll,
// which also runs the rebalance callback).
#include <atomic>
#include <cstring>
#include <exception>

#include "events/kafka/kafka_internal.h"

namespace xyd::log::kafka {

Record to_record(const rd_kafka_message_t* m) {
  Record r;
  r.topic = rd_kafka_topic_name(m->rkt);
  r.partition = m->partition;
  r.offset = m->offset;
  if (m->key != nullptr) r.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) r.value.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    r.headers.reserve(rd_kafka_header_cnt(headers));
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      r.headers.push_back(
          Header{name, value != nullptr ? std::string(static_cast<const char*>(value), size) : std::string()});
    }
  }
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const int64_t ts = rd_kafka_message_timestamp(m, &type);
  r.timestamp_ms = ts >= 0 ? ts : 0;
  return r;
}

namespace {

Error consumer_error(rd_kafka_t* rk, const rd_kafka_message_t* m) {
  const std::string where =
      m->rkt != nullptr ? std::string(rd_kafka_topic_name(m->rkt)) + "/" + std::to_string(m->partition) : "";
  const std::string detail = err_text(m->err) + ": " + rd_kafka_message_errstr(m);
  if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
    char reason[512] = {};
    const rd_kafka_resp_err_t code = rd_kafka_fatal_error(rk, reason, sizeof reason);
    return make_error(Errc::fatal, "the Kafka consumer failed fatally (" + std::string(rd_kafka_err2name(code)) + ": " +
                                       reason + "): close it and open a new one");
  }
  switch (m->err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return make_error(Errc::not_found, "cannot read " + (where.empty() ? std::string("a partition") : where) +
                                             " from Kafka (" + detail +
                                             "): create the topic (EventLog::create_topics) or fix the assignment");
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
      return make_error(Errc::refused, "not allowed to read " + where + " from Kafka (" + detail +
                                           "): grant this client Read on the topic and group");
    default:
      return make_error(Errc::unavailable, "reading " + (where.empty() ? std::string("from Kafka") : where) +
                                               " failed (" + detail + "); poll again, the consumer recovers by itself");
  }
}

// A consumer handle polled by its owner's thread; shared by Reader and Subscription.
class Consumer {
 public:
  Consumer() = default;
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

 protected:
  ~Consumer() = default;

  Result<std::vector<Record>> poll_records(std::chrono::milliseconds timeout, size_t max_records) {
    rethrow_pending();
    if (pending_error_) return take_pending();
    std::vector<Record> out;
    const auto deadline = Clock::now() + timeout;
    while (out.size() < max_records) {
      // First wait up to the timeout for a record, then take what is already there.
      const int wait = out.empty() ? remaining_ms(deadline) : 0;
      MessagePtr m(rd_kafka_consumer_poll(rk_.get(), wait));
      if (pending_exception_ || pending_error_) {  // from a rebalance callback inside the poll
        if (m && m->err == RD_KAFKA_RESP_ERR_NO_ERROR) out.push_back(to_record(m.get()));
        if (!out.empty()) break;  // records first; the error on the next poll
        rethrow_pending();
        return take_pending();
      }
      if (!m) {
        if (out.empty() && Clock::now() < deadline) continue;
        break;
      }
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        Error error = consumer_error(rk_.get(), m.get());
        if (out.empty()) return error;
        pending_error_ = std::move(error);  // the records read so far must not be lost
        break;
      }
      out.push_back(to_record(m.get()));
    }
    return out;
  }

  // The next offset the owner will be given, past transaction markers; -1 before anything was
  // fetched for the partition.
  Result<int64_t> fetch_position(const TopicPartition& tp) {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
    if (rd_kafka_resp_err_t err = rd_kafka_position(rk_.get(), list.get()))
      return make_error(Errc::unavailable, "position of " + tp.to_string() + ": " + err_text(err));
    return list->elems[0].offset < 0 ? -1 : list->elems[0].offset;
  }

  void rethrow_pending() {
    if (pending_exception_) {
      std::exception_ptr e = pending_exception_;
      pending_exception_ = nullptr;
      std::rethrow_exception(e);
    }
  }
  Error take_pending() {
    Error e = std::move(*pending_error_);
    pending_error_.reset();
    return e;
  }

  HandlePtr rk_;
  std::optional<Error> pending_error_;
  std::exception_ptr pending_exception_;  // thrown by a listener inside a callback
};

class KafkaReader final : public Reader, private Consumer {
 public:
  explicit KafkaReader(HandlePtr rk) { rk_ = std::move(rk); }
  ~KafkaReader() override {
    if (rk_) rd_kafka_consumer_close(rk_.get());
  }

  Status assign(const std::map<TopicPartition, int64_t>& start_offsets) override {
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(start_offsets.size())));
    for (const auto& [tp, offset] : start_offsets) {
      if (tp.topic.empty() || tp.partition < 0 || offset < 0) {
        return make_error(Errc::invalid_argument,
                          "bad start offset " + std::to_string(offset) + " for " + tp.to_string() +
                              ": topic required, partition and offset non-negative",
                          "start_offsets", "non-negative");
      }
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = offset;
    }
    if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get())) {
      return make_error(Errc::unavailable, "Kafka reader could not assign " + std::to_string(start_offsets.size()) +
                                               " partitions: " + err_text(err));
    }
    pending_error_.reset();  // errors of the previous assignment no longer matter
    assigned_ = start_offsets;
    return Status::success();
  }

  Result<std::vector<Record>> poll(std::chrono::milliseconds timeout, size_t max_records) override {
    return poll_records(timeout, max_records);
  }

  Result<int64_t> position(const TopicPartition& tp) override {
    XYD_ASSIGN_OR_RETURN(int64_t offset, fetch_position(tp));
    if (offset < 0) offset = assigned_.count(tp) ? assigned_[tp] : 0;  // nothing consumed yet
    return offset;
  }

 private:
  std::map<TopicPartition, int64_t> assigned_;
};

std::vector<TopicPartition> to_tps(const rd_kafka_topic_partition_list_t* parts) {
  std::vector<TopicPartition> tps;
  tps.reserve(static_cast<size_t>(parts->cnt));
  for (int i = 0; i < parts->cnt; ++i) tps.push_back(TopicPartition{parts->elems[i].topic, parts->elems[i].partition});
  return tps;
}

class KafkaSubscription final : public Subscription, private Consumer {
 public:
  KafkaSubscription(std::shared_ptr<SubscriptionRegistry> registry, const KafkaLogOptions& options, std::string group,
                    RebalanceListener listener)
      : registry_(std::move(registry)), options_(options), group_(std::move(group)), listener_(std::move(listener)) {}

  ~KafkaSubscription() override {
    if (!rk_) return;
    registry_->remove(rk_.get());
    // Leave the group. The final revoke unassigns but does not call the listener: its objects
    // may already be gone while the subscription is destroyed.
    closing_ = true;
    rd_kafka_consumer_close(rk_.get());
  }

  Status start(const std::vector<std::string>& topics) {
    XYD_ASSIGN_OR_RETURN(ConfPtr conf, make_conf(options_, Role::consumer, consumer_settings(group_)));
    rd_kafka_conf_set_rebalance_cb(conf.get(), &KafkaSubscription::rebalance_cb);
    rd_kafka_conf_set_opaque(conf.get(), this);
    XYD_ASSIGN_OR_RETURN(rk_, new_handle(RD_KAFKA_CONSUMER, std::move(conf), "consumer of group " + group_));
    rd_kafka_poll_set_consumer(rk_.get());
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const std::string& topic : topics) {
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    if (rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_.get(), list.get())) {
      return make_error(Errc::unavailable, "group " + group_ + " could not subscribe on Kafka at " + options_.brokers +
                                               ": " + err_text(err));
    }
    registry_->add(group_, rk_.get(), assignment_);
    return Status::success();
  }

  Result<std::vector<Record>> poll(std::chrono::milliseconds timeout, size_t max_records) override {
    return poll_records(timeout, max_records);
  }

  std::vector<TopicPartition> assignment() const override {
    std::lock_guard lock(assignment_->mutex);
    return {assignment_->partitions.begin(), assignment_->partitions.end()};
  }

  const std::string& group() const override { return group_; }

  Result<int64_t> position(const TopicPartition& tp) override { return fetch_position(tp); }

 private:
  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque) {
    static_cast<KafkaSubscription*>(opaque)->on_rebalance(rk, err, parts);
  }

  // Runs inside rd_kafka_consumer_poll (or close) on the owner's thread. Must not throw into C.
  void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) noexcept {
    try {
      const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
      const std::vector<TopicPartition> tps = to_tps(parts);
      if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        start_from_committed(rk, parts);
        if (cooperative) {
          if (ErrorPtr e{rd_kafka_incremental_assign(rk, parts)}) {
            pending_error_ = make_error(Errc::unavailable,
                                        "group " + group_ + ": assigning partitions failed: " + err_text(e.get()));
            return;
          }
        } else if (rd_kafka_resp_err_t e = rd_kafka_assign(rk, parts)) {
          pending_error_ =
              make_error(Errc::unavailable, "group " + group_ + ": assigning partitions failed: " + err_text(e));
          return;
        }
        {
          std::lock_guard lock(assignment_->mutex);
          if (!cooperative) assignment_->partitions.clear();
          assignment_->partitions.insert(tps.begin(), tps.end());
        }
        if (listener_.assigned && !tps.empty() && !closing_) listener_.assigned(tps);
        return;
      }
      if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && listener_.revoked && !tps.empty() && !closing_) {
        listener_.revoked(tps);
      }
      if (cooperative) {
        ErrorPtr e(rd_kafka_incremental_unassign(rk, parts));
      } else {
        rd_kafka_assign(rk, nullptr);
      }
      {
        std::lock_guard lock(assignment_->mutex);
        if (cooperative) {
          for (const TopicPartition& tp : tps) assignment_->partitions.erase(tp);
        } else {
          assignment_->partitions.clear();
        }
      }
      if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !closing_) {
        pending_error_ = make_error(Errc::unavailable, "group " + group_ + " rebalance failed: " + err_text(err) +
                                                           "; its partitions were unassigned, poll again");
      }
    } catch (...) {
      if (!pending_exception_) pending_exception_ = std::current_exception();
    }
  }

  // Sets each partition's start: the group's committed offset, or the beginning if none. If the
  // committed offsets cannot be read now, leaves it to librdkafka (it fetches them at start).
  void start_from_committed(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* parts) {
    if (parts->cnt == 0) return;
    PartitionListPtr committed(rd_kafka_topic_partition_list_copy(parts));
    const rd_kafka_resp_err_t err = rd_kafka_committed(rk, committed.get(), to_ms(options_.request_timeout));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      warn("group " + group_ + ": could not read committed offsets (" + err_text(err) +
           "); librdkafka will fetch them when the partitions start");
    }
    for (int i = 0; i < parts->cnt; ++i) {
      const rd_kafka_topic_partition_t& c = committed->elems[i];
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR || c.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        parts->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
      } else {
        parts->elems[i].offset = c.offset >= 0 ? c.offset : RD_KAFKA_OFFSET_BEGINNING;
      }
    }
  }

  std::shared_ptr<SubscriptionRegistry> registry_;
  const KafkaLogOptions options_;
  const std::string group_;
  RebalanceListener listener_;
  std::shared_ptr<Assignment> assignment_ = std::make_shared<Assignment>();
  bool closing_ = false;
};

}  // namespace

Result<std::unique_ptr<Reader>> open_reader(const KafkaLogOptions& options) {
  static std::atomic<uint64_t> readers{0};
  // A throwaway group: a Reader never joins it nor commits to it.
  const std::string group = "xyd-reader-" + host_and_pid() + "-" + std::to_string(++readers);
  XYD_ASSIGN_OR_RETURN(ConfPtr conf, make_conf(options, Role::consumer, consumer_settings(group)));
  XYD_ASSIGN_OR_RETURN(HandlePtr rk, new_handle(RD_KAFKA_CONSUMER, std::move(conf), "reader"));
  rd_kafka_poll_set_consumer(rk.get());
  return std::unique_ptr<Reader>(new KafkaReader(std::move(rk)));
}

Result<std::unique_ptr<Subscription>> open_subscription(std::shared_ptr<SubscriptionRegistry> registry,
                                                        const KafkaLogOptions& options, const std::string& group,
                                                        const std::vector<std::string>& topics,
                                                        RebalanceListener listener) {
  if (group.empty()) return make_error(Errc::invalid_argument, "subscribe needs a consumer group", "group", "required");
  if (topics.empty()) {
    return make_error(Errc::invalid_argument, "subscribe needs at least one topic", "topics", "required");
  }
  for (const std::string& topic : topics) {
    if (topic.empty()) return make_error(Errc::invalid_argument, "subscribe: empty topic name", "topics", "required");
  }
  std::unique_ptr<KafkaSubscription> sub(
      new KafkaSubscription(std::move(registry), options, group, std::move(listener)));
  XYD_RETURN_IF_ERROR(sub->start(topics));
  return std::unique_ptr<Subscription>(std::move(sub));
}

Result<std::map<TopicPartition, int64_t>> fetch_committed(const KafkaLogOptions& options, const std::string& group,
                                                          const std::vector<TopicPartition>& tps) {
  if (group.empty()) {
    return make_error(Errc::invalid_argument, "committed() needs a consumer group", "group", "required");
  }
  std::map<TopicPartition, int64_t> out;
  if (tps.empty()) return out;
  XYD_ASSIGN_OR_RETURN(ConfPtr conf, make_conf(options, Role::consumer, consumer_settings(group)));
  XYD_ASSIGN_OR_RETURN(HandlePtr rk, new_handle(RD_KAFKA_CONSUMER, std::move(conf), "consumer of group " + group));
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(tps.size())));
  for (const TopicPartition& tp : tps) {
    if (tp.topic.empty() || tp.partition < 0) {
      return make_error(Errc::invalid_argument, "bad topic partition " + tp.to_string(), "tps", "required");
    }
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  const rd_kafka_resp_err_t err = rd_kafka_committed(rk.get(), list.get(), to_ms(options.request_timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::unavailable, "could not read the committed offsets of group " + group + " from Kafka at " +
                                             options.brokers + " within " + duration_text(options.request_timeout) +
                                             " (" + err_text(err) + "): is the broker running? ops/kafka/start.sh");
  }
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& e = list->elems[i];
    const TopicPartition tp{e.topic, e.partition};
    if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return make_error(
          e.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? Errc::not_found : Errc::unavailable,
          "could not read the committed offset of group " + group + " for " + tp.to_string() + ": " + err_text(e.err));
    }
    if (e.offset >= 0) out[tp] = e.offset;  // RD_KAFKA_OFFSET_INVALID: never committed
  }
  rd_kafka_consumer_close(rk.get());
  return out;
}

}  // namespace xyd::log::kafka

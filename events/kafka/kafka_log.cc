// The Kafka EventLog: a thin facade over its parts, each in its own file of events/kafka/ (see
// README.md): configuration (kafka_config.cc), delivery reports (kafka_delivery.cc), the
// transactional producer (kafka_producer.cc), the transaction session (kafka_session.cc), the
// group-committed append (kafka_append.cc), the admin side (kafka_admin.cc) and the consumers
// (kafka_consumer.cc, kafka_registry.cc).
#include "events/kafka/kafka_log.h"

#include <atomic>
#include <memory>

#include "events/kafka/kafka_admin_internal.h"
#include "events/kafka/kafka_append_internal.h"
#include "events/kafka/kafka_internal.h"
#include "events/kafka/kafka_session_internal.h"

namespace xyd::log {
namespace kafka {
namespace {

// The EventLog on Kafka: owns the options and every part, which refer to each other and to the
// options (so it never moves). Safe for concurrent use from many threads.
class KafkaLog final : public EventLog {
 public:
  KafkaLog(const KafkaLogOptions& options, std::string txn_id, bool lz4, HandlePtr admin)
      : options_(options),
        admin_(options_, std::move(admin)),
        producer_(options_, std::move(txn_id), lz4),
        session_(options_, producer_, *registry_),
        appender_(options_, admin_, producer_, session_) {}
  KafkaLog(const KafkaLog&) = delete;
  KafkaLog& operator=(const KafkaLog&) = delete;

  // Creates the producer (init_transactions) now, to fail early and clearly.
  Status start_producer() {
    std::lock_guard lock(producer_.mutex());
    Result<rd_kafka_t*> producer = producer_.producer();
    if (!producer.ok()) return producer.error();
    return Status::success();
  }

  std::string backend() const override { return "kafka"; }
  std::string where() const override { return options_.brokers; }
  Status ping() override { return admin_.ping(); }

  Status create_topics(const std::vector<TopicSpec>& topics) override { return admin_.create_topics(topics); }
  Result<int32_t> partition_count(const std::string& topic) override { return admin_.partition_count(topic); }
  Result<std::vector<std::string>> list_topics() override { return admin_.list_topics(); }

  Result<std::vector<Position>> append(std::span<const OutRecord> records, const ConsumedOffsets* offsets) override {
    return appender_.append(records, offsets);
  }

  Result<int64_t> end_offset(const TopicPartition& tp) override { return admin_.watermark(tp, false); }
  Result<int64_t> begin_offset(const TopicPartition& tp) override { return admin_.watermark(tp, true); }
  Result<std::map<TopicPartition, int64_t>> committed(const std::string& group,
                                                      const std::vector<TopicPartition>& tps) override {
    return fetch_committed(options_, group, tps);
  }

  Result<std::unique_ptr<Reader>> reader() override { return open_reader(options_); }
  Result<std::unique_ptr<Subscription>> subscribe(const std::string& group, const std::vector<std::string>& topics,
                                                  RebalanceListener listener) override {
    return open_subscription(registry_, options_, group, topics, std::move(listener));
  }

 private:
  // Declared in the order they are built; destroyed in reverse: the producer goes before the admin.
  const KafkaLogOptions options_;
  const std::shared_ptr<SubscriptionRegistry> registry_ = std::make_shared<SubscriptionRegistry>();
  KafkaAdmin admin_;
  ProducerHolder producer_;
  TxnSession session_;
  GroupAppender appender_;
};

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
  auto log = std::make_unique<KafkaLog>(options, txn_id, lz4, std::move(admin));
  XYD_RETURN_IF_ERROR(log->start_producer());
  return std::unique_ptr<EventLog>(std::move(log));
}

}  // namespace xyd::log

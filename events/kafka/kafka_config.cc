// Configuration of every librdkafka handle of the Kafka log (make_conf, with the rules for
// KafkaLogOptions.overrides), handle creation, error and duration text, the settings shared by all
// consumers. Declared in kafka_internal.h; stateless, callable from any thread.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "events/kafka/kafka_internal.h"
#include "ops/telemetry/kafka_telemetry.h"

namespace xyd::log::kafka {

namespace {

// The librdkafka properties only a producer or only a consumer understands (CONFIGURATION.md of
// librdkafka 2.0): an override of one of them goes only to that kind of handle.
std::optional<Role> only_for(std::string_view key) {
  static const std::map<std::string_view, Role> keys = {{"acks", Role::producer},
                                                        {"batch.num.messages", Role::producer},
                                                        {"batch.size", Role::producer},
                                                        {"compression.codec", Role::producer},
                                                        {"compression.level", Role::producer},
                                                        {"compression.type", Role::producer},
                                                        {"delivery.report.only.error", Role::producer},
                                                        {"delivery.timeout.ms", Role::producer},
                                                        {"enable.gapless.guarantee", Role::producer},
                                                        {"enable.idempotence", Role::producer},
                                                        {"linger.ms", Role::producer},
                                                        {"message.send.max.retries", Role::producer},
                                                        {"message.timeout.ms", Role::producer},
                                                        {"partitioner", Role::producer},
                                                        {"produce.offset.report", Role::producer},
                                                        {"queue.buffering.backpressure.threshold", Role::producer},
                                                        {"queue.buffering.max.kbytes", Role::producer},
                                                        {"queue.buffering.max.messages", Role::producer},
                                                        {"queue.buffering.max.ms", Role::producer},
                                                        {"queuing.strategy", Role::producer},
                                                        {"request.required.acks", Role::producer},
                                                        {"request.timeout.ms", Role::producer},
                                                        {"retries", Role::producer},
                                                        {"retry.backoff.ms", Role::producer},
                                                        {"sticky.partitioning.linger.ms", Role::producer},
                                                        {"transaction.timeout.ms", Role::producer},
                                                        {"transactional.id", Role::producer},
                                                        {"auto.commit.enable", Role::consumer},
                                                        {"auto.commit.interval.ms", Role::consumer},
                                                        {"auto.offset.reset", Role::consumer},
                                                        {"check.crcs", Role::consumer},
                                                        {"consume.callback.max.messages", Role::consumer},
                                                        {"coordinator.query.interval.ms", Role::consumer},
                                                        {"enable.auto.commit", Role::consumer},
                                                        {"enable.auto.offset.store", Role::consumer},
                                                        {"enable.partition.eof", Role::consumer},
                                                        {"fetch.error.backoff.ms", Role::consumer},
                                                        {"fetch.max.bytes", Role::consumer},
                                                        {"fetch.message.max.bytes", Role::consumer},
                                                        {"fetch.min.bytes", Role::consumer},
                                                        {"fetch.wait.max.ms", Role::consumer},
                                                        {"group.id", Role::consumer},
                                                        {"group.instance.id", Role::consumer},
                                                        {"group.protocol.type", Role::consumer},
                                                        {"heartbeat.interval.ms", Role::consumer},
                                                        {"isolation.level", Role::consumer},
                                                        {"max.partition.fetch.bytes", Role::consumer},
                                                        {"max.poll.interval.ms", Role::consumer},
                                                        {"offset.store.method", Role::consumer},
                                                        {"offset.store.path", Role::consumer},
                                                        {"offset.store.sync.interval.ms", Role::consumer},
                                                        {"partition.assignment.strategy", Role::consumer},
                                                        {"queued.max.messages.kbytes", Role::consumer},
                                                        {"queued.min.messages", Role::consumer},
                                                        {"session.timeout.ms", Role::consumer}};
  auto found = keys.find(key);
  if (found == keys.end()) return std::nullopt;
  return found->second;
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
    } else if (const auto only = only_for(key)) {
      for_producer = *only == Role::producer;
      for_consumer = *only == Role::consumer;
      for_admin = false;
    }
    const bool applies = (role == Role::producer && for_producer) || (role == Role::consumer && for_consumer) ||
                         (role == Role::admin && for_admin);
    if (key == "group.id" || key == "transactional.id") {
      return make_error(Errc::invalid_argument,
                        "Kafka setting " + raw_key +
                            " cannot be overridden: xyd chooses group ids, and the "
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

void warn(const std::string& text) {
  std::fprintf(stderr, "xyd kafka: %s\n", text.c_str());
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

}  // namespace xyd::log::kafka

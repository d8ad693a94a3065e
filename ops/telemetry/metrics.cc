#include "ops/telemetry/metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace xyd::telemetry {
namespace {

using prometheus::Histogram;

const Histogram::BucketBoundaries& latency_buckets() {
  static const Histogram::BucketBoundaries buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,   0.5,   1,      2.5,   5,    10,    30};
  return buckets;
}

bool plain_label_value(std::string_view value) {
  if (value.empty() || value.size() > 96) return false;
  for (unsigned char c : value)
    if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return false;
  return true;
}

}  // namespace

prometheus::MetricFamily gauge_family(const std::string& name, const std::string& help) {
  return prometheus::MetricFamily{name, help, prometheus::MetricType::Gauge, {}};
}

void add_sample(prometheus::MetricFamily& family, const std::map<std::string, std::string>& labels, double value) {
  prometheus::ClientMetric sample;
  for (const auto& [name, text] : labels) sample.label.push_back({name, text});
  sample.gauge.value = value;
  family.metric.push_back(std::move(sample));
}

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      http_requests_(prometheus::BuildCounter()
                         .Name("xyd_http_requests_total")
                         .Help("HTTP requests answered, by method, route template and status")
                         .Register(*registry_)),
      http_seconds_(prometheus::BuildHistogram()
                        .Name("xyd_http_request_duration_seconds")
                        .Help("Time from a request's arrival to its answer's headers, by method and route template")
                        .Register(*registry_)),
      commands_(prometheus::BuildCounter()
                    .Name("xyd_commands_total")
                    .Help("Commands decided by this process's command processor, by type and outcome rule")
                    .Register(*registry_)),
      decide_seconds_(prometheus::BuildHistogram()
                          .Name("xyd_command_decide_duration_seconds")
                          .Help("Time to decide one command against its aggregate's state, by type")
                          .Register(*registry_)),
      ack_seconds_(prometheus::BuildHistogram()
                       .Name("xyd_command_ack_duration_seconds")
                       .Help("Time from submitting a command to the log to receiving its outcome, by type")
                       .Register(*registry_)),
      batch_commands_(prometheus::BuildHistogram()
                          .Name("xyd_processor_batch_commands")
                          .Help("Commands per command-processor batch (one log transaction each)")
                          .Register(*registry_)
                          .Add({}, Histogram::BucketBoundaries{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000})),
      append_seconds_(prometheus::BuildHistogram()
                          .Name("xyd_log_append_duration_seconds")
                          .Help("Time to append one command-processor batch's records to the log")
                          .Register(*registry_)
                          .Add({}, latency_buckets())),
      webhooks_(prometheus::BuildCounter()
                    .Name("xyd_webhook_deliveries_total")
                    .Help("Webhook POST attempts, by result (delivered: 2xx; failed: anything else)")
                    .Register(*registry_)),
      dead_letters_(prometheus::BuildCounter()
                        .Name("xyd_dead_letters_total")
                        .Help("Records written to xyd.dlq, by what produced them")
                        .Register(*registry_)),
      sse_streams_(prometheus::BuildGauge()
                       .Name("xyd_sse_open_streams")
                       .Help("Server-Sent Events streams open now")
                       .Register(*registry_)
                       .Add({})),
      kafka_lag_(prometheus::BuildGauge()
                     .Name("xyd_kafka_consumer_lag")
                     .Help("Kafka consumer lag in records (end offset minus the consumer's position), by "
                           "group, topic and partition, from librdkafka's statistics")
                     .Register(*registry_)) {
  // The families that only grow with traffic show from the start (zero), so a scrape names them.
  webhooks_.Add({{"result", "delivered"}});
  webhooks_.Add({{"result", "failed"}});
  for (const char* source : {"command", "webhook", "data-source", "bank-result"})
    dead_letters_.Add({{"source", source}});
}

std::string Metrics::bounded(const std::string& label, std::string_view value) {
  if (!plain_label_value(value)) return "other";
  std::lock_guard lock(labels_mutex_);
  auto& seen = label_values_[label];
  if (seen.find(value) != seen.end()) return std::string(value);
  if (seen.size() >= 200) return "other";
  seen.emplace(value);
  return std::string(value);
}

void Metrics::http_request(std::string_view method, std::string_view route, int status, double seconds) {
  const std::string m = bounded("method", method);
  const std::string r = route.empty() ? "unmatched" : bounded("route", route);
  http_requests_.Add({{"method", m}, {"route", r}, {"status", std::to_string(status)}}).Increment();
  http_seconds_.Add({{"method", m}, {"route", r}}, latency_buckets()).Observe(seconds);
}

void Metrics::command_decided(std::string_view type, bool accepted, bool replayed, std::string_view rule,
                              double seconds) {
  const std::string_view outcome = replayed ? "replayed" : accepted ? "accepted" : rule.empty() ? "refused" : rule;
  const std::string t = bounded("command", type);
  commands_.Add({{"type", t}, {"outcome", bounded("outcome", outcome)}}).Increment();
  decide_seconds_.Add({{"type", t}}, latency_buckets()).Observe(seconds);
}

void Metrics::command_acknowledged(std::string_view type, double seconds) {
  ack_seconds_.Add({{"type", bounded("command", type)}}, latency_buckets()).Observe(seconds);
}

void Metrics::processor_batch(size_t commands, double append_seconds) {
  batch_commands_.Observe(static_cast<double>(commands));
  append_seconds_.Observe(append_seconds);
}

void Metrics::webhook_attempt(bool delivered) {
  webhooks_.Add({{"result", delivered ? "delivered" : "failed"}}).Increment();
}

void Metrics::dead_letter(std::string_view source) {
  dead_letters_.Add({{"source", bounded("source", source)}}).Increment();
}

void Metrics::sse_streams(int delta) {
  if (delta >= 0)
    sse_streams_.Increment(delta);
  else
    sse_streams_.Decrement(-delta);
}

void Metrics::kafka_consumer_lag(std::string_view group, std::string_view topic, int32_t partition, int64_t lag) {
  kafka_lag_
      .Add({{"group", bounded("group", group)},
            {"topic", bounded("topic", topic)},
            {"partition", std::to_string(partition)}})
      .Set(static_cast<double>(lag));
}

std::shared_ptr<void> Metrics::add_source(Source source) {
  uint64_t id = 0;
  {
    std::lock_guard lock(sources_mutex_);
    id = next_source_++;
    sources_.emplace(id, std::move(source));
  }
  return std::shared_ptr<void>(nullptr, [this, id](void*) {
    std::lock_guard lock(sources_mutex_);
    sources_.erase(id);
  });
}

std::string Metrics::scrape() const {
  auto families = registry_->Collect();
  {
    std::lock_guard lock(sources_mutex_);
    for (const auto& [id, source] : sources_) source(families);
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

Metrics& metrics() {
  static Metrics instance;
  return instance;
}

}  // namespace xyd::telemetry

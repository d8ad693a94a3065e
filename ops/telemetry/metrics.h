// Metrics: the process's Prometheus metrics on one prometheus-cpp registry, and the text a scrape
// of GET /metrics answers (prometheus-cpp's TextSerializer). The write side, the API, the
// connectors and the Kafka clients record into it with one call each; what is cheaper to read when
// scraped (projection lag, RocksDB sizes) comes from sources added by `xyd serve`. Label values
// that come from input (command types, outcome rules, routes) are bounded: past 200 distinct values
// of a label, or for a value that is long or oddly spelled, the label reads "other". One per
// process (metrics()); every member is thread-safe.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace xyd::telemetry {

// Seconds since it was made (steady clock). Owned by the thread that times something.
class Stopwatch {
 public:
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Families added at scrape time by a source.
using MetricFamilies = std::vector<prometheus::MetricFamily>;
// A gauge family for a source to fill, and one sample of it.
prometheus::MetricFamily gauge_family(const std::string& name, const std::string& help);
void add_sample(prometheus::MetricFamily& family, const std::map<std::string, std::string>& labels, double value);

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One HTTP request: its route template (never the raw path), status and time to the answer.
  void http_request(std::string_view method, std::string_view route, int status, double seconds);
  // One command decided by the processor: its type, its outcome (labelled "accepted", "replayed",
  // or the refusal's rule, "refused" when it has none) and how long deciding it took.
  void command_decided(std::string_view type, bool accepted, bool replayed, std::string_view rule, double seconds);
  // One command submitted through the gateway: from the append to its outcome (or the wait's end).
  void command_acknowledged(std::string_view type, double seconds);
  // One processor batch: its commands, and how long appending its records took.
  void processor_batch(size_t commands, double append_seconds);
  // One webhook POST: delivered (2xx) or failed (anything else, or no answer).
  void webhook_attempt(bool delivered);
  // One record dead-lettered, by what produced it ("command", "webhook", "data-source", ...).
  void dead_letter(std::string_view source);
  // A Server-Sent Events stream opened (+1) or closed (-1).
  void sse_streams(int delta);
  // A Kafka consumer's lag on one partition (from librdkafka's statistics).
  void kafka_consumer_lag(std::string_view group, std::string_view topic, int32_t partition, int64_t lag);

  // A source of families built at scrape time; removed when the returned handle is destroyed.
  using Source = std::function<void(MetricFamilies&)>;
  [[nodiscard]] std::shared_ptr<void> add_source(Source source);

  // Everything in the Prometheus text format (version 0.0.4).
  std::string scrape() const;

 private:
  // Bounds a label's distinct values (see the header's comment).
  std::string bounded(const std::string& label, std::string_view value);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& http_requests_;
  prometheus::Family<prometheus::Histogram>& http_seconds_;
  prometheus::Family<prometheus::Counter>& commands_;
  prometheus::Family<prometheus::Histogram>& decide_seconds_;
  prometheus::Family<prometheus::Histogram>& ack_seconds_;
  prometheus::Histogram& batch_commands_;
  prometheus::Histogram& append_seconds_;
  prometheus::Family<prometheus::Counter>& webhooks_;
  prometheus::Family<prometheus::Counter>& dead_letters_;
  prometheus::Gauge& sse_streams_;
  prometheus::Family<prometheus::Gauge>& kafka_lag_;

  std::mutex labels_mutex_;
  std::map<std::string, std::set<std::string, std::less<>>> label_values_;  // guarded by labels_mutex_

  mutable std::mutex sources_mutex_;
  std::map<uint64_t, Source> sources_;  // guarded by sources_mutex_
  uint64_t next_source_ = 0;
};

// The process's metrics.
Metrics& metrics();

}  // namespace xyd::telemetry

#include "ops/telemetry/kafka_telemetry.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ops/telemetry/logger.h"
#include "ops/telemetry/metrics.h"

namespace xyd::telemetry {
namespace {

// syslog levels, as librdkafka gives them.
Level level_of(int syslog_level) {
  if (syslog_level <= 3) return Level::error;
  if (syslog_level == 4) return Level::warn;
  if (syslog_level <= 6) return Level::info;
  return Level::debug;
}

void log_line(const rd_kafka_t* client, int level, const char* facility, const char* line) {
  log(level_of(level), "kafka", line ? line : "",
      {{"client", client ? rd_kafka_name(client) : ""}, {"facility", facility ? facility : ""}});
}

int statistics(rd_kafka_t* client, char* json, size_t length, void*) {
  if (rd_kafka_type(client) != RD_KAFKA_CONSUMER) return 0;
  char group[256] = {};
  size_t size = sizeof group;
  if (rd_kafka_conf_get(rd_kafka_conf(client), "group.id", group, &size) != RD_KAFKA_CONF_OK || group[0] == 0) return 0;
  record_kafka_statistics(group, std::string_view(json, length));
  return 0;  // librdkafka frees the document
}

// An integer field of a statistics object, or -1 when it is missing or not an integer.
int64_t int_field(const nlohmann::json& object, const char* name) {
  const auto found = object.find(name);
  return found != object.end() && found->is_number_integer() ? found->get<int64_t>() : -1;
}

}  // namespace

void attach_kafka_telemetry(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, log_line);
  // Statistics wait in the client's queue until it is polled: only a group member, which its poll
  // loop serves, asks for them (a handle nobody polls would pile them up).
  char group[256] = {};
  size_t size = sizeof group;
  if (rd_kafka_conf_get(conf, "group.id", group, &size) != RD_KAFKA_CONF_OK || group[0] == 0) return;
  // A Reader's throwaway group (one per reader, never committed): its lag is its view's, in
  // xyd_projection_lag_events, and a label per reader would grow without bound.
  if (std::string_view(group).starts_with("xyd-reader-")) return;
  rd_kafka_conf_set_stats_cb(conf, statistics);
  char error[256];
  (void)rd_kafka_conf_set(conf, "statistics.interval.ms", "5000", error, sizeof error);
}

void record_kafka_statistics(std::string_view group, std::string_view statistics_json) {
  const auto document = nlohmann::json::parse(statistics_json, nullptr, false);
  if (!document.is_object()) return;
  const auto topics = document.find("topics");
  if (topics == document.end() || !topics->is_object()) return;
  for (const auto& [topic, entry] : topics->items()) {
    const auto partitions = entry.find("partitions");
    if (partitions == entry.end() || !partitions->is_object()) continue;
    for (const auto& [key, partition] : partitions->items()) {
      // The lag of the consumer's position (the offset after what it has consumed, or the group's
      // committed offset if further) behind the partition's end (the last stable offset under
      // read_committed, else the high watermark). librdkafka's own consumer_lag is not used: a
      // transactional commit (send_offsets_to_transaction) never updates it.
      const int64_t p = int_field(partition, "partition");
      const int64_t position = std::max(int_field(partition, "app_offset"), int_field(partition, "committed_offset"));
      const int64_t stable = int_field(partition, "ls_offset");
      const int64_t end = stable >= 0 ? stable : int_field(partition, "hi_offset");
      if (p < 0 || p > 1'000'000 || position < 0 || end < 0) continue;  // unassigned, or nothing known yet
      metrics().kafka_consumer_lag(group, topic, static_cast<int32_t>(p), std::max<int64_t>(end - position, 0));
    }
  }
}

}  // namespace xyd::telemetry

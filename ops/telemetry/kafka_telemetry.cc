#include "ops/telemetry/kafka_telemetry.h"

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
  if (rd_kafka_conf_get(rd_kafka_conf(client), "group.id", group, &size) != RD_KAFKA_CONF_OK || group[0] == 0)
    return 0;
  record_kafka_statistics(group, std::string_view(json, length));
  return 0;  // librdkafka frees the document
}

}  // namespace

void attach_kafka_telemetry(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_log_cb(conf, log_line);
  // Statistics wait in the client's queue until it is polled: only a group member, which its poll
  // loop serves, asks for them (a handle nobody polls would pile them up).
  char group[256] = {};
  size_t size = sizeof group;
  if (rd_kafka_conf_get(conf, "group.id", group, &size) != RD_KAFKA_CONF_OK || group[0] == 0) return;
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
      const auto id = partition.find("partition");
      const auto lag = partition.find("consumer_lag");
      const auto assigned = partition.find("fetch_state");
      if (id == partition.end() || !id->is_number_integer() || lag == partition.end() || !lag->is_number_integer())
        continue;
      const int64_t p = id->get<int64_t>();
      const int64_t l = lag->get<int64_t>();
      if (p < 0 || p > 1'000'000 || l < 0) continue;  // the unassigned partition, or no lag known yet
      if (assigned != partition.end() && assigned->is_string() && *assigned == "none") continue;
      metrics().kafka_consumer_lag(group, topic, static_cast<int32_t>(p), l);
    }
  }
}

}  // namespace xyd::telemetry

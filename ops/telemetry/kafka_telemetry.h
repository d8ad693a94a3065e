// What every librdkafka client xyd creates reports to telemetry: its log lines through the
// process's logger (component "kafka"), and, for a consumer in a group, its lag per partition
// from librdkafka's statistics (every 5 s, delivered by the client's own poll loop). Called on
// each configuration, once its settings are in, before rd_kafka_new (events/kafka make_conf); the callbacks run on
// librdkafka's threads and the client's poll thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string_view>

namespace xyd::telemetry {

void attach_kafka_telemetry(rd_kafka_conf_t* conf);

// Records the consumer lags of one librdkafka statistics document for `group`; ignores what it
// cannot read. For tests.
void record_kafka_statistics(std::string_view group, std::string_view statistics_json);

}  // namespace xyd::telemetry

// Opens the event log a configuration names: the embedded log (default) or Kafka.
#pragma once

#include <memory>
#include <string>

#include "events/embedded/embedded_log.h"
#include "events/kafka/kafka_log.h"

namespace xyd::log {

struct LogOptions {
  std::string backend = "embedded";  // "embedded" or "kafka"
  EmbeddedLogOptions embedded;
  KafkaLogOptions kafka;
};

Result<std::unique_ptr<EventLog>> open_log(const LogOptions& options);

}  // namespace xyd::log

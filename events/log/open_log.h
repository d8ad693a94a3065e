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

// A log handle of its own for a component of node `node` that consumes as a dynamic group member
// and writes in transactions of its own (`role`, e.g. "bank-inbound"). On Kafka: a new client
// whose transactional id is stable per node and role (a restarted node fences its killed
// predecessor's open transaction at once) and that is not a static group member (a static one
// would keep a stale assignment when the topic list changes). On the embedded log: null, the
// component shares the process's log.
Result<std::unique_ptr<EventLog>> open_companion_log(const LogOptions& options, const std::string& node,
                                                     const std::string& role);

}  // namespace xyd::log

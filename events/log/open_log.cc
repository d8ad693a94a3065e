#include "events/log/open_log.h"

namespace xyd::log {

Result<std::unique_ptr<EventLog>> open_log(const LogOptions& options) {
  if (options.backend == "embedded") return open_embedded_log(options.embedded);
  if (options.backend == "kafka") return open_kafka_log(options.kafka);
  return make_error(Errc::invalid_argument, "unknown log backend '" + options.backend + "': use 'embedded' or 'kafka'",
                    "backend", "one-of");
}

Result<std::unique_ptr<EventLog>> open_companion_log(const LogOptions& options, const std::string& node,
                                                     const std::string& role) {
  if (options.backend != "kafka") return std::unique_ptr<EventLog>();
  LogOptions companion = options;
  companion.kafka.transactional_id = "xyd-" + node + "-" + role;
  companion.kafka.client_id = "xyd-" + node + "-" + role;
  companion.kafka.overrides.erase("consumer.group.instance.id");
  companion.kafka.overrides["consumer.topic.metadata.refresh.interval.ms"] = "5000";
  return open_log(companion);
}

}  // namespace xyd::log

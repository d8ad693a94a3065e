#include "events/log/open_log.h"

namespace xyd::log {

Result<std::unique_ptr<EventLog>> open_log(const LogOptions& options) {
  if (options.backend == "embedded") return open_embedded_log(options.embedded);
  if (options.backend == "kafka") return open_kafka_log(options.kafka);
  return make_error(Errc::invalid_argument,
                    "unknown log backend '" + options.backend + "': use 'embedded' or 'kafka'", "backend",
                    "one-of");
}

}  // namespace xyd::log

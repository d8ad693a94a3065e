// Test helper process: runs the projection runtime over a log until killed, with a crash
// injected by a fail point: it kills itself with SIGKILL between building batch N of a worker
// and writing it (before_write:N), or just after writing it (after_write:N). With --rebuild it
// first starts a rebuild of the projection, so the crash hits the version being built.
// usage: projection_child BACKEND LOCATION PREFIX STORE PROJECTION FAILPOINT [--rebuild]
#include <csignal>
#include <cstdio>
#include <string>
#include <thread>

#include "events/log/open_log.h"
#include "projections/runtime/runtime.h"

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: %s BACKEND LOCATION PREFIX STORE PROJECTION POINT:BATCH [--rebuild]\n", argv[0]);
    return 2;
  }
  xyd::log::LogOptions log_options;
  log_options.backend = argv[1];
  log_options.embedded.path = argv[2];
  log_options.kafka.brokers = argv[2];
  log_options.kafka.transactional_id = std::string("xyd-projection-child-") + std::to_string(getpid());
  auto log = xyd::log::open_log(log_options);
  if (!log.ok()) {
    std::fprintf(stderr, "child: %s\n", log.error().to_string().c_str());
    return 1;
  }
  const std::string fail = argv[6];
  const std::string point = fail.substr(0, fail.find(':'));
  const uint64_t batch = std::stoull(fail.substr(fail.find(':') + 1));
  xyd::projections::runtime::RuntimeOptions options;
  options.path = argv[4];
  options.rules_dir = XYD_RULES_DIR;
  options.only = {argv[5]};
  options.worker.topic_namespace = xyd::projections::runtime::namespace_of_events_prefix(argv[3]);
  options.worker.max_batch = 64;
  options.worker.fail_point = [point, batch](std::string_view at, uint64_t number) {
    if (at == point && number == batch) raise(SIGKILL);
  };
  auto runtime = xyd::projections::runtime::ProjectionRuntime::open(**log, options);
  if (!runtime.ok()) {
    std::fprintf(stderr, "child: %s\n", runtime.error().to_string().c_str());
    return 1;
  }
  if (auto started = (*runtime)->start(); !started.ok()) {
    std::fprintf(stderr, "child: %s\n", started.error().to_string().c_str());
    return 1;
  }
  if (argc > 7 && std::string(argv[7]) == "--rebuild") {
    auto rebuilding = (*runtime)->rebuild(argv[5]);
    if (!rebuilding.ok()) {
      std::fprintf(stderr, "child: %s\n", rebuilding.error().to_string().c_str());
      return 1;
    }
  }
  std::printf("started\n");
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::minutes(2));  // the fail point ends it long before
  return 3;
}

// `xyd serve`: opens the log, creates the xyd topics, serves HTTP until SIGINT or SIGTERM.
#include <csignal>
#include <iostream>

#include "api/api_server.h"
#include "events/catalog.h"
#include "ops/commands.h"
#include "ops/version.h"

namespace xyd::ops {

int run_serve(const CliOptions& options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: only sigwait sees them

  std::cerr << "xyd: opening the " << options.log_backend << " log..." << std::endl;
  auto log = log::open_log(options.log_options());
  if (!log.ok()) return fail("opening the log", log.error());
  auto created = (*log)->create_topics(events::standard_topics(options.partitions));
  if (!created.ok()) return fail("creating the xyd topics", created.error());

  api::Router router;
  api::add_health_routes(router, **log, {kVersion, options.node});
  api::ApiServer server(options.http, std::move(router));
  auto started = server.start();
  if (!started.ok()) return fail("starting HTTP", started.error());
  std::cout << "xyd " << kVersion << " serving on " << options.http << " (log: " << (*log)->backend() << " at "
            << (*log)->where() << "); GET " << options.http << "/healthz; Ctrl-C stops" << std::endl;

  int signal = 0;
  sigwait(&signals, &signal);
  std::cerr << "xyd: stopping (signal " << signal << ")" << std::endl;
  server.stop();
  return 0;
}

}  // namespace xyd::ops

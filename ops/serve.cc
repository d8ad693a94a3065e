// `xyd serve`: starts the Server (ops/server.h) and serves HTTP until SIGINT or SIGTERM.
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "ops/build_info.h"
#include "ops/commands.h"
#include "ops/serve_telemetry.h"
#include "ops/server.h"

namespace xyd::ops {
namespace {

// Writes the port to `path` whole or not at all (a temporary file renamed over it): a reader that
// sees the file reads the whole number.
Status write_port_file(const std::string& path, int port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return make_error(Errc::fatal, "cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return make_error(Errc::fatal, "cannot rename " + temporary + " to " + path + ": " + std::strerror(errno));
  return Status();
}

}  // namespace

int run_serve(const CliOptions& options) {
  // The flags' kinds and ranges were checked by parse_cli against serve's table.
  if (auto logging = configure_logging(options); !logging.ok()) return fail("reading the flags", logging.error());
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: only sigwait sees them
  // Private files: everything serve creates from here on is for its own user only (RocksDB's
  // files, the operator token, the SMS log), and the data folder is 0700.
  ::umask(077);

  auto server = Server::start(options);
  if (!server.ok()) return fail("starting", server.error());
  if (options.has("routes-file")) {  // every route, one "METHOD /pattern" a line (the HTTP fuzz test reads it)
    std::ofstream routes(options.flag("routes-file"));
    for (const auto& route : (*server)->router().route_list()) routes << route << "\n";
  }
  // The address really listened on: with port 0 (--http 127.0.0.1:0) the kernel chose the port.
  if (options.has("port-file")) {
    if (auto written = write_port_file(options.flag("port-file"), (*server)->port()); !written.ok())
      return fail("writing --port-file", written.error());
  }
  std::cout << "xyd " << build_info().version << " serving on " << (*server)->address()
            << " (log: " << (*server)->log().backend() << " at " << (*server)->log().where() << "); GET "
            << (*server)->address() << "/healthz; Ctrl-C stops" << std::endl;

  int signal = 0;
  sigwait(&signals, &signal);
  std::cerr << "xyd: stopping (signal " << signal << ")" << std::endl;
  (*server)->stop();
  return 0;
}

}  // namespace xyd::ops

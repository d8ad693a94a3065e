// xyd: the command line. `xyd serve`, `xyd log tail`, `xyd log sample`, `xyd version`.
#include <iostream>
#include <string>

#include "ops/commands.h"
#include "ops/projection_commands.h"  // read side (issue 4)
#include "ops/version.h"

namespace {

const char* kUsage = R"(usage: xyd <command> [flags]

commands:
  serve                      serve HTTP on the event log until Ctrl-C
    [--trusted-proxies LIST] peers (addresses, CIDR blocks) whose X-Forwarded-For names the client
                             (XYD_TRUSTED_PROXIES; default none: the header never counts)
    [--address-limit N]      code sends and registrations per client address an hour (0: none)
    [--lockout-seconds S] [--session-seconds S]
    [--sse-streams-per-caller N] [--sse-streams N] [--sse-heartbeat-seconds S]
    [--webhooks-allow-loopback true|false]
                             tests only: let webhooks reach loopback (XYD_WEBHOOKS_ALLOW_LOOPBACK)
    [--routes-file FILE]     write every route (METHOD PATTERN per line) to FILE at start
  log tail --topic T [--follow]
                             print a topic's records as JSON lines
  log sample [--count N]     append N sample events (development aid)
  load [--target URL] [--concurrency N] [--seconds S] [--password] [--acked FILE] [--get PATH]
                             register accounts over HTTP as fast as the server takes them (each
                             with the code read from --data's sms.log; serve with --address-limit 0)
                             (or, with --get, hammer one GET route as the reference)
  version                    print the version
  admin create --phone P [--region R] [--name N]
                             create a system admin (the first one: there is no default account);
                             prints a one-time password to change at the first login; stop serve first
  demo [--seed S] [--enterprises N] [--concurrency C] [--end-date YYYY-MM-DD]
                             fill a running xyd serve (--http, with its --data folder) with a
                             reproducible dataset through its REST API: institutions, products,
                             enterprises, demands, applications along every lifecycle path;
                             business dates end on --end-date (default today, CST)
  projections [--json]       list the projections: live version, lag, rule-set version, rebuild
  rebuild PROJECTION... | --all [--rules DIR]
                             rebuild views beside the live ones (from the start of the log, side
                             by side), with progress; swaps each in when caught up (via xyd serve
                             if it runs)
  audit verify [--aggregate TYPE/ID]
                             recompute the hash chains from the log; name the first broken link
  bank-sim --institution I (--key K | --from outbound) [--to kafka|webhook] [--webhook-secret S]
           [--seed S] [--duplicates N] [--out-of-order N] [--malformed N] [--limit N]
                             a simulated bank: answers the institution's accepted applications with
                             credit, drawdown, repayment, overdue and write-off results (and injected
                             bad ones) on xyd.in.<institution> or as signed webhooks; prints totals

flags (and environment variables) shared by every command:
  --data DIR        XYD_DATA           data folder (default ./data)
  --http ADDR       XYD_HTTP           HTTP address (default http://127.0.0.1:8080)
  --log BACKEND     XYD_LOG            embedded (default) or kafka
  --brokers LIST    XYD_KAFKA_BROKERS  Kafka bootstrap servers (default 127.0.0.1:19092)
  --partitions N    XYD_PARTITIONS     partitions of the xyd topics (default 6)
  --node NAME       XYD_NODE           this process's name (default: host name)
)";

}  // namespace

namespace xyd::ops {

int fail(const std::string& what, const Error& error) {
  std::cerr << "xyd: " << what << ": " << error.message << std::endl;
  if (error.code == Errc::unavailable && error.message.find("Kafka") != std::string::npos)
    std::cerr << "hint: for Kafka, is a broker running? ops/kafka/start.sh starts one on 127.0.0.1:19092" << std::endl;
  return 1;
}

int run_version(const CliOptions&) {
  std::cout << "xyd " << kVersion << std::endl;
  return 0;
}

}  // namespace xyd::ops

int main(int argc, char** argv) {
  using namespace xyd::ops;
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  int first = 2;
  if ((command == "log" || command == "audit" || command == "admin") && argc >= 3) {
    command += " " + std::string(argv[2]);
    first = 3;
  }
  auto options = parse_cli(argc, argv, first);
  if (!options.ok()) return fail("bad arguments", options.error());
  if (command == "serve") return run_serve(*options);
  if (command == "log tail") return run_log_tail(*options);
  if (command == "log sample") return run_log_sample(*options);
  if (command == "version") return run_version(*options);
  if (command == "load") return run_load(*options);
  if (command == "admin create") return run_admin_create(*options);
  if (command == "demo") return run_demo(*options);
  // read side (issue 4)
  if (command == "projections") return run_projections(*options);
  if (command == "rebuild") return run_rebuild(*options);
  if (command == "audit verify") return run_audit_verify(*options);
  if (command == "bank-sim") return run_bank_sim(*options);  // bank connectors (issue 8)
  std::cerr << "xyd: unknown command '" << command << "'\n" << kUsage;
  return 2;
}

// xyd: the command line. One table of subcommands, each with its usage; `xyd <command> --help`
// prints that usage and does nothing else. Runs on the main thread.
#include <algorithm>
#include <array>
#include <iostream>
#include <string>
#include <string_view>

#include "ops/build_info.h"
#include "ops/commands.h"
#include "ops/projection_commands.h"

namespace {

using xyd::ops::CliOptions;

// One subcommand: its words ("log tail"), its usage lines and what runs it.
struct Command {
  std::string_view name;
  std::string_view usage;
  int (*run)(const CliOptions&);
};

constexpr std::array kCommands = {
    Command{"serve", R"(  serve                      serve HTTP on the event log until Ctrl-C
    [--trusted-proxies LIST] peers (addresses, CIDR blocks) whose X-Forwarded-For names the client
                             (XYD_TRUSTED_PROXIES; default none: the header never counts)
    [--address-limit N]      code sends and registrations per client address an hour (0: none)
    [--lockout-seconds S] [--session-seconds S]
    [--sse-streams-per-caller N] [--sse-streams N] [--sse-heartbeat-seconds S]
    [--webhooks-allow-loopback true|false]
                             tests only: let webhooks reach loopback (XYD_WEBHOOKS_ALLOW_LOOPBACK)
    [--routes-file FILE]     write every route (METHOD PATTERN per line) to FILE at start
    [--port-file FILE]       write the port listened on to FILE once serving (with --http
                             127.0.0.1:0 the kernel chooses it; give --node too)
    [--docs-ui DIR]          the Swagger UI files /docs serves (default: the build folder's,
                             which ops/setup.sh installs from npm)
    [--write-timeout S]      a write the log has not taken within S seconds (default 5) answers
                             503 with Retry-After (a broker down); reads go on
    [--log-format json|text] [--log-level debug|info|warn|error]
                             stderr as JSON lines or text (XYD_LOG_FORMAT, XYD_LOG_LEVEL)
    [--ready-max-lag N]      /readyz answers 503 while a view is more than N events behind (1000)
    [--metrics-allow LIST]   addresses (CIDR blocks) that may scrape /metrics besides loopback
)",
            xyd::ops::run_serve},
    Command{"log tail", R"(  log tail --topic T [--follow]
                             print a topic's records as JSON lines
)",
            xyd::ops::run_log_tail},
    Command{"log sample", R"(  log sample [--count N]     append N sample events (development aid)
)",
            xyd::ops::run_log_sample},
    Command{"load", R"(  load [--target URL] [--concurrency N] [--seconds S] [--password] [--acked FILE] [--get PATH]
                             register accounts over HTTP as fast as the server takes them (each
                             with the code read from --data's sms.log; serve with --address-limit 0)
                             (or, with --get, hammer one GET route as the reference)
)",
            xyd::ops::run_load},
    Command{"version", R"(  version                    print the version, the commit and the build time
)",
            xyd::ops::run_version},
    Command{"admin create", R"(  admin create --phone P [--region R] [--name N]
                             create a system admin (the first one: there is no default account);
                             prints a one-time password to change at the first login; stop serve first
)",
            xyd::ops::run_admin_create},
    Command{"demo", R"(  demo [--seed S] [--enterprises N] [--concurrency C] [--end-date YYYY-MM-DD]
                             fill a running xyd serve (--http, with its --data folder) with a
                             reproducible dataset through its REST API: institutions, products,
                             enterprises, demands, applications along every lifecycle path;
                             business dates end on --end-date (default today, CST)
)",
            xyd::ops::run_demo},
    Command{"projections",
            R"(  projections [--json]       list the projections: live version, lag, rule-set version, rebuild
)",
            xyd::ops::run_projections},
    Command{"rebuild", R"(  rebuild PROJECTION... | --all [--rules DIR]
                             rebuild views beside the live ones (from the start of the log, side
                             by side), with progress; swaps each in when caught up (via xyd serve
                             if it runs)
)",
            xyd::ops::run_rebuild},
    Command{"audit verify", R"(  audit verify [--aggregate TYPE/ID]
                             recompute the hash chains from the log; name the first broken link
)",
            xyd::ops::run_audit_verify},
    Command{"bank-sim",
            R"(  bank-sim --institution I (--key K | --from outbound) [--to kafka|webhook] [--webhook-secret S]
           [--seed S] [--duplicates N] [--out-of-order N] [--malformed N] [--limit N]
                             a simulated bank: answers the institution's accepted applications with
                             credit, drawdown, repayment, overdue and write-off results (and injected
                             bad ones) on xyd.in.<institution> or as signed webhooks; prints totals
)",
            xyd::ops::run_bank_sim},
};

constexpr std::string_view kSharedFlags = R"(
flags (and environment variables) shared by every command:
  --data DIR        XYD_DATA           data folder (default ./data)
  --http ADDR       XYD_HTTP           HTTP address (default http://127.0.0.1:8080)
  --log BACKEND     XYD_LOG            embedded (default) or kafka
  --brokers LIST    XYD_KAFKA_BROKERS  Kafka bootstrap servers (default 127.0.0.1:19092)
  --partitions N    XYD_PARTITIONS     partitions of the xyd topics (default 6)
  --node NAME       XYD_NODE           this process's name (default: host name)
  --help, -h                           print the command's usage and do nothing else
)";

// The usage of every command whose name starts with `prefix` ("" for all, "log" for both log
// commands).
void print_usage(std::ostream& out, std::string_view prefix) {
  out << (prefix.empty() ? "usage: xyd <command> [flags]\n\ncommands:\n" : "usage:\n");
  for (const auto& command : kCommands)
    if (command.name == prefix || prefix.empty() || command.name.starts_with(std::string(prefix) + " "))
      out << command.usage;
  out << kSharedFlags;
}

bool asks_for_help(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--help" || word == "-h") return true;
  }
  return false;
}

bool is_group(std::string_view word) {
  return std::any_of(kCommands.begin(), kCommands.end(),
                     [&](const Command& c) { return c.name.starts_with(std::string(word) + " "); });
}

}  // namespace

namespace xyd::ops {

int fail(const std::string& what, const Error& error) {
  std::cerr << "xyd: " << what << ": " << error.message << std::endl;
  if (error.code == Errc::unavailable && error.message.find("Kafka") != std::string::npos)
    std::cerr << "hint: for Kafka, is a broker running? ops/kafka/start.sh starts one on 127.0.0.1:19092" << std::endl;
  return 1;
}

int run_version(const CliOptions&) {
  const BuildInfo& build = build_info();
  std::cout << "xyd " << build.version << " (commit " << build.commit << ", built " << build.build_time << ")"
            << std::endl;
  return 0;
}

}  // namespace xyd::ops

int main(int argc, char** argv) {
  using namespace xyd::ops;
  if (argc < 2) {
    print_usage(std::cerr, "");
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout, argc >= 3 && name == "help" ? std::string_view(argv[2]) : std::string_view());
    return 0;
  }
  int first = 2;
  if (is_group(name) && argc >= 3 && argv[2][0] != '-') {
    name += " " + std::string(argv[2]);
    first = 3;
  }
  const auto command =
      std::find_if(kCommands.begin(), kCommands.end(), [&](const Command& c) { return c.name == name; });
  const bool known = command != kCommands.end() || is_group(name);
  if (known && asks_for_help(argc, argv, first)) {
    print_usage(std::cout, name);
    return 0;
  }
  if (command == kCommands.end()) {
    std::cerr << "xyd: unknown command '" << name << "'\n";
    print_usage(std::cerr, is_group(name) ? std::string_view(name) : std::string_view());
    return 2;
  }
  auto options = parse_cli(argc, argv, first);
  if (!options.ok()) return fail("bad arguments", options.error());
  return command->run(*options);
}

#include "ops/command_table.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iostream>
#include <string>

#include "ops/build_info.h"
#include "ops/commands.h"
#include "ops/projection_commands.h"

namespace xyd::ops {
namespace {

constexpr Flag kRulesFlag =
    text_flag("rules", "DIR", "the rule sets (default ./ops/rules, else the source tree's)", {}, "XYD_RULES");
constexpr int64_t kMonth = 86400 * 30;

constexpr std::array kServeFlags = {
    number_flag("address-limit", "N", {}, 0, 1'000'000,
                "code sends and registrations per client address an hour (0: none)"),
    number_flag("lockout-seconds", "S", "900", 1, kMonth, "how long failed logins lock a phone out"),
    number_flag("session-seconds", "S", "28800", 1, kMonth, "how long a session lasts"),
    number_flag("sse-streams-per-caller", "N", "4", 1, 10'000, "risk-warning streams one caller may hold"),
    number_flag("sse-streams", "N", "256", 1, 100'000, "risk-warning streams in all"),
    number_flag("sse-heartbeat-seconds", "S", "15", 1, 3600, "a comment line on an idle stream every S seconds"),
    number_flag("write-timeout", "S", "5", 1, 600,
                "a write the log has not taken within S seconds answers 503 with Retry-After\n(a broker down); "
                "reads go on"),
    number_flag("ready-max-lag", "N", "1000", 0, 1'000'000'000,
                "/readyz answers 503 while a view is more than N events behind"),
    text_flag("metrics-allow", "LIST", "addresses (CIDR blocks) that may scrape /metrics besides loopback"),
    choice_flag("log-format", "json|text", "stderr as JSON lines or text", "text", "XYD_LOG_FORMAT"),
    choice_flag("log-level", "debug|info|warn|error", "what stderr shows", "info", "XYD_LOG_LEVEL"),
    kRulesFlag,
    toggle_flag("bank-inbound", "consume the banks' results from xyd.in.* (one member of the group\nxyd-bank-inbound)"),
    choice_flag("outbound-topics", "on|off", "produce applications to xyd.out.<institution>", "on"),
    number_flag("webhook-base-delay-ms", "MS", "1000", 0, 3'600'000, "the first retry's delay of a failed webhook"),
    number_flag("webhook-max-delay-ms", "MS", "300000", 0, 86'400'000, "the longest delay between webhook retries"),
    number_flag("webhook-max-attempts", "N", "8", 1, 1000, "attempts before a webhook delivery is given up"),
    number_flag("webhook-timeout-ms", "MS", "5000", 100, 600'000, "how long one webhook delivery may take"),
    text_flag("docs-ui", "DIR",
              "the Swagger UI files /docs serves (default: the build folder's, which\nops/setup.sh installs from npm)"),
    text_flag("routes-file", "FILE", "write every route (METHOD PATTERN a line) to FILE"),
    text_flag("port-file", "FILE",
              "write the port listened on to FILE once serving (with --http 127.0.0.1:0\nthe kernel chooses it; give "
              "--node too)"),
};

constexpr std::array kLogTailFlags = {
    text_flag("topic", "T", "the topic to print (required)"),
    toggle_flag("follow", "keep printing new records"),
};

constexpr std::array kLogSampleFlags = {
    number_flag("count", "N", "3", 1, 100'000, "events to append"),
};

constexpr std::array kLoadFlags = {
    text_flag("target", "URL", "the server (default --http)"),
    number_flag("concurrency", "N", "8", 1, 10'000, "requests in flight"),
    number_flag("seconds", "S", "10", 1, 86'400, "how long to run"),
    text_flag("path", "PATH", "the route to POST to", "/api/v1/accounts"),
    toggle_flag("password", "register with a password"),
    text_flag("acked", "FILE", "write every acknowledged phone to FILE"),
    text_flag("get", "PATH", "hammer this GET route instead (the reference)"),
    toggle_flag("operator", "call as the local operator (the token in --data)"),
};

constexpr std::array kAdminCreateFlags = {
    text_flag("phone", "P", "the admin's mobile phone (required)"),
    text_flag("region", "R", "the admin's region code", "000000"),
    text_flag("name", "N", "the admin's name", "system administrator"),
};

constexpr std::array kDemoFlags = {
    number_flag("seed", "S", "1", 0, INT64_MAX, "the dataset's seed"),
    number_flag("enterprises", "N", "2000", 1, 1'000'000, "enterprises to register"),
    number_flag("concurrency", "C", "8", 1, 256, "requests in flight"),
    text_flag("end-date", "YYYY-MM-DD", "the last business date (default today, CST)"),
    kRulesFlag,
};

constexpr std::array kProjectionsFlags = {toggle_flag("json", "print JSON"), kRulesFlag};

constexpr std::array kRebuildFlags = {toggle_flag("all", "rebuild every projection"), kRulesFlag};

constexpr std::array kAuditVerifyFlags = {
    text_flag("aggregate", "TYPE/ID", "verify one aggregate's chain only"),
    text_flag("topic-prefix", "PREFIX", "the prefix of the event topics", "xyd.events."),
};

constexpr std::array kMigrateFlags = {
    choice_flag("to", "kafka", "the log to migrate to", "kafka"),
};

// A count of bank-sim's: any whole number not below 0.
constexpr Flag count(std::string_view name, std::string_view help, std::string_view fallback) {
  return number_flag(name, "N", fallback, 0, INT64_MAX, help);
}

constexpr std::array kBankSimFlags = {
    text_flag("institution", "I", "the institution whose bank it plays (required)"),
    text_flag("key", "K", "the institution's machine key (with --from rest)"),
    choice_flag("from", "rest|outbound", "where the accepted applications are read", "rest"),
    choice_flag("to", "kafka|webhook", "where the results go (default kafka on --log kafka, else webhook)"),
    text_flag("webhook-secret", "S", "the webhook signing secret"),
    count("seed", "the plan's seed", "1"),
    count("duplicates", "results sent twice", "0"),
    count("out-of-order", "results sent out of order", "0"),
    count("malformed", "malformed results injected", "0"),
    count("concurrency", "webhooks in flight", "8"),
    count("limit", "applications answered at most (0: all)", "0"),
};

constexpr std::array kCommands = {
    Command{"serve", "", "serve HTTP on the event log until Ctrl-C", kServeFlags, run_serve},
    Command{"log tail", "--topic T", "print a topic's records as JSON lines", kLogTailFlags, run_log_tail},
    Command{"log sample", "", "append sample events (development aid)", kLogSampleFlags, run_log_sample},
    Command{"load", "",
            "register accounts over HTTP as fast as the server takes them (each with the code\nread from --data's "
            "sms.log; serve with --address-limit 0), or, with --get, hammer one\nGET route as the reference",
            kLoadFlags, run_load},
    Command{"version", "", "print the version, the commit and the build time", {}, run_version},
    Command{"admin create", "--phone P",
            "create a system admin (the first one: there is no default account); prints a\none-time password to "
            "change at the first login; stop serve first",
            kAdminCreateFlags, run_admin_create},
    Command{"demo", "",
            "fill a running xyd serve (--http, with its --data folder) with a reproducible\ndataset through its REST "
            "API: institutions, products, enterprises, demands,\napplications along every lifecycle path",
            kDemoFlags, run_demo},
    Command{"projections", "", "list the projections: live version, lag, rule-set version, rebuild", kProjectionsFlags,
            run_projections},
    Command{"rebuild", "PROJECTION... | --all",
            "rebuild views beside the live ones (from the start of the log, side by side),\nwith progress; swaps each "
            "in when caught up (via xyd serve if it runs)",
            kRebuildFlags, run_rebuild, true},
    Command{"audit verify", "", "recompute the hash chains from the log; name the first broken link", kAuditVerifyFlags,
            run_audit_verify},
    Command{"migrate", "--to kafka --brokers LIST",
            "replay the embedded log of --data onto Kafka (the same records, partitions and\nheaders; "
            "resumable, refuses a target holding other records), with progress;\nstop xyd serve first",
            kMigrateFlags, run_migrate},
    Command{"bank-sim", "--institution I (--key K | --from outbound)",
            "a simulated bank: answers the institution's accepted applications with credit,\ndrawdown, repayment, "
            "overdue and write-off results (and injected bad ones) on\nxyd.in.<institution> or as signed webhooks; "
            "prints totals",
            kBankSimFlags, run_bank_sim},
};

// Prints `text` with every line after the first indented to the help column.
void print_indented(std::ostream& out, std::string_view text) {
  size_t start = 0;
  while (true) {
    const auto newline = text.find('\n', start);
    out << "                             " << text.substr(start, newline - start) << "\n";
    if (newline == std::string_view::npos) return;
    start = newline + 1;
  }
}

}  // namespace

std::span<const Command> commands() {
  return kCommands;
}

const Command* find_command(std::string_view name) {
  const auto found = std::find_if(kCommands.begin(), kCommands.end(), [&](const Command& c) { return c.name == name; });
  return found == kCommands.end() ? nullptr : &*found;
}

bool is_command_group(std::string_view word) {
  return std::any_of(kCommands.begin(), kCommands.end(),
                     [&](const Command& c) { return c.name.starts_with(std::string(word) + " "); });
}

void print_usage(std::ostream& out, std::string_view prefix) {
  out << (prefix.empty() ? "usage: xyd <command> [flags]\n\ncommands:\n" : "usage:\n");
  for (const auto& command : kCommands) {
    if (!(command.name == prefix || prefix.empty() || command.name.starts_with(std::string(prefix) + " "))) continue;
    out << "  " << command.name;
    if (!command.synopsis.empty()) out << " " << command.synopsis;
    out << "\n";
    print_indented(out, command.summary);
    print_flags(out, command.flags);
  }
  out << "\nflags (and environment variables) shared by every command:\n";
  print_flags(out, shared_flags());
  out << "    [--help, -h]             print the command's usage and do nothing else\n";
}

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

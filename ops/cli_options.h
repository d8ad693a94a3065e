// The flags of the xyd commands: each command declares its flags in one table (name, kind, default,
// range, the environment variable that stands in for it, the usage text), and parse_cli reads a
// command line against the shared table and the command's: an unknown flag, a number out of its
// range or a missing value is refused naming the flag, before the command runs. CliOptions is what
// a command then reads: plain value, parsed once on the main thread.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "events/log/open_log.h"
#include "events/result.h"

namespace xyd::ops {

// One flag of a command. Tables of them are constant data (ops/command_table.cc).
struct Flag {
  enum class Kind {
    text,    // --name VALUE
    number,  // --name N: a whole number within [min, max]
    toggle,  // --name alone is true; --name true|false
  };
  std::string_view name;         // "lockout-seconds" (without the dashes)
  Kind kind = Kind::text;        //
  std::string_view placeholder;  // what the usage shows after the name ("S", "FILE"); none for a toggle
  std::string_view help;         // the usage's text ("\n" starts another line)
  std::string_view fallback;     // the default, as text ("" = none)
  std::string_view choices;      // a text flag's allowed values, "a|b" ("" = any)
  int64_t min = 0, max = 0;      // a number's range
  std::string_view env;          // the environment variable read when the flag is absent ("" = none)
};

// The four shapes of a flag, for the tables.
constexpr Flag text_flag(std::string_view name, std::string_view placeholder, std::string_view help,
                         std::string_view fallback = {}, std::string_view env = {}) {
  return Flag{.name = name, .placeholder = placeholder, .help = help, .fallback = fallback, .env = env};
}
constexpr Flag choice_flag(std::string_view name, std::string_view choices, std::string_view help,
                           std::string_view fallback = {}, std::string_view env = {}) {
  return Flag{.name = name, .placeholder = choices, .help = help, .fallback = fallback, .choices = choices, .env = env};
}
constexpr Flag number_flag(std::string_view name, std::string_view placeholder, std::string_view fallback, int64_t min,
                           int64_t max, std::string_view help, std::string_view env = {}) {
  return Flag{.name = name,
              .kind = Flag::Kind::number,
              .placeholder = placeholder,
              .help = help,
              .fallback = fallback,
              .min = min,
              .max = max,
              .env = env};
}
constexpr Flag toggle_flag(std::string_view name, std::string_view help, std::string_view env = {}) {
  return Flag{.name = name, .kind = Flag::Kind::toggle, .help = help, .fallback = "false", .env = env};
}

// The flags every command takes: --data, --http, --log, --brokers, --partitions,
// --replication-factor, --min-insync-replicas, --allow-single-insync-replica, --node,
// --webhooks-allow-loopback, --trusted-proxies.
std::span<const Flag> shared_flags();

struct CliOptions {
  std::string data_dir = "./data";             // --data, XYD_DATA
  std::string http = "http://127.0.0.1:8080";  // --http, XYD_HTTP
  std::string log_backend = "embedded";        // --log, XYD_LOG
  std::string brokers = "127.0.0.1:19092";     // --brokers, XYD_KAFKA_BROKERS
  int partitions = 6;                          // --partitions, XYD_PARTITIONS
  std::string node;                            // --node, XYD_NODE (default: host-port)
  // The topics xyd creates on Kafka (KafkaLogOptions): --replication-factor,
  // --min-insync-replicas (0: chosen from the cluster), --allow-single-insync-replica.
  int replication_factor = 0;
  int min_insync_replicas = 0;
  bool allow_single_insync_replica = false;
  // Lets webhooks reach loopback addresses (tests' local receivers); every other non-public
  // address stays refused. --webhooks-allow-loopback [true|false], XYD_WEBHOOKS_ALLOW_LOOPBACK.
  bool webhooks_allow_loopback = false;
  // Peers (IP addresses or CIDR blocks, comma-separated) whose X-Forwarded-For names the client;
  // empty: the header never counts.
  std::string trusted_proxies;               // --trusted-proxies, XYD_TRUSTED_PROXIES
  std::map<std::string, std::string> flags;  // the command's own flags given (or from their variable)
  std::vector<std::string> positional;       // words that are not flags
  std::span<const Flag> declared;            // the command's table (defaults and ranges)

  // The log as a tool opens it (a transactional id of its own).
  log::LogOptions log_options() const;
  // The log as `xyd serve` opens it: the node's stable transactional id and static group member.
  log::LogOptions serve_log_options() const;
  // A command flag's value: given, else `fallback` when not empty, else the table's default.
  std::string flag(const std::string& name, const std::string& fallback = {}) const;
  // A number flag's value, given or the table's default (checked against its range by parse_cli).
  int64_t number(const std::string& name) const;
  // Whether a toggle is on (given without a value, or "true").
  bool on(const std::string& name) const;
  // Whether the flag was given (or its environment variable set).
  bool has(const std::string& name) const { return flags.contains(name); }
};

// Reads `words` (the words after the command's name) against the shared flags and `command_flags`.
// Flags take "--name value" or "--name=value"; a toggle takes "true" or "false" after it, or nothing.
Result<CliOptions> parse_cli(const std::vector<std::string>& words, std::span<const Flag> command_flags);

// The usage lines of a table of flags: "    [--name PLACEHOLDER]   help", with the default and the
// environment variable when there are.
void print_flags(std::ostream& out, std::span<const Flag> flags);

}  // namespace xyd::ops

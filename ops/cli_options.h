// CliOptions: the settings every xyd command shares, read from flags, then XYD_* environment
// variables, then defaults, so a flag always wins. Plain value; parse once on the main thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "events/log/open_log.h"
#include "events/result.h"

namespace xyd::ops {

struct CliOptions {
  std::string data_dir = "./data";             // --data, XYD_DATA
  std::string http = "http://127.0.0.1:8080";  // --http, XYD_HTTP
  std::string log_backend = "embedded";        // --log, XYD_LOG
  std::string brokers = "127.0.0.1:19092";     // --brokers, XYD_KAFKA_BROKERS
  int partitions = 6;                          // --partitions, XYD_PARTITIONS
  std::string node;                            // --node, XYD_NODE (default: host-port)
  // Lets webhooks reach loopback addresses (tests' local receivers); every other non-public
  // address stays refused. --webhooks-allow-loopback [true|false], XYD_WEBHOOKS_ALLOW_LOOPBACK.
  bool webhooks_allow_loopback = false;
  // Peers (IP addresses or CIDR blocks, comma-separated) whose X-Forwarded-For names the client;
  // empty: the header never counts.
  std::string trusted_proxies;               // --trusted-proxies, XYD_TRUSTED_PROXIES
  std::map<std::string, std::string> flags;  // the command's own flags ("--topic" -> "t")
  std::vector<std::string> positional;       // words that are not flags

  // The log as a tool opens it (a transactional id of its own).
  log::LogOptions log_options() const;
  // The log as `xyd serve` opens it: the node's stable transactional id and static group member.
  log::LogOptions serve_log_options() const;
  // Value of a command flag, or `fallback`.
  std::string flag(const std::string& name, const std::string& fallback = {}) const;
  // A command flag that is a whole number within [min, max] (`fallback` when absent); anything
  // else is refused naming the flag and the range.
  Result<int64_t> int_flag(const std::string& name, int64_t fallback, int64_t min, int64_t max) const;
  bool has(const std::string& name) const { return flags.contains(name); }
};

// Flags take "--name value" or "--name=value"; a flag followed by another flag or nothing is "true".
Result<CliOptions> parse_cli(int argc, char** argv, int first);

}  // namespace xyd::ops

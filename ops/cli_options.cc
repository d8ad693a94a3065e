#include "ops/cli_options.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iomanip>

#include "events/numbers.h"

namespace xyd::ops {
namespace {

using Kind = Flag::Kind;

constexpr std::array kSharedFlags = {
    text_flag("data", "DIR", "data folder", "./data", "XYD_DATA"),
    text_flag("http", "ADDR", "HTTP address", "http://127.0.0.1:8080", "XYD_HTTP"),
    choice_flag("log", "embedded|kafka", "the event log", "embedded", "XYD_LOG"),
    text_flag("brokers", "LIST", "Kafka bootstrap servers", "127.0.0.1:19092", "XYD_KAFKA_BROKERS"),
    number_flag("partitions", "N", "6", 1, 1000, "partitions of the xyd topics", "XYD_PARTITIONS"),
    number_flag("replication-factor", "N", "0", 0, 16,
                "replicas of each partition of the topics xyd creates on Kafka (0: 3, or the\nbrokers when fewer)",
                "XYD_KAFKA_REPLICATION_FACTOR"),
    number_flag("min-insync-replicas", "N", "0", 0, 16,
                "replicas a write must reach before it is acknowledged (0: 2 with 3 replicas\nor more, else 1)",
                "XYD_KAFKA_MIN_INSYNC_REPLICAS"),
    toggle_flag("allow-single-insync-replica", "allow min.insync.replicas 1 on a cluster of 3 brokers or more",
                "XYD_KAFKA_ALLOW_SINGLE_INSYNC_REPLICA"),
    text_flag("node", "NAME", "this process's name (default: host-port)", {}, "XYD_NODE"),
    toggle_flag("webhooks-allow-loopback", "tests only: let webhooks reach loopback addresses",
                "XYD_WEBHOOKS_ALLOW_LOOPBACK"),
    text_flag("trusted-proxies", "LIST",
              "peers (addresses, CIDR blocks) whose X-Forwarded-For names the client\n(default none: the header "
              "never counts)",
              {}, "XYD_TRUSTED_PROXIES"),
};

std::string host_name() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "xyd";
  return name;
}

const Flag* find_flag(std::span<const Flag> flags, std::string_view name) {
  const auto found = std::find_if(flags.begin(), flags.end(), [&](const Flag& f) { return f.name == name; });
  return found == flags.end() ? nullptr : &*found;
}

// How the flag is named in an error: "--name" or "--name (XYD_NAME)".
std::string described(const Flag& flag) {
  std::string text = "--" + std::string(flag.name);
  if (!flag.env.empty()) text += " (" + std::string(flag.env) + ")";
  return text;
}

// The value checked against the flag's kind, range and choices.
Status check_value(const Flag& flag, const std::string& value) {
  const std::string name(flag.name);
  switch (flag.kind) {
    case Kind::number: {
      auto number = read_whole_number(value, flag.min, flag.max, name, described(flag));
      if (!number.ok()) return number.error();
      return Status();
    }
    case Kind::toggle:
      if (value == "true" || value == "false") return Status();
      return make_error(Errc::invalid_argument, described(flag) + " takes 'true' or 'false', not '" + value + "'", name,
                        "one-of");
    case Kind::text:
      break;
  }
  if (value.empty()) return make_error(Errc::invalid_argument, described(flag) + " needs a value", name, "required");
  if (flag.choices.empty()) return Status();
  std::string_view rest = flag.choices;
  while (!rest.empty()) {
    const auto bar = rest.find('|');
    if (rest.substr(0, bar) == value) return Status();
    rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
  }
  std::string allowed = "'" + std::string(flag.choices) + "'";
  for (size_t bar = allowed.find('|'); bar != std::string::npos; bar = allowed.find('|', bar))
    allowed.replace(bar, 1, "', '");
  return make_error(Errc::invalid_argument, described(flag) + " must be one of " + allowed + ", not '" + value + "'",
                    name, "one-of");
}

}  // namespace

std::span<const Flag> shared_flags() {
  return kSharedFlags;
}

log::LogOptions CliOptions::log_options() const {
  log::LogOptions options;
  options.backend = log_backend;
  options.embedded.path = data_dir + "/log";
  options.kafka.brokers = brokers;
  options.kafka.client_id = "xyd-" + node;
  options.kafka.replication_factor = replication_factor;
  options.kafka.min_insync_replicas = min_insync_replicas;
  options.kafka.allow_single_insync_replica = allow_single_insync_replica;
  // transactional_id stays empty: a tool gets "xyd-<host>-<pid>", never the server's id, so
  // opening the log from `xyd log`, `xyd rebuild` or `xyd audit` cannot fence a running server.
  return options;
}

log::LogOptions CliOptions::serve_log_options() const {
  log::LogOptions options = log_options();
  // Stable per node: a restarted server fences its killed predecessor's producer (aborting its
  // open transaction) and, as the same static group member, takes its partitions back at once.
  options.kafka.transactional_id = "xyd-" + node;
  options.kafka.transaction_timeout = std::chrono::seconds(15);
  options.kafka.overrides["consumer.group.instance.id"] = "xyd-" + node;
  options.kafka.overrides["consumer.session.timeout.ms"] = "10000";
  options.kafka.overrides["consumer.heartbeat.interval.ms"] = "1000";
  return options;
}

std::string CliOptions::flag(const std::string& name, const std::string& fallback) const {
  if (auto found = flags.find(name); found != flags.end()) return found->second;
  if (!fallback.empty()) return fallback;
  const Flag* declared_flag = find_flag(declared, name);
  return declared_flag ? std::string(declared_flag->fallback) : std::string();
}

int64_t CliOptions::number(const std::string& name) const {
  const Flag* declared_flag = find_flag(declared, name);
  if (declared_flag == nullptr || declared_flag->kind != Kind::number) return 0;  // a programming error
  const auto value = whole_number(flag(name), declared_flag->min, declared_flag->max);
  return value.value_or(declared_flag->min);  // parse_cli checked it; the default is in range
}

bool CliOptions::on(const std::string& name) const {
  return flag(name) == "true";
}

Result<CliOptions> parse_cli(const std::vector<std::string>& words, std::span<const Flag> command_flags) {
  std::map<std::string, std::string> given;  // every flag, shared or the command's, by name
  CliOptions o;
  o.declared = command_flags;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (!word.starts_with("--")) {
      o.positional.push_back(word);
      continue;
    }
    std::string name = word.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const Flag* flag = find_flag(command_flags, name);
    if (flag == nullptr) flag = find_flag(kSharedFlags, name);
    if (flag == nullptr)
      return make_error(Errc::invalid_argument, "unknown flag --" + name + " (--help lists this command's flags)", name,
                        "known-flag");
    const bool next_is_value = i + 1 < words.size() && !words[i + 1].starts_with("--");
    if (!has_value && flag->kind == Kind::toggle) {
      value = "true";
      if (next_is_value && (words[i + 1] == "true" || words[i + 1] == "false")) value = words[++i];
    } else if (!has_value) {
      if (!next_is_value)
        return make_error(Errc::invalid_argument,
                          "--" + name + " needs a value (" + std::string(flag->placeholder) + ")", name, "required");
      value = words[++i];
    }
    XYD_RETURN_IF_ERROR(check_value(*flag, value));
    given[name] = value;
  }
  // Environment variables stand in for flags not given; defaults for the rest.
  for (const auto table : {std::span<const Flag>(kSharedFlags), command_flags})
    for (const Flag& flag : table) {
      if (given.contains(std::string(flag.name)) || flag.env.empty()) continue;
      const char* value = std::getenv(std::string(flag.env).c_str());
      if (value == nullptr || *value == '\0') continue;
      XYD_RETURN_IF_ERROR(check_value(flag, value));
      given[std::string(flag.name)] = value;
    }
  auto shared = [&](std::string_view name) {
    if (auto found = given.find(std::string(name)); found != given.end()) return found->second;
    return std::string(find_flag(kSharedFlags, name)->fallback);
  };
  o.data_dir = shared("data");
  o.http = shared("http");
  o.log_backend = shared("log");
  o.brokers = shared("brokers");
  o.partitions = static_cast<int>(whole_number(shared("partitions"), 1, 1000).value_or(6));
  o.node = shared("node");
  o.replication_factor = static_cast<int>(whole_number(shared("replication-factor"), 0, 16).value_or(0));
  o.min_insync_replicas = static_cast<int>(whole_number(shared("min-insync-replicas"), 0, 16).value_or(0));
  o.allow_single_insync_replica = shared("allow-single-insync-replica") == "true";
  o.webhooks_allow_loopback = shared("webhooks-allow-loopback") == "true";
  o.trusted_proxies = shared("trusted-proxies");
  for (auto& [name, value] : given)
    if (find_flag(kSharedFlags, name) == nullptr) o.flags[name] = value;
  if (o.http.find("://") == std::string::npos) o.http = "http://" + o.http;
  if (o.node.empty()) {  // unique per host and port, so two local processes never share a name
    auto colon = o.http.rfind(':');
    o.node = host_name() + "-" + (colon == std::string::npos ? std::string("80") : o.http.substr(colon + 1));
    while (!o.node.empty() && o.node.back() == '/') o.node.pop_back();
  }
  return o;
}

void print_flags(std::ostream& out, std::span<const Flag> flags) {
  constexpr size_t kColumn = 29;  // where the help text starts
  for (const Flag& flag : flags) {
    std::string head = "    [--" + std::string(flag.name);
    if (!flag.placeholder.empty()) head += " " + std::string(flag.placeholder);
    if (flag.kind == Kind::toggle) head += " [true|false]";
    head += "]";
    std::string help(flag.help);
    std::vector<std::string> notes;
    if (!flag.fallback.empty() && flag.kind != Kind::toggle) notes.push_back("default " + std::string(flag.fallback));
    if (!flag.env.empty()) notes.push_back(std::string(flag.env));
    if (!notes.empty()) {
      help += " (";
      for (size_t i = 0; i < notes.size(); ++i) help += (i ? "; " : "") + notes[i];
      help += ")";
    }
    out << head;
    size_t at = head.size();
    std::string_view rest = help;
    bool first = true;
    while (!rest.empty() || first) {
      const auto newline = rest.find('\n');
      const std::string_view line = rest.substr(0, newline);
      if (!first || at >= kColumn) {
        out << "\n";
        at = 0;
      }
      out << std::string(kColumn - std::min(at, kColumn), ' ') << line;
      at = kColumn;
      first = false;
      rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    }
    out << "\n";
  }
}

}  // namespace xyd::ops

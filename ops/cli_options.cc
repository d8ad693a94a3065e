#include "ops/cli_options.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>

#include "events/numbers.h"

namespace xyd::ops {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::string host_name() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "xyd";
  return name;
}

}  // namespace

log::LogOptions CliOptions::log_options() const {
  log::LogOptions options;
  options.backend = log_backend;
  options.embedded.path = data_dir + "/log";
  options.kafka.brokers = brokers;
  options.kafka.client_id = "xyd-" + node;
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
  auto found = flags.find(name);
  return found == flags.end() ? fallback : found->second;
}

Result<int64_t> CliOptions::int_flag(const std::string& name, int64_t fallback, int64_t min, int64_t max) const {
  auto found = flags.find(name);
  if (found == flags.end()) return fallback;
  return read_whole_number(found->second, min, max, name, "--" + name);
}

Result<CliOptions> parse_cli(int argc, char** argv, int first) {
  CliOptions o;
  o.data_dir = env_or("XYD_DATA", o.data_dir);
  o.http = env_or("XYD_HTTP", o.http);
  o.log_backend = env_or("XYD_LOG", o.log_backend);
  o.brokers = env_or("XYD_KAFKA_BROKERS", o.brokers);
  std::string partitions = env_or("XYD_PARTITIONS", std::to_string(o.partitions));
  o.node = env_or("XYD_NODE", "");
  std::string webhooks_allow_loopback = env_or("XYD_WEBHOOKS_ALLOW_LOOPBACK", "false");
  o.trusted_proxies = env_or("XYD_TRUSTED_PROXIES", "");
  for (int i = first; i < argc; ++i) {
    std::string word = argv[i];
    if (!word.starts_with("--")) {
      o.positional.push_back(word);
      continue;
    }
    std::string name = word.substr(2), value = "true";
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (i + 1 < argc && !std::string(argv[i + 1]).starts_with("--")) {
      value = argv[++i];
    }
    if (name == "data")
      o.data_dir = value;
    else if (name == "http")
      o.http = value;
    else if (name == "log")
      o.log_backend = value;
    else if (name == "brokers")
      o.brokers = value;
    else if (name == "partitions")
      partitions = value;
    else if (name == "node")
      o.node = value;
    else if (name == "webhooks-allow-loopback")
      webhooks_allow_loopback = value;
    else if (name == "trusted-proxies")
      o.trusted_proxies = value;
    else
      o.flags[name] = value;
  }
  if (o.http.find("://") == std::string::npos) o.http = "http://" + o.http;
  if (o.node.empty()) {  // unique per host and port, so two local processes never share a name
    auto colon = o.http.rfind(':');
    o.node = host_name() + "-" + (colon == std::string::npos ? std::string("80") : o.http.substr(colon + 1));
    while (!o.node.empty() && o.node.back() == '/') o.node.pop_back();
  }
  o.partitions = static_cast<int>(whole_number(partitions, 1, 1000).value_or(0));
  if (o.partitions < 1 || o.partitions > 1000)
    return make_error(Errc::invalid_argument, "--partitions (XYD_PARTITIONS) must be a number from 1 to 1000",
                      "partitions", "range-1-1000");
  if (webhooks_allow_loopback != "true" && webhooks_allow_loopback != "false")
    return make_error(Errc::invalid_argument,
                      "--webhooks-allow-loopback (XYD_WEBHOOKS_ALLOW_LOOPBACK) must be 'true' or 'false'",
                      "webhooks-allow-loopback", "one-of");
  o.webhooks_allow_loopback = webhooks_allow_loopback == "true";
  if (o.log_backend != "embedded" && o.log_backend != "kafka")
    return make_error(Errc::invalid_argument,
                      "--log (XYD_LOG) must be 'embedded' or 'kafka', not '" + o.log_backend + "'", "log", "one-of");
  return o;
}

}  // namespace xyd::ops

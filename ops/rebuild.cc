// `xyd rebuild <projection>` and `xyd projections`: rebuild a view beside the live one with a
// progress bar, and list every projection's live version, lag, rule-set version and rebuild.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <thread>

#include "api/authenticator.h"
#include "connectors/bank_results_projection.h"
#include "connectors/data_source_intake.h"
#include "connectors/outbound_follower.h"
#include "ops/commands.h"
#include "ops/consumer_groups.h"
#include "ops/http_client.h"
#include "ops/projection_commands.h"
#include "ops/risk_publisher.h"
#include "projections/progress.h"

#ifndef XYD_SOURCE_RULES_DIR
#define XYD_SOURCE_RULES_DIR "ops/rules"
#endif

namespace xyd::ops {
namespace {

using namespace std::chrono_literals;
using projections::ProgressFigures;
using projections::ProgressPrinter;

ProgressFigures figures_of(const nlohmann::json& version) {
  ProgressFigures f;
  f.done = version.value("events_done", uint64_t{0});
  f.total = version.value("events_total", uint64_t{0});
  f.rate = static_cast<double>(version.value("rate_per_second", int64_t{0}));
  if (auto eta = version.find("eta_seconds"); eta != version.end() && eta->is_number())
    f.eta_seconds = eta->get<double>();
  return f;
}

// One view being rebuilt: its name, the version being built, and how to read its JSON status.
struct Build {
  std::string name;
  int64_t version = 0;
  std::function<Result<nlohmann::json>()> status;
  bool live = false;
};

// Follows `builds` (running at the same time) until every one is live, drawing one progress bar
// over their summed events; says each view's swap as it happens. Returns the exit code.
int follow(std::vector<Build>& builds) {
  std::string label = "rebuild";
  for (const auto& b : builds) label += " " + b.name + " v" + std::to_string(b.version);
  if (builds.size() > 3) label = "rebuild " + std::to_string(builds.size()) + " views";
  ProgressPrinter printer(label);
  while (true) {
    ProgressFigures sum;
    sum.eta_seconds = 0;
    size_t live = 0;
    for (auto& b : builds) {
      auto current = b.status();
      if (!current.ok()) return fail("rebuild " + b.name, current.error());
      const auto& live_version = (*current)["live"];
      const auto& building = (*current)["rebuild"];
      ProgressFigures f;
      if (!live_version.is_null() && live_version.value("version", int64_t{0}) >= b.version) {
        f = figures_of(live_version);
        f.total = std::max(f.total, f.done);
        f.eta_seconds = 0;
        if (!b.live) std::cerr << "xyd: " << b.name << " v" << b.version << " is live" << std::endl;
        b.live = true;
        ++live;
      } else if (building.is_null() || building.value("version", int64_t{0}) != b.version) {
        return fail("rebuild " + b.name, make_error(Errc::conflict, "version " + std::to_string(b.version) +
                                                                        " is no longer being built (cancelled?) " +
                                                                        current->value("note", std::string())));
      } else {
        f = figures_of(building);
      }
      sum.done += f.done;
      sum.total += f.total;
      sum.rate += f.rate;
      if (!f.eta_seconds)
        sum.eta_seconds.reset();
      else if (sum.eta_seconds)
        sum.eta_seconds = std::max(*sum.eta_seconds, *f.eta_seconds);
    }
    if (live == builds.size()) {
      printer.finish(sum, "live");
      for (const auto& b : builds) std::cout << b.name << " v" << b.version << " is live" << std::endl;
      return 0;
    }
    printer.update(sum);
    std::this_thread::sleep_for(250ms);
  }
}

int rebuild_remotely(const CliOptions& options, const std::vector<std::string>& names) {
  std::vector<Build> builds;
  for (const auto& name : names) {
    auto started = call_server(options, "POST", "/api/v1/ops/projections/" + name + "/rebuild");
    int64_t version = 0;
    if (started.ok()) {
      version = started->value("rebuilding_version", int64_t{0});
    } else if (started.error().code == Errc::conflict) {
      // One is in progress already: follow it.
      auto status = call_server(options, "GET", "/api/v1/ops/projections/" + name);
      if (!status.ok() || (*status)["rebuild"].is_null()) return fail("rebuild " + name, started.error());
      version = (*status)["rebuild"].value("version", int64_t{0});
      std::cerr << "xyd: following the build of " << name << " v" << version << " already in progress" << std::endl;
    } else {
      return fail("rebuild " + name, started.error());
    }
    std::cerr << "xyd: " << options.http << " builds " << name << " v" << version
              << " beside the live version; it keeps serving" << std::endl;
    builds.push_back(
        {name, version, [&options, name] { return call_server(options, "GET", "/api/v1/ops/projections/" + name); }});
  }
  return follow(builds);
}

void print_table(const nlohmann::json& items) {
  std::printf("%-14s %-13s %-6s %-10s %-14s %-12s %s\n", "name", "kind", "live", "rule set", "lag", "events",
              "rebuild");
  for (const auto& p : items) {
    const auto& live = p["live"];
    const auto& building = p["rebuild"];
    std::string rules = "-";
    if (!live.is_null() && !live["rule_set_version"].is_null()) rules = live["rule_set_version"].get<std::string>();
    std::string rebuild = "-";
    if (!building.is_null()) {
      auto f = figures_of(building);
      rebuild = "v" + std::to_string(building.value("version", int64_t{0})) + " " + projections::progress_line(f);
    }
    const std::string kind = p.value("kind", std::string("projection"));
    std::string live_version = "-";
    if (!live.is_null())
      live_version = kind == "subscription" ? "-" : "v" + std::to_string(live.value("version", int64_t{0}));
    std::printf("%-14s %-13s %-6s %-10s %-14s %-12s %s\n", p.value("name", std::string()).c_str(), kind.c_str(),
                live_version.c_str(), rules.c_str(),
                live.is_null() ? "-" : projections::with_commas(live.value("lag", uint64_t{0})).c_str(),
                live.is_null() ? "-" : projections::with_commas(live.value("events_done", uint64_t{0})).c_str(),
                rebuild.c_str());
    if (!p["note"].is_null()) std::printf("  note: %s\n", p["note"].get<std::string>().c_str());
  }
}

// The consumer groups, as kafka-consumer-groups.sh --describe would sum them per group.
void print_group_table(const std::vector<GroupPosition>& groups) {
  std::printf("\n%-20s %-32s %-14s %-14s %s\n", "consumer group", "follows", "committed", "end", "lag");
  for (const auto& g : groups) {
    std::printf(
        "%-20s %-32s %-14s %-14s %s%s\n", g.group.c_str(), g.follows.c_str(),
        projections::with_commas(static_cast<uint64_t>(g.committed)).c_str(),
        projections::with_commas(static_cast<uint64_t>(g.end)).c_str(),
        projections::with_commas(static_cast<uint64_t>(g.lag)).c_str(),
        g.uncommitted > 0 ? (" (" + std::to_string(g.uncommitted) + " partitions never committed)").c_str() : "");
  }
}

}  // namespace

projections::runtime::RuntimeOptions runtime_options(const CliOptions& options) {
  projections::runtime::RuntimeOptions runtime;
  runtime.path = options.data_dir + "/projections";
  std::string rules = options.flag("rules");  // or XYD_RULES
  if (rules.empty()) rules = std::filesystem::exists("ops/rules/delinquency.json") ? "ops/rules" : XYD_SOURCE_RULES_DIR;
  runtime.rules_dir = rules;
  return runtime;
}

std::vector<projections::ProjectionSpec> process_projections() {
  auto specs = projections::standard_projections();
  specs.push_back(connectors::bank_results_spec());
  return specs;
}

std::vector<std::string> process_subscription_names() {
  return {connectors::OutboundFollower::kName, connectors::DataSourceIntake::kName, kRiskPublisherName};
}

bool held_by_another_process(const Error& error) {
  return error.code == Errc::busy;
}

Result<nlohmann::json> call_server(const CliOptions& options, const std::string& method, const std::string& path,
                                   const nlohmann::json& body) {
  // The local operator's token, written by `xyd serve` into its data folder (or XYD_TOKEN).
  std::string token = std::getenv("XYD_TOKEN") ? std::getenv("XYD_TOKEN") : "";
  if (token.empty()) {
    auto written = api::read_operator_token(options.data_dir + "/operator-token");
    if (written.ok()) token = *written;
  }
  const HttpClient client(options.http);
  XYD_ASSIGN_OR_RETURN(HttpReply reply, client.call({method, path, body, token, ""}));
  if (reply.status == 401)
    return make_error(Errc::unauthenticated,
                      "xyd serve refused the operator token: run this on the server's machine with its --data "
                      "folder (it reads <data>/operator-token), or set XYD_TOKEN");
  if (reply.status >= 400) {
    const Errc code = reply.status == 404 || reply.status == 409 || reply.status == 400 || reply.status == 503
                          ? errc_of_status(reply.status)
                          : Errc::fatal;
    return make_error(code, reply.problem.detail, reply.problem.field, reply.problem.rule);
  }
  if (reply.body.is_null()) return make_error(Errc::fatal, method + " " + path + " answered no JSON: " + reply.text);
  return reply.body;
}

// The subscriptions xyd serve runs, listed from their stored positions (none runs here); returns
// the connectors' store they read, which must outlive the listing.
std::unique_ptr<connectors::OutboundStore> list_stored_subscriptions(const CliOptions& options,
                                                                     projections::runtime::ProjectionRuntime& runtime) {
  std::unique_ptr<connectors::OutboundStore> outbound;
  const std::string path = options.data_dir + "/outbound";
  if (std::filesystem::exists(path)) {
    if (auto opened = connectors::OutboundStore::open(path); opened.ok()) {
      outbound = std::move(opened).value();
      (void)runtime.add_subscription(connectors::OutboundFollower::listed(*outbound));
      (void)runtime.add_subscription(connectors::DataSourceIntake::listed(*outbound));
    }
  }
  if (auto state = runtime.store().follower_state(kRiskPublisherName); state.ok() && *state)
    (void)runtime.add_subscription(RiskPublisher::listed(runtime));
  return outbound;
}

// The views `xyd rebuild` names: its arguments, or every projection with --all.
Result<std::vector<std::string>> rebuild_names(const CliOptions& options) {
  const auto specs = process_projections();
  std::vector<std::string> names = options.positional;
  if (options.on("all")) {
    if (!names.empty())
      return make_error(Errc::invalid_argument, "name projections or say --all, not both", "projection", "one-of");
    for (const auto& spec : specs) names.push_back(spec.name);
  }
  if (names.empty())
    return make_error(Errc::invalid_argument,
                      "say which projections: xyd rebuild audit [dashboard ...] or xyd rebuild --all "
                      "(xyd projections lists them)",
                      "projection", "required");
  std::sort(names.begin(), names.end());
  if (std::adjacent_find(names.begin(), names.end()) != names.end())
    return make_error(Errc::invalid_argument, "a projection is named twice", "projection", "unique");
  for (const auto& name : names) {
    const auto subscriptions = process_subscription_names();
    if (std::find(subscriptions.begin(), subscriptions.end(), name) != subscriptions.end())
      return make_error(Errc::conflict,
                        name +
                            " is a subscription: it has side effects (records produced, commands sent) and only "
                            "moves forward from its stored position, so it is not rebuilt",
                        "projection", "not-a-subscription");
    if (!projections::find_projection(specs, name))
      return make_error(Errc::not_found, "no projection " + name + " (xyd projections lists them)", "projection",
                        "exists");
  }
  return names;
}

int run_rebuild(const CliOptions& options) {
  auto names = rebuild_names(options);
  if (!names.ok()) return fail("rebuild", names.error());
  auto runtime_settings = runtime_options(options);
  runtime_settings.only = *names;
  // The store is single-process: if `xyd serve` holds it, the server rebuilds and we follow.
  auto log = log::open_log(options.log_options());
  if (!log.ok()) {
    if (held_by_another_process(log.error())) return rebuild_remotely(options, *names);
    return fail("opening the log", log.error());
  }
  auto runtime = projections::runtime::ProjectionRuntime::open(**log, runtime_settings, process_projections());
  if (!runtime.ok()) {
    if (held_by_another_process(runtime.error())) return rebuild_remotely(options, *names);
    return fail("rebuild", runtime.error());
  }
  if (auto started = (*runtime)->start(); !started.ok()) return fail("rebuild", started.error());
  // Every view's build starts now and runs on a worker thread of its own, side by side.
  std::vector<Build> builds;
  for (const auto& name : *names) {
    int64_t version = 0;
    auto status = (*runtime)->status(name);
    if (status.ok() && status->rebuild) {
      version = status->rebuild->version;  // a first build, or one interrupted earlier: resume it
      std::cerr << "xyd: " << (status->live ? "resuming the unfinished build of " : "building the first version of ")
                << name << " (v" << version << ")" << std::endl;
    } else {
      auto started = (*runtime)->rebuild(name);
      if (!started.ok()) return fail("rebuild " + name, started.error());
      version = *started;
    }
    auto* rt = runtime->get();
    builds.push_back({name, version, [rt, name]() -> Result<nlohmann::json> {
                        XYD_ASSIGN_OR_RETURN(auto current, rt->status(name));
                        return current.to_json();
                      }});
  }
  const int code = follow(builds);
  (*runtime)->stop();
  return code;
}

int run_projections(const CliOptions& options) {
  auto log = log::open_log(options.log_options());
  // The consumer groups' positions, read from the log (on Kafka even while serve holds the
  // data folder; on the embedded log only when it does not).
  auto print_groups = [&]() -> int {
    if (!log.ok() || options.on("json")) return 0;
    auto groups = consumer_group_positions(**log);
    if (!groups.ok()) return fail("reading the consumer groups' positions", groups.error());
    print_group_table(*groups);
    return 0;
  };
  if (log.ok()) {
    auto runtime =
        projections::runtime::ProjectionRuntime::open(**log, runtime_options(options), process_projections());
    std::unique_ptr<connectors::OutboundStore> outbound;  // outlives the listing below
    if (runtime.ok()) {
      outbound = list_stored_subscriptions(options, **runtime);
      nlohmann::json items = nlohmann::json::array();
      for (const auto& status : (*runtime)->status()) items.push_back(status.to_json());
      if (options.on("json"))
        std::cout << items.dump(2) << std::endl;
      else
        print_table(items);
      return print_groups();
    }
    if (!held_by_another_process(runtime.error())) return fail("projections", runtime.error());
  } else if (!held_by_another_process(log.error())) {
    return fail("opening the log", log.error());
  }
  auto listed = call_server(options, "GET", "/api/v1/ops/projections");
  if (!listed.ok()) return fail("projections", listed.error());
  if (options.on("json"))
    std::cout << (*listed)["items"].dump(2) << std::endl;
  else
    print_table((*listed)["items"]);
  return print_groups();
}

}  // namespace xyd::ops

// `xyd rebuild <projection>` and `xyd projections`: rebuild a view beside the live one with a
// progress bar, and list every projection's live version, lag, rule-set version and rebuild.
#include <filesystem>
#include <iostream>
#include <thread>

#include "ops/commands.h"
#include "ops/http_client.h"
#include "api/authenticator.h"
#include "ops/projection_commands.h"
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
  if (auto eta = version.find("eta_seconds"); eta != version.end() && eta->is_number()) f.eta_seconds = eta->get<double>();
  return f;
}

// Follows the build of `version` (through `status`, a JSON status of the projection) until it is
// live, drawing progress. Returns the exit code.
int follow(const std::string& name, int64_t version, const std::function<Result<nlohmann::json>()>& status) {
  ProgressPrinter printer("rebuild " + name + " v" + std::to_string(version));
  ProgressFigures last;
  while (true) {
    auto current = status();
    if (!current.ok()) return fail("rebuild " + name, current.error());
    const auto& live = (*current)["live"];
    const auto& building = (*current)["rebuild"];
    if (!live.is_null() && live.value("version", int64_t{0}) >= version) {
      last = figures_of(live);
      last.total = std::max(last.total, last.done);
      last.eta_seconds = 0;
      printer.finish(last, "live");
      std::cout << name << " v" << version << " is live" << std::endl;
      return 0;
    }
    if (building.is_null() || building.value("version", int64_t{0}) != version)
      return fail("rebuild " + name, make_error(Errc::conflict, "version " + std::to_string(version) +
                                                                    " is no longer being built (cancelled?) " +
                                                                    current->value("note", std::string())));
    last = figures_of(building);
    printer.update(last);
    std::this_thread::sleep_for(250ms);
  }
}

int rebuild_remotely(const CliOptions& options, const std::string& name) {
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
  return follow(name, version,
                [&] { return call_server(options, "GET", "/api/v1/ops/projections/" + name); });
}

void print_table(const nlohmann::json& items) {
  std::printf("%-12s %-6s %-10s %-14s %-12s %s\n", "projection", "live", "rule set", "lag", "events", "rebuild");
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
    std::printf("%-12s %-6s %-10s %-14s %-12s %s\n", p.value("name", std::string()).c_str(),
                live.is_null() ? "-" : ("v" + std::to_string(live.value("version", int64_t{0}))).c_str(),
                rules.c_str(),
                live.is_null() ? "-" : projections::with_commas(live.value("lag", uint64_t{0})).c_str(),
                live.is_null() ? "-" : projections::with_commas(live.value("events_done", uint64_t{0})).c_str(),
                rebuild.c_str());
    if (!p["note"].is_null()) std::printf("  note: %s\n", p["note"].get<std::string>().c_str());
  }
}

}  // namespace

projections::runtime::RuntimeOptions runtime_options(const CliOptions& options) {
  projections::runtime::RuntimeOptions runtime;
  runtime.path = options.data_dir + "/projections";
  std::string rules = options.flag("rules");
  if (rules.empty()) {
    const char* env = std::getenv("XYD_RULES");
    if (env && *env) rules = env;
  }
  if (rules.empty()) rules = std::filesystem::exists("ops/rules/delinquency.json") ? "ops/rules" : XYD_SOURCE_RULES_DIR;
  runtime.rules_dir = rules;
  return runtime;
}

bool held_by_another_process(const Error& error) {
  return error.message.find("lock") != std::string::npos || error.message.find("Resource temporarily") != std::string::npos;
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

int run_rebuild(const CliOptions& options) {
  if (options.positional.size() != 1)
    return fail("rebuild", make_error(Errc::invalid_argument,
                                      "say which projection: xyd rebuild audit (xyd projections lists them)",
                                      "projection", "required"));
  const std::string name = options.positional[0];
  auto runtime_settings = runtime_options(options);
  runtime_settings.only = {name};
  // The store is single-process: if `xyd serve` holds it, the server rebuilds and we follow.
  auto log = log::open_log(options.log_options());
  if (!log.ok()) {
    if (held_by_another_process(log.error())) return rebuild_remotely(options, name);
    return fail("opening the log", log.error());
  }
  auto runtime = projections::runtime::ProjectionRuntime::open(**log, runtime_settings);
  if (!runtime.ok()) {
    if (held_by_another_process(runtime.error())) return rebuild_remotely(options, name);
    return fail("rebuild " + name, runtime.error());
  }
  if (auto started = (*runtime)->start(); !started.ok()) return fail("rebuild " + name, started.error());
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
  const int code = follow(name, version, [&]() -> Result<nlohmann::json> {
    XYD_ASSIGN_OR_RETURN(auto current, (*runtime)->status(name));
    return current.to_json();
  });
  (*runtime)->stop();
  return code;
}

int run_projections(const CliOptions& options) {
  auto log = log::open_log(options.log_options());
  if (log.ok()) {
    auto runtime = projections::runtime::ProjectionRuntime::open(**log, runtime_options(options));
    if (runtime.ok()) {
      nlohmann::json items = nlohmann::json::array();
      for (const auto& status : (*runtime)->status()) items.push_back(status.to_json());
      if (options.has("json")) std::cout << items.dump(2) << std::endl;
      else print_table(items);
      return 0;
    }
    if (!held_by_another_process(runtime.error())) return fail("projections", runtime.error());
  } else if (!held_by_another_process(log.error())) {
    return fail("opening the log", log.error());
  }
  auto listed = call_server(options, "GET", "/api/v1/ops/projections");
  if (!listed.ok()) return fail("projections", listed.error());
  if (options.has("json")) std::cout << (*listed)["items"].dump(2) << std::endl;
  else print_table((*listed)["items"]);
  return 0;
}

}  // namespace xyd::ops

// `xyd serve`: opens the log, creates the xyd topics, serves HTTP until SIGINT or SIGTERM.
#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "aggregates/processor/write_side.h"
#include "api/account_routes.h"
#include "api/api_server.h"
#include "api/application_routes.h"  // financing lifecycle
#include "api/audit_routes.h"        // read side
#include "api/authenticator.h"
#include "api/context_facts.h"
#include "api/demand_routes.h"
#include "api/enterprise_routes.h"
#include "api/institution_routes.h"
#include "api/machine_key_routes.h"
#include "api/openapi_routes.h"  // the OpenAPI document and /docs
#include "api/probe_routes.h"    // metrics, probes, logs
#include "api/problem_routes.h"
#include "api/processor_routes.h"
#include "api/product_routes.h"
#include "api/projection_routes.h"  // read side
#include "api/read_routes.h"        // dashboards, statistics, rankings, exports
#include "api/risk_routes.h"        // risk-warning feeds
#include "api/session_routes.h"
#include "api/telemetry_observer.h"       // metrics, probes, logs
#include "connectors/inbound_consumer.h"  // bank connectors, inbound
#include "connectors/inbound_routes.h"    // bank connectors, inbound
#include "events/catalog.h"
#include "ops/build_info.h"
#include "ops/commands.h"
#include "ops/data_folder.h"
#include "ops/outbound_connectors.h"  // outbound connectors, data sources
#include "ops/projection_commands.h"  // read side
#include "ops/risk_publisher.h"       // risk-warning feeds
#include "ops/serve_telemetry.h"      // metrics, probes, logs
#include "projections/view_names.h"

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
  // Every number a flag gives, checked before anything opens: a bad one is named, never guessed.
  const auto lockout_seconds = options.int_flag("lockout-seconds", 900, 1, 86400 * 30);
  const auto session_seconds = options.int_flag("session-seconds", 28800, 1, 86400 * 30);
  const auto address_limit = options.int_flag("address-limit", 0, 0, 1'000'000);
  const auto heartbeat_seconds = options.int_flag("sse-heartbeat-seconds", 15, 1, 3600);
  const auto streams_per_caller = options.int_flag("sse-streams-per-caller", 4, 1, 10'000);
  const auto streams = options.int_flag("sse-streams", 256, 1, 100'000);
  const auto ready_max_lag = options.int_flag("ready-max-lag", 1000, 0, 1'000'000'000);
  const auto write_timeout = options.int_flag("write-timeout", 5, 1, 600);
  for (const auto* number : {&lockout_seconds, &session_seconds, &address_limit, &heartbeat_seconds,
                             &streams_per_caller, &streams, &ready_max_lag, &write_timeout})
    if (!number->ok()) return fail("reading the flags", number->error());
  if (auto logging = configure_logging(options); !logging.ok()) return fail("reading the flags", logging.error());
  auto metrics_allow = api::parse_trusted_proxies(options.flag("metrics-allow"));
  if (!metrics_allow.ok())
    return fail("reading --metrics-allow",
                make_error(Errc::invalid_argument, "--metrics-allow takes IP addresses or CIDR blocks, comma-separated",
                           "metrics-allow", "ip-or-cidr"));
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: only sigwait sees them

  // Private files: everything serve creates from here on is for its own user only (RocksDB's
  // files, the operator token, the SMS log), and the data folder is 0700.
  ::umask(077);
  if (auto prepared = prepare_data_folder(options.data_dir); !prepared.ok())
    return fail("preparing the data folder", prepared.error());

  std::cerr << "xyd: opening the " << options.log_backend << " log..." << std::endl;
  auto log = log::open_log(options.serve_log_options());
  if (!log.ok()) return fail("opening the log", log.error());
  auto created = (*log)->create_topics(events::standard_topics(options.partitions));
  if (!created.ok()) return fail("creating the xyd topics", created.error());

  // The write side: aggregate store, command processor, gateway; passwords outside the log.
  domain::WriteSideOptions write_options;
  write_options.state_dir = options.data_dir + "/state";
  write_options.node = options.node;
  write_options.write_timeout = std::chrono::seconds(*write_timeout);  // then 503 + Retry-After
  auto write_side = domain::WriteSide::start(**log, write_options);
  if (!write_side.ok()) return fail("starting the command processor", write_side.error());
  auto credentials = identity::CredentialStore::open(options.data_dir + "/credentials");
  if (!credentials.ok()) return fail("opening the credential store", credentials.error());

  // The read side: the projections kept up with the log (exactly-once offsets, rebuild beside
  // the live version), among them the state view every access check reads. Stopped after the
  // HTTP server (destroyed in reverse order), before the log.
  auto projection_runtime =
      projections::runtime::ProjectionRuntime::open(**log, runtime_options(options), process_projections());
  if (!projection_runtime.ok()) return fail("opening the projection store", projection_runtime.error());
  if (auto running = (*projection_runtime)->start(); !running.ok())
    return fail("starting the projections", running.error());
  projections::runtime::ChainAuditJob chain_audit(**log);
  auto projection_metrics = add_projection_metrics(**projection_runtime);  // /metrics: lag, rebuilds, sizes
  auto store_size_metrics = add_store_size_metrics(options.data_dir);
  projections::runtime::StateView state_view(**projection_runtime);
  // Answer only once the state view has caught up with the log: a restarted server must not call
  // an existing account unknown because its view is still reading.
  std::cerr << "xyd: catching the state view up with the log..." << std::endl;
  if (auto caught_up = (*projection_runtime)->wait_caught_up(projections::view::kState, std::chrono::minutes(5));
      !caught_up.ok())
    std::cerr << "xyd: warning: " << caught_up.error().message << " (serving anyway; reads may lag)" << std::endl;

  // Identity and access: sessions, one-time codes (the SMS channel writes <data>/sms.log), the
  // login limiter, and the local operator's token for the xyd tools.
  auto sms = identity::make_log_file_sms_channel(options.data_dir + "/sms.log");
  api::LimiterOptions limits;
  limits.lockout = std::chrono::seconds(*lockout_seconds);
  if (options.has("address-limit"))  // code sends and registrations per client address and hour; 0: no limit
    limits.code_sends_per_address.max = limits.registrations_per_address.max = static_cast<int>(*address_limit);
  api::LoginLimiter limiter(limits);
  auto trusted_proxies = api::parse_trusted_proxies(options.trusted_proxies);
  if (!trusted_proxies.ok()) return fail("reading --trusted-proxies", trusted_proxies.error());
  auto operator_token = api::write_operator_token(options.data_dir + "/operator-token");
  if (!operator_token.ok()) return fail("writing the operator token", operator_token.error());
  api::ApiServices services{(*write_side)->gateway(), **credentials, state_view, *sms, limiter, {}, *operator_token};
  services.trusted_proxies = *trusted_proxies;
  services.sessions.ttl = std::chrono::seconds(*session_seconds);
  auto rule_sets = api::load_rule_sets(runtime_options(options).rules_dir);  // certification, screening
  if (!rule_sets.ok()) return fail("loading the rule sets", rule_sets.error());
  services.rules = *rule_sets;
  services.risk_marker = [&runtime = **projection_runtime](const std::string& enterprise) {
    return api::risk_marker(runtime, enterprise);  // risk-warning feeds
  };

  // Outbound connectors and data sources: xyd.out.<institution>, webhooks, data-source intake.
  auto outbound = start_outbound_connectors(options, **log, services, **projection_runtime);
  if (!outbound.ok()) return fail("starting the outbound connectors", outbound.error());

  api::Router router;
  api::Authenticator authenticator = api::make_authenticator(services);
  router.set_authenticator(authenticator);
  api::add_health_routes(router, **log,
                         {build_info().version, build_info().commit, build_info().build_time, options.node});
  api::add_problem_routes(router);
  api::add_account_routes(router, services);
  api::add_session_routes(router, services);
  api::add_machine_key_routes(router, services);
  api::add_enterprise_routes(router, services);
  api::add_institution_routes(router, services);
  api::add_product_routes(router, services);
  api::add_demand_routes(router, services);
  api::add_application_routes(router, services);
  api::add_processor_routes(router, (*write_side)->processor(), options.node);
  api::add_audit_routes(router, **projection_runtime, chain_audit);
  api::add_projection_routes(router, **projection_runtime);
  if (auto read = api::add_read_model_routes(router, **projection_runtime, runtime_options(options).rules_dir);
      !read.ok())
    return fail("loading the ranking rule set", read.error());
  api::RiskFeedSettings risk_feed;  // risk-warning feeds
  risk_feed.heartbeat = std::chrono::seconds(*heartbeat_seconds);
  risk_feed.max_streams_per_principal = static_cast<size_t>(*streams_per_caller);
  risk_feed.max_streams = static_cast<size_t>(*streams);
  api::add_risk_routes(router, **projection_runtime, authenticator, risk_feed);
  // Risk-warning feeds: on Kafka, every warning also goes to the output topic.
  std::unique_ptr<RiskPublisher> risk_publisher;
  if ((*log)->backend() == "kafka") {
    risk_publisher = std::make_unique<RiskPublisher>(**log, **projection_runtime,
                                                     options.data_dir + "/risk-publisher.json", options.node);
    if (auto publishing = risk_publisher->start(options.partitions); !publishing.ok())
      return fail("starting the risk-warning publisher", publishing.error());
  }
  // Bank results in: the Kafka consumer of xyd.in.* with --bank-inbound (one member of the group
  // xyd-bank-inbound per process that sets it); their view (bank_results) is a projection above.
  std::unique_ptr<log::EventLog> inbound_log_owner;  // when the backend needs one; outlives the consumer below
  std::unique_ptr<connectors::InboundConsumer> inbound;
  if (options.has("bank-inbound") && options.flag("bank-inbound") != "false") {
    connectors::InboundConsumerOptions inbound_options;
    inbound_options.partitions = options.partitions;
    inbound_options.institutions = [&state_view] {
      std::vector<std::string> ids;
      (void)state_view.scan("institution", [&](const std::string& id, const domain::AggregateState&) {
        ids.push_back(id);
        return true;
      });
      return ids;
    };
    // A log handle of its own where the backend needs one (log::open_companion_log).
    auto companion = log::open_companion_log(options.serve_log_options(), options.node, "bank-inbound");
    if (!companion.ok()) return fail("opening the log for the bank connectors", companion.error());
    inbound_log_owner = std::move(*companion);
    log::EventLog* inbound_log = inbound_log_owner ? inbound_log_owner.get() : log->get();
    inbound = std::make_unique<connectors::InboundConsumer>(*inbound_log, (*write_side)->gateway(), inbound_options);
    inbound->start();
  }
  connectors::add_inbound_routes(router, {services, **log, **projection_runtime, [&inbound]() -> nlohmann::json {
                                            if (!inbound) return {{"running", false}};
                                            auto stats = inbound->stats().to_json();
                                            stats["running"] = true;
                                            return stats;
                                          }});
  add_outbound_routes(router, services, **outbound);
  (void)api::add_openapi_routes(router,
                                options.flag("docs-ui", XYD_DOCS_UI_DIR));  // warns when the renderer is missing
  // Metrics, probes, logs: /livez, /readyz, /metrics.
  api::add_probe_routes(router, **log, **projection_runtime,
                        {static_cast<uint64_t>(*ready_max_lag), 5, *metrics_allow, *trusted_proxies});
  if (options.has("routes-file")) {  // every route, one "METHOD /pattern" a line (the HTTP fuzz test reads it)
    std::ofstream routes(options.flag("routes-file"));
    for (const auto& route : router.route_list()) routes << route << "\n";
  }
  api::ApiServer server(options.http, std::move(router));
  server.set_observer(std::make_shared<api::TelemetryObserver>());  // request ids, access log, HTTP metrics
  auto started = server.start();
  if (!started.ok()) return fail("starting HTTP", started.error());
  // The address really listened on: with port 0 (--http 127.0.0.1:0) the kernel chose the port.
  if (options.has("port-file")) {
    if (auto written = write_port_file(options.flag("port-file"), server.port()); !written.ok())
      return fail("writing --port-file", written.error());
  }
  std::cout << "xyd " << build_info().version << " serving on " << server.address() << " (log: " << (*log)->backend()
            << " at " << (*log)->where() << "); GET " << server.address() << "/healthz; Ctrl-C stops" << std::endl;

  int signal = 0;
  sigwait(&signals, &signal);
  std::cerr << "xyd: stopping (signal " << signal << ")" << std::endl;
  server.stop();
  if (inbound) inbound->stop();  // bank connectors
  return 0;
}

}  // namespace xyd::ops

#include "ops/server.h"

#include <iostream>

#include "api/account_routes.h"
#include "api/application_routes.h"
#include "api/audit_routes.h"
#include "api/authenticator.h"
#include "api/context_facts.h"
#include "api/demand_routes.h"
#include "api/enterprise_routes.h"
#include "api/institution_routes.h"
#include "api/machine_key_routes.h"
#include "api/openapi_routes.h"
#include "api/probe_routes.h"
#include "api/problem_routes.h"
#include "api/processor_routes.h"
#include "api/product_routes.h"
#include "api/projection_routes.h"
#include "api/read_routes.h"
#include "api/risk_routes.h"
#include "api/session_routes.h"
#include "api/telemetry_observer.h"
#include "connectors/inbound_routes.h"
#include "events/catalog.h"
#include "ops/build_info.h"
#include "ops/data_folder.h"
#include "ops/projection_commands.h"
#include "ops/serve_telemetry.h"
#include "projections/view_names.h"

namespace xyd::ops {

Result<std::unique_ptr<Server>> Server::start(const CliOptions& options, bool listen) {
  std::unique_ptr<Server> server(new Server());
  if (auto opened = server->open(options, listen); !opened.ok()) {
    server->stop();  // what started stops; the destructor closes the rest
    return opened.error();
  }
  return server;
}

Server::~Server() {
  stop();
}

void Server::stop() {
  while (!stops_.empty()) {
    auto stop_one = std::move(stops_.back());
    stops_.pop_back();
    stop_one();
  }
}

std::string Server::address() const {
  return http_ ? http_->address() : std::string();
}
int Server::port() const {
  return http_ ? http_->port() : 0;
}

namespace {

// `error` with what was being done in front of its message ("opening the log: ...").
Error doing(const std::string& what, Error error) {
  error.message = what + ": " + error.message;
  return error;
}

}  // namespace

Status Server::open(const CliOptions& options, bool listen) {
  // The flags that need more than their table's checks, read before anything opens.
  auto trusted_proxies = api::parse_trusted_proxies(options.trusted_proxies);
  if (!trusted_proxies.ok()) return doing("reading --trusted-proxies", trusted_proxies.error());
  auto metrics_allow = api::parse_trusted_proxies(options.flag("metrics-allow"));
  if (!metrics_allow.ok())
    return make_error(Errc::invalid_argument, "--metrics-allow takes IP addresses or CIDR blocks, comma-separated",
                      "metrics-allow", "ip-or-cidr");
  metrics_allow_ = *metrics_allow;
  if (auto done = prepare_data_folder(options.data_dir); !done.ok())
    return doing("preparing the data folder", done.error());

  // The log, and the xyd topics on it.
  std::cerr << "xyd: opening the " << options.log_backend << " log..." << std::endl;
  auto log = log::open_log(options.serve_log_options());
  if (!log.ok()) return doing("opening the log", log.error());
  log_ = std::move(*log);
  if (auto done = log_->create_topics(events::standard_topics(options.partitions)); !done.ok())
    return doing("creating the xyd topics", done.error());

  // The write side: aggregate store, command processor, gateway; passwords outside the log.
  domain::WriteSideOptions write_options;
  write_options.state_dir = options.data_dir + "/state";
  write_options.node = options.node;
  write_options.write_timeout = std::chrono::seconds(options.number("write-timeout"));  // then 503 + Retry-After
  auto write_side = domain::WriteSide::start(*log_, write_options);
  if (!write_side.ok()) return doing("starting the command processor", write_side.error());
  write_side_ = std::move(*write_side);
  auto credentials = identity::CredentialStore::open(options.data_dir + "/credentials");
  if (!credentials.ok()) return doing("opening the credential store", credentials.error());
  credentials_ = std::move(*credentials);

  // The read side: every projection and subscription applied from the log, in one runtime
  // (exactly-once offsets, rebuild beside the live version), among them the state view every
  // access check reads.
  const auto runtime_settings = runtime_options(options);
  auto runtime = projections::runtime::ProjectionRuntime::open(*log_, runtime_settings, process_projections());
  if (!runtime.ok()) return doing("opening the projection store", runtime.error());
  runtime_ = std::move(*runtime);
  if (auto done = runtime_->start(); !done.ok()) return doing("starting the projections", done.error());
  chain_audit_ = std::make_unique<projections::runtime::ChainAuditJob>(*log_);
  projection_metrics_ = add_projection_metrics(*runtime_);  // /metrics: lag, rebuilds, sizes
  store_size_metrics_ = add_store_size_metrics(options.data_dir);
  state_view_ = std::make_unique<projections::runtime::StateView>(*runtime_);
  // Answer only once the state view has caught up with the log: a restarted server must not call
  // an existing account unknown because its view is still reading.
  std::cerr << "xyd: catching the state view up with the log..." << std::endl;
  if (auto caught_up = runtime_->wait_caught_up(projections::view::kState, std::chrono::minutes(5)); !caught_up.ok())
    std::cerr << "xyd: warning: " << caught_up.error().message << " (serving anyway; reads may lag)" << std::endl;

  // Identity and access: sessions, one-time codes (the SMS channel writes <data>/sms.log), the
  // login limiter, and the local operator's token for the xyd tools.
  sms_ = identity::make_log_file_sms_channel(options.data_dir + "/sms.log");
  api::LimiterOptions limits;
  limits.lockout = std::chrono::seconds(options.number("lockout-seconds"));
  if (options.has("address-limit"))  // code sends and registrations per client address and hour; 0: no limit
    limits.code_sends_per_address.max = limits.registrations_per_address.max =
        static_cast<int>(options.number("address-limit"));
  limiter_ = std::make_unique<api::LoginLimiter>(limits);
  auto operator_token = api::write_operator_token(options.data_dir + "/operator-token");
  if (!operator_token.ok()) return doing("writing the operator token", operator_token.error());
  services_.reset(
      new api::ApiServices{write_side_->gateway(), *credentials_, *state_view_, *sms_, *limiter_, {}, *operator_token});
  services_->trusted_proxies = *trusted_proxies;
  services_->sessions.ttl = std::chrono::seconds(options.number("session-seconds"));
  auto rule_sets = api::load_rule_sets(runtime_settings.rules_dir);  // certification, screening
  if (!rule_sets.ok()) return doing("loading the rule sets", rule_sets.error());
  services_->rules = *rule_sets;
  services_->risk_marker = [&runtime = *runtime_](const events::Actor& reader, const std::string& enterprise) {
    return api::risk_marker(runtime, reader, enterprise);
  };

  // The connectors: outbound (xyd.out.<institution>, webhooks), data-source intake, the
  // risk-warning publisher (on Kafka, every warning also goes to the output topic), bank results in.
  auto outbound = start_outbound_connectors(options, *log_, *services_, *runtime_);
  if (!outbound.ok()) return doing("starting the outbound connectors", outbound.error());
  outbound_ = std::move(*outbound);
  if (log_->backend() == "kafka") {
    risk_publisher_ =
        std::make_unique<RiskPublisher>(*log_, *runtime_, options.data_dir + "/risk-publisher.json", options.node);
    if (auto done = risk_publisher_->start(options.partitions); !done.ok())
      return doing("starting the risk-warning publisher", done.error());
  }
  if (options.on("bank-inbound")) {
    if (auto done = start_bank_inbound(options); !done.ok()) return doing("starting the bank connectors", done.error());
  }

  XYD_RETURN_IF_ERROR(add_routes(options));
  if (!router_->duplicate_routes().empty())
    return make_error(Errc::fatal, "a route is added twice: " + router_->duplicate_routes().front());
  if (!listen) return Status();
  http_ = std::make_unique<api::ApiServer>(options.http, *router_);
  http_->set_observer(std::make_shared<api::TelemetryObserver>());  // request ids, access log, HTTP metrics
  if (auto done = http_->start(); !done.ok()) return doing("starting HTTP", done.error());
  stops_.push_back([this] { http_->stop(); });
  return Status();
}

// Bank results in: the Kafka consumer of xyd.in.* (one member of the group xyd-bank-inbound per
// process that sets --bank-inbound); their view (bank_results) is one of the runtime's projections.
Status Server::start_bank_inbound(const CliOptions& options) {
  connectors::InboundConsumerOptions inbound_options;
  inbound_options.partitions = options.partitions;
  inbound_options.institutions = [&state_view = *state_view_] {
    std::vector<std::string> ids;
    (void)state_view.scan("institution", [&](const std::string& id, const domain::AggregateState&) {
      ids.push_back(id);
      return true;
    });
    return ids;
  };
  // A log handle of its own where the backend needs one (log::open_companion_log).
  XYD_ASSIGN_OR_RETURN(inbound_log_,
                       log::open_companion_log(options.serve_log_options(), options.node, "bank-inbound"));
  log::EventLog& inbound_log = inbound_log_ ? *inbound_log_ : *log_;
  inbound_ = std::make_unique<connectors::InboundConsumer>(inbound_log, write_side_->gateway(), inbound_options);
  inbound_->start();
  stops_.push_back([this] { inbound_->stop(); });
  return Status();
}

Status Server::add_routes(const CliOptions& options) {
  router_ = std::make_unique<api::Router>();
  api::Router& router = *router_;
  authenticator_ = api::make_authenticator(*services_);
  router.set_authenticator(authenticator_);
  api::ApiServices& services = *services_;
  api::add_health_routes(router, *log_,
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
  api::add_processor_routes(router, write_side_->processor(), options.node);
  api::add_audit_routes(router, *runtime_, *chain_audit_);
  api::add_projection_routes(router, *runtime_);
  if (auto done = api::add_read_model_routes(router, *runtime_, runtime_options(options).rules_dir); !done.ok())
    return doing("loading the ranking rule set", done.error());
  api::RiskFeedSettings risk_feed;
  risk_feed.heartbeat = std::chrono::seconds(options.number("sse-heartbeat-seconds"));
  risk_feed.max_streams_per_principal = static_cast<size_t>(options.number("sse-streams-per-caller"));
  risk_feed.max_streams = static_cast<size_t>(options.number("sse-streams"));
  api::add_risk_routes(router, *runtime_, authenticator_, risk_feed);
  connectors::add_inbound_routes(router, {services, *log_, *runtime_, [this]() -> nlohmann::json {
                                            if (!inbound_) return {{"running", false}};
                                            auto stats = inbound_->stats().to_json();
                                            stats["running"] = true;
                                            return stats;
                                          }});
  add_outbound_routes(router, services, *outbound_);
  (void)api::add_openapi_routes(router,
                                options.flag("docs-ui", XYD_DOCS_UI_DIR));  // warns when the renderer is missing
  // Metrics, probes, logs: /livez, /readyz, /metrics.
  api::add_probe_routes(
      router, *log_, *runtime_,
      {static_cast<uint64_t>(options.number("ready-max-lag")), 5, metrics_allow_, services.trusted_proxies});
  return Status();
}

}  // namespace xyd::ops

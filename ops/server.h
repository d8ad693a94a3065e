// Server: what `xyd serve` runs, composed in one place. Its components are members declared in the
// order each depends on the ones before it: the log; the write side and the credential store; the
// projection runtime and the state view; identity and access; the connectors; the router; HTTP.
// start() builds and starts them in that order and, on a failure part-way, stops what it started.
// stop() stops the components that take work from outside (HTTP, then the bank consumer), then
// every other component is stopped by its destructor in the reverse order of declaration. Made,
// started and stopped on one thread (serve's main thread, or a test's); the components run their
// own threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "aggregates/processor/write_side.h"
#include "api/api_server.h"
#include "api/login_limiter.h"
#include "api/router.h"
#include "api/services.h"
#include "connectors/inbound_consumer.h"
#include "events/event_log.h"
#include "events/result.h"
#include "identity/credential_store.h"
#include "identity/sms_channel.h"
#include "ops/cli_options.h"
#include "ops/outbound_connectors.h"
#include "ops/risk_publisher.h"
#include "projections/runtime/chain_audit.h"
#include "projections/runtime/runtime.h"
#include "projections/runtime/state_view.h"

namespace xyd::ops {

class Server {
 public:
  // `options` are serve's (parse_cli with its table of flags). Without `listen`, no HTTP server is
  // started: the router is reached in process (tests).
  static Result<std::unique_ptr<Server>> start(const CliOptions& options, bool listen = true);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Stops taking work (HTTP, the bank consumer) and then every component; idempotent.
  void stop();

  const api::Router& router() const { return *router_; }
  log::EventLog& log() { return *log_; }
  // The address and port HTTP listens on (after start with `listen`).
  std::string address() const;
  int port() const;

 private:
  Server() = default;
  Status open(const CliOptions& options, bool listen);
  Status add_routes(const CliOptions& options);
  Status start_bank_inbound(const CliOptions& options);

  std::vector<std::function<void()>> stops_;  // run in reverse by stop()
  std::vector<std::string> metrics_allow_;    // --metrics-allow, parsed

  // The components, in dependency order (destroyed in reverse).
  std::unique_ptr<log::EventLog> log_;
  std::unique_ptr<domain::WriteSide> write_side_;
  std::unique_ptr<identity::CredentialStore> credentials_;
  std::unique_ptr<projections::runtime::ProjectionRuntime> runtime_;
  std::unique_ptr<projections::runtime::ChainAuditJob> chain_audit_;
  std::shared_ptr<void> projection_metrics_;
  std::shared_ptr<void> store_size_metrics_;
  std::unique_ptr<projections::runtime::StateView> state_view_;
  std::unique_ptr<identity::SmsChannel> sms_;
  std::unique_ptr<api::LoginLimiter> limiter_;
  std::unique_ptr<api::ApiServices> services_;
  std::unique_ptr<OutboundConnectors> outbound_;
  std::unique_ptr<RiskPublisher> risk_publisher_;  // on Kafka
  std::unique_ptr<log::EventLog> inbound_log_;     // the bank consumer's, where the backend needs one
  std::unique_ptr<connectors::InboundConsumer> inbound_;
  api::Authenticator authenticator_;
  std::unique_ptr<api::Router> router_;
  std::unique_ptr<api::ApiServer> http_;
};

}  // namespace xyd::ops

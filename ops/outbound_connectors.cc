#include "ops/outbound_connectors.h"

#include "connectors/data_source_routes.h"
#include "connectors/webhook_subscription_routes.h"

namespace xyd::ops {

OutboundConnectors::~OutboundConnectors() {
  if (runtime) {
    runtime->remove_subscription(connectors::DataSourceIntake::kName);
    runtime->remove_subscription(connectors::OutboundFollower::kName);
  }
  if (webhooks) webhooks->stop();
}

Result<std::unique_ptr<OutboundConnectors>> start_outbound_connectors(
    const CliOptions& options, log::EventLog& log, api::ApiServices& services,
    projections::runtime::ProjectionRuntime& runtime) {
  auto connectors = std::make_unique<OutboundConnectors>();
  connectors->runtime = &runtime;
  XYD_ASSIGN_OR_RETURN(connectors->store, connectors::OutboundStore::open(options.data_dir + "/outbound"));
  XYD_RETURN_IF_ERROR(log.create_topics({{connectors::kDataSourceTopic, options.partitions}}));

  connectors::WebhookOptions webhook;
  webhook.retry.base_delay_ms = options.number("webhook-base-delay-ms");
  webhook.retry.max_delay_ms = options.number("webhook-max-delay-ms");
  webhook.retry.max_attempts = static_cast<int>(options.number("webhook-max-attempts"));
  webhook.timeout = std::chrono::milliseconds(options.number("webhook-timeout-ms"));
  webhook.allow_loopback = connectors->webhooks_allow_loopback = options.webhooks_allow_loopback;
  webhook.secrets = [&credentials = services.credentials](const std::string& institution) {
    return credentials.webhook_secrets(institution);
  };
  connectors->webhooks = std::make_unique<connectors::WebhookDelivery>(log, *connectors->store, std::move(webhook));
  connectors->webhooks->start();

  connectors::OutboundOptions outbound;
  outbound.produce_topics = options.flag("outbound-topics") != "off";
  outbound.partitions = options.partitions;
  connectors->follower = std::make_unique<connectors::OutboundFollower>(log, *connectors->store, outbound);
  XYD_RETURN_IF_ERROR(runtime.add_subscription(connectors->follower->subscription()));

  connectors->intake =
      std::make_unique<connectors::DataSourceIntake>(log, *connectors->store, services.gateway, services.state);
  XYD_RETURN_IF_ERROR(runtime.add_subscription(connectors->intake->subscription()));
  return connectors;
}

void add_outbound_routes(api::Router& router, api::ApiServices& services, OutboundConnectors& connectors) {
  connectors::add_webhook_subscription_routes(
      router, services, *connectors.store, [webhooks = connectors.webhooks.get()] { webhooks->poke(); },
      connectors.webhooks_allow_loopback);
  connectors::add_data_source_routes(router, services, *connectors.intake, *connectors.store);
}

}  // namespace xyd::ops

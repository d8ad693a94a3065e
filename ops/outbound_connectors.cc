#include "ops/outbound_connectors.h"

#include "connectors/data_source_routes.h"
#include "connectors/webhook_subscription_routes.h"

namespace xyd::ops {
namespace {

int64_t number_flag(const CliOptions& options, const std::string& name, int64_t fallback) {
  try {
    return std::max<int64_t>(0, std::stoll(options.flag(name, std::to_string(fallback))));
  } catch (...) {
    return fallback;
  }
}

}  // namespace

OutboundConnectors::~OutboundConnectors() {
  if (intake) intake->stop();
  if (follower) follower->stop();
  if (webhooks) webhooks->stop();
}

Result<std::unique_ptr<OutboundConnectors>> start_outbound_connectors(const CliOptions& options, log::EventLog& log,
                                                                      api::ApiServices& services) {
  auto connectors = std::make_unique<OutboundConnectors>();
  XYD_ASSIGN_OR_RETURN(connectors->store, connectors::OutboundStore::open(options.data_dir + "/outbound"));
  XYD_RETURN_IF_ERROR(log.create_topics({{connectors::kDataSourceTopic, options.partitions}}));

  connectors::WebhookOptions webhook;
  webhook.retry.base_delay_ms = number_flag(options, "webhook-base-delay-ms", 1000);
  webhook.retry.max_delay_ms = number_flag(options, "webhook-max-delay-ms", 300000);
  webhook.retry.max_attempts = static_cast<int>(std::max<int64_t>(1, number_flag(options, "webhook-max-attempts", 8)));
  webhook.timeout = std::chrono::milliseconds(std::max<int64_t>(100, number_flag(options, "webhook-timeout-ms", 5000)));
  webhook.allow_loopback = connectors->webhooks_allow_loopback = options.webhooks_allow_loopback;
  webhook.secrets = [&credentials = services.credentials](const std::string& institution) {
    return credentials.webhook_secrets(institution);
  };
  connectors->webhooks = std::make_unique<connectors::WebhookDelivery>(log, *connectors->store, std::move(webhook));
  connectors->webhooks->start();

  connectors::OutboundOptions outbound;
  outbound.produce_topics = options.flag("outbound-topics", "on") != "off";
  outbound.partitions = options.partitions;
  connectors->follower = std::make_unique<connectors::OutboundFollower>(log, *connectors->store, outbound);
  XYD_RETURN_IF_ERROR(connectors->follower->start());

  connectors->intake =
      std::make_unique<connectors::DataSourceIntake>(log, *connectors->store, services.gateway, services.state);
  XYD_RETURN_IF_ERROR(connectors->intake->start_topic());
  return connectors;
}

void add_outbound_routes(api::Router& router, api::ApiServices& services, OutboundConnectors& connectors) {
  connectors::add_webhook_subscription_routes(router, services, *connectors.store,
                                              [webhooks = connectors.webhooks.get()] { webhooks->poke(); },
                                              connectors.webhooks_allow_loopback);
  connectors::add_data_source_routes(router, services, *connectors.intake, *connectors.store);
}

}  // namespace xyd::ops

// OutboundConnectors: what `xyd serve` runs of the outbound side and data-source intake:
// the connectors' store (<data>/outbound), the outbound follower (xyd.out.<institution>, webhook
// queue), the webhook delivery worker, the data-source intake (HTTP and xyd.data-sources), and
// their routes. The follower and the intake's topic channel are subscriptions of the process's
// projection runtime, which runs them. Built and stopped by serve's main thread.
// Flags: --outbound-topics on|off (on), --webhook-base-delay-ms (1000), --webhook-max-delay-ms
// (300000), --webhook-max-attempts (8), --webhook-timeout-ms (5000), --webhooks-allow-loopback
// (CliOptions; off: webhooks reach public addresses only).
#pragma once

#include <memory>

#include "api/router.h"
#include "api/services.h"
#include "connectors/data_source_intake.h"
#include "connectors/outbound_follower.h"
#include "connectors/outbound_store.h"
#include "connectors/webhook_delivery.h"
#include "ops/cli_options.h"
#include "projections/runtime/runtime.h"

namespace xyd::ops {

struct OutboundConnectors {
  std::unique_ptr<connectors::OutboundStore> store;
  std::unique_ptr<connectors::OutboundFollower> follower;
  std::unique_ptr<connectors::WebhookDelivery> webhooks;
  std::unique_ptr<connectors::DataSourceIntake> intake;
  bool webhooks_allow_loopback = false;
  projections::runtime::ProjectionRuntime* runtime = nullptr;  // runs the two subscriptions; outlives this
  ~OutboundConnectors();
};

Result<std::unique_ptr<OutboundConnectors>> start_outbound_connectors(const CliOptions& options, log::EventLog& log,
                                                                      api::ApiServices& services,
                                                                      projections::runtime::ProjectionRuntime& runtime);
void add_outbound_routes(api::Router& router, api::ApiServices& services, OutboundConnectors& connectors);

}  // namespace xyd::ops

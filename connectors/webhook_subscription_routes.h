// The outbound webhook routes (in connectors/, above the API library, as the inbound routes are): an institution admin
// subscribes its institution's URL (PUT/GET/DELETE /api/v1/institutions/{id}/webhook), and reads the delivery flow log
// (GET /api/v1/connectors/{institution}/deliveries?from&to&limit&cursor) and the deliveries
// that were dead-lettered (.../deliveries/dead-letters). Built at start-up; handlers run on any
// request thread.
#pragma once

#include <functional>
#include <string>

#include "api/router.h"
#include "api/services.h"
#include "connectors/outbound_store.h"

namespace xyd::connectors {

// One page of a flow log of the store (?from &to as RFC 3339 or dates, &limit 1..1000, &cursor).
Result<api::Response> flow_log_page(const OutboundStore& store, const api::Request& request, const std::string& scope);
// One page of a dead-letter scope (?limit &cursor).
Result<api::Response> dead_letter_page(const OutboundStore& store, const api::Request& request,
                                       const std::string& scope);

// `changed` is called after a subscription changes (wakes the delivery worker). A URL is refused
// (400 naming `url`) unless its host resolves, and only to public addresses (rule
// `public-address`; loopback too when `allow_loopback`, as --webhooks-allow-loopback sets it).
void add_webhook_subscription_routes(api::Router& router, api::ApiServices& services, OutboundStore& store,
                                     std::function<void()> changed, bool allow_loopback);

}  // namespace xyd::connectors

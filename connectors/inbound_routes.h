// The bank connectors' HTTP routes: results in as signed webhooks (Standard Webhooks; the same
// checks and dead-letter rules as the Kafka topics), and the read side of what banks reported:
// a result by serial, the per-bank error view (dead letters) and the daily reconciliation.
//   POST /api/v1/connectors/{institution}/results          (signature, no API key)
//   GET  /api/v1/connectors/{institution}/results/{serial}
//   GET  /api/v1/connectors/{institution}/errors?after=&limit=
//   GET  /api/v1/connectors/{institution}/reconciliation?date=YYYY-MM-DD
//   GET  /api/v1/ops/connectors/inbound                     (the Kafka consumer's counters)
// Reads need "connector.read" on the institution (its admin and bank connector, platform roles,
// auditors). Built at start-up; handlers run on any request thread.
#pragma once

#include <functional>

#include "api/router.h"
#include "api/services.h"
#include "events/event_log.h"
#include "projections/runtime/view_source.h"

namespace xyd::connectors {

// What the routes use, all owned by `xyd serve` and outliving the router.
struct InboundRouteDeps {
  api::ApiServices& services;
  log::EventLog& log;                              // where dead letters are kept (xyd.dlq)
  const projections::runtime::ViewSource& views;   // the process's projections, among them bank_results
  std::function<nlohmann::json()> consumer_stats;  // null: no Kafka consumer runs here
};

void add_inbound_routes(api::Router& router, InboundRouteDeps deps);

}  // namespace xyd::connectors

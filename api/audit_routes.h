// The audit routes (shared/DOMAIN.md, "Audit and flow logs"), answered from the audit view and
// by verifying the hash chains of the log. Registered once at start-up; handlers run on the
// HTTP threads and never wait on the log.
//   GET  /api/v1/audit/{type}/{id}  one aggregate's history, event by event (?from &to &actor &limit &cursor)
//   GET  /api/v1/audit              events by actor (?actor=) and/or time range (?from &to), paginated
//   POST /api/v1/ops/audit/verify   starts verifying the chains ({"aggregate": "TYPE/ID"} to verify one)
//   GET  /api/v1/ops/audit/verify   the verification's progress and its report
#pragma once

#include "api/router.h"
#include "projections/runtime/chain_audit.h"
#include "projections/runtime/view_source.h"

namespace xyd::api {

void add_audit_routes(Router& router, const projections::runtime::ViewSource& runtime,
                      projections::runtime::ChainAuditJob& verification);

}  // namespace xyd::api

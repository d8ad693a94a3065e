// The read API over the dashboard and statistics views, each region-scoped to the
// caller and exportable as CSV / XLSX (api/table_export.h). Registered once at start-up; handlers
// run on any request thread and read one snapshot of a view each.
//   GET /api/v1/dashboard?scope=&period=&as_of=[&table=&format=]     the dashboard (数据中心)
//   GET /api/v1/statistics/institutions?type=&region=&year=&month=    per-institution statistics
//   GET /api/v1/rankings/regions?by=&top=&scope=&period=              regions of a scope ranked
//   GET /api/v1/rankings/institutions?by=&top=&scope=&period=&type=   institutions ranked
// Scope (DOMAIN.md "Who uses it"): a city user reads its city (default) and nothing else, a
// province user its province (default) and its cities, national / system admin / auditor / the
// platform everything (default the country); another scope is a 403 naming rule scope-region.
// Institution users (admin, manager, bank connector) read statistics of their own institution
// only; the dashboard and rankings, being about regions, are refused to them (403).
#pragma once

#include <functional>
#include <string>

#include "api/router.h"
#include "projections/runtime/view_source.h"
#include "projections/statistics/ranking.h"

namespace xyd::api {

// All four, the rankings weighted by <rules_dir>/ranking.json (an unreadable rule set is an error).
// JSON answers are cached while the projection store applies nothing new (read_cache.h).
[[nodiscard]] Status add_read_model_routes(Router& router, const projections::runtime::ViewSource& runtime,
                                           const std::string& rules_dir);

// Region rankings and institution rankings (ranking_routes.cc); `cached` wraps each handler.
void add_ranking_routes(Router& router, const projections::runtime::ViewSource& runtime,
                        projections::ranking::Weights regions, projections::ranking::Weights institutions,
                        const std::function<Handler(Handler)>& cached);

// The ranking weights of <rules_dir>/ranking.json as the ranking routes use them.
Result<projections::ranking::Weights> load_ranking_weights(const std::string& rules_dir, const std::string& ranking);

// The region scope a read covers: ?<field> (default: the caller's own region, "CN" for roles that
// see everything), checked against the caller's region (403, rule scope-region) and the shape
// "CN" / NN0000 / NNNN00 (400, rule read-scope).
Result<std::string> read_scope(const Request& request, const std::string& action, const std::string& field = "scope");

// A handler behind a check that the caller's role has `action` at all (any scope: the handler then
// checks the region or institution it reads); 403 role-may-not otherwise.
Handler region_read(std::string action, Handler handler);

}  // namespace xyd::api

// The ranking routes (read_routes.h): regions of a scope from the dashboard view, institutions
// from the statistics view, ranked by projections/statistics/ranking.h, exportable.
#include <memory>

#include "aggregates/reference.h"
#include "api/access_check.h"
#include "api/read_routes.h"
#include "api/resource_routes.h"
#include "api/table_export.h"
#include "projections/dashboard/dashboard_keys.h"
#include "projections/dashboard/dashboard_query.h"
#include "projections/statistics/statistics_query.h"
#include "projections/view_names.h"

namespace xyd::api {
namespace {

using nlohmann::json;
using projections::ranking::Candidate;
using projections::ranking::Weights;
using projections::runtime::ViewSource;
namespace dash = projections::dashboard;

const std::vector<std::string> kRegionFigures = {
    "loan_amount",    "loan_count",    "demand_amount",          "demand_count",
    "credit_amount",  "credit_count",  "accepted_amount",        "accepted_count",
    "docking_amount", "docking_count", "registered_enterprises", "certified_enterprises",
    "institutions",   "products"};
const std::vector<std::string> kInstitutionFigures = {
    "products",      "products_active", "accepted_count", "accepted_amount",   "credit_count",
    "credit_amount", "loan_count",      "loan_amount",    "in_progress_count", "in_progress_amount"};

Result<size_t> top_of(const Request& request) {
  return query_count(request, "top", 10, 1000);
}

Result<std::string> period_param(const Request& request) {
  if (request.query.contains("period")) return projections::statistics::check_period(request.query_or("period", ""));
  return projections::statistics::period_of(request.query_or("year", ""), request.query_or("month", ""));
}

Result<dash::Counter> counter(const projections::ViewReader& view, const std::string& scope, const std::string& period,
                              std::string_view figure) {
  XYD_ASSIGN_OR_RETURN(auto row, view.get(dash::counter_key(scope, period, figure, "")));
  return row ? dash::parse_counter(*row) : dash::Counter{};
}

// The figures of one region from the dashboard view's totals of that region.
// Stock figures (docking, enterprises, institutions) at the end of the period or at as_of inside it.
Result<Candidate> region_candidate(const projections::ViewReader& view, const domain::Region& region,
                                   const std::string& period, const std::string& as_of) {
  Candidate c{region.code, region.name, {}, json::object()};
  for (const auto& [figure, name] : {std::pair{dash::figure::loan, "loan"},
                                     {dash::figure::demand, "demand"},
                                     {dash::figure::credit, "credit"},
                                     {dash::figure::accepted, "accepted"}}) {
    XYD_ASSIGN_OR_RETURN(auto value, counter(view, region.code, period, figure));
    c.figures[std::string(name) + "_amount"] = value.amount;
    c.figures[std::string(name) + "_count"] = value.count;
  }
  const std::string stocks_on = dash::stock_date(period, as_of);
  XYD_ASSIGN_OR_RETURN(auto docking, dash::stock_total(view, region.code, dash::figure::docking, stocks_on));
  c.figures["docking_amount"] = docking.amount;
  c.figures["docking_count"] = docking.count;
  for (const auto& [figure, name] : {std::pair{dash::figure::enterprises, "registered_enterprises"},
                                     {dash::figure::certified, "certified_enterprises"},
                                     {dash::figure::institutions_active, "institutions"}}) {
    XYD_ASSIGN_OR_RETURN(auto value, dash::stock_total(view, region.code, figure, stocks_on));
    c.figures[name] = value.count;
  }
  XYD_ASSIGN_OR_RETURN(auto products, counter(view, region.code, period, dash::figure::products));
  c.figures["products"] = products.count;
  return c;
}

// Answers the ranking as JSON or as an export of its items.
Result<Response> answer(const Request& request, json ranking, const std::string& name,
                        const std::vector<std::string>& figures) {
  XYD_ASSIGN_OR_RETURN(const ExportFormat format, export_format(request));
  if (format == ExportFormat::json) {
    Response response;
    response.body = std::move(ranking);
    return response;
  }
  std::vector<ExportColumn> columns = {{"rank", "排名"}, {"code", "代码"}, {"name", "名称"}, {"value", "排序值"}};
  for (const auto& f : figures) columns.push_back({f, f});
  auto items = std::make_shared<json>(std::move(ranking["items"]));
  Table table{name, columns, [items, figures](const RowSink& emit) {
                for (const auto& item : *items) {
                  std::vector<json> cells = {item["rank"], item["code"], item["name"], item["value"]};
                  for (const auto& f : figures) cells.push_back(item["figures"].value(f, json()));
                  if (!emit(cells)) break;
                }
                return Status();
              }};
  return export_table(std::move(table), format);
}

Result<Response> regions_route(const ViewSource& runtime, const Weights& weights, const Request& request) {
  XYD_ASSIGN_OR_RETURN(const std::string scope, read_scope(request, "ranking.read"));
  XYD_ASSIGN_OR_RETURN(const std::string period, period_param(request));
  XYD_ASSIGN_OR_RETURN(const size_t top, top_of(request));
  if (domain::level_of(scope) == domain::RegionLevel::city)
    return make_error(Errc::invalid_argument,
                      "regions are ranked within the country (provinces) or a province (cities); " + scope +
                          " is a city: see its dashboard's distribution by county",
                      "scope", "ranking-scope-level");
  const std::vector<domain::Region> children = scope == "CN" ? domain::provinces() : domain::cities_of(scope);
  const std::string as_of = request.query_or("as_of", dash::cst_today());
  if (!dash::is_date(as_of))
    return make_error(Errc::invalid_argument, "as_of " + as_of + " is not a YYYY-MM-DD date", "as_of", "date");
  XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader(projections::view::kDashboard));
  std::vector<Candidate> candidates;
  for (const auto& region : children) {
    XYD_ASSIGN_OR_RETURN(auto candidate, region_candidate(*reader, region, period, as_of));
    candidates.push_back(std::move(candidate));
  }
  XYD_ASSIGN_OR_RETURN(json ranking,
                       projections::ranking::rank(std::move(candidates), request.query_or("by", "loan_amount"), top,
                                                  weights, kRegionFigures));
  ranking["scope"] = scope;
  ranking["level"] = scope == "CN" ? "province" : "city";
  ranking["period"] = period;
  ranking["as_of"] = as_of;
  ranking["stock_date"] = dash::stock_date(period, as_of);
  return answer(request, std::move(ranking), "region-ranking-" + scope + "-" + period, kRegionFigures);
}

Result<Response> institutions_route(const ViewSource& runtime, const Weights& weights, const Request& request) {
  projections::statistics::StatisticsQuery query;
  XYD_ASSIGN_OR_RETURN(query.region, read_scope(request, "ranking.read"));
  XYD_ASSIGN_OR_RETURN(query.period, period_param(request));
  XYD_ASSIGN_OR_RETURN(const size_t top, top_of(request));
  query.type = request.query_or("type", "");
  query.as_of = request.query_or("as_of", "");
  if (!query.type.empty() && !domain::is_institution_type(query.type))
    return make_error(Errc::invalid_argument, "type " + query.type + " is not an institution type", "type",
                      "institution-type");
  XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader(projections::view::kStatistics));
  XYD_ASSIGN_OR_RETURN(auto statistics, projections::statistics::institution_statistics(*reader, query));
  std::vector<Candidate> candidates;
  for (const auto& s : statistics.rows) {
    if (s.removed) continue;
    candidates.push_back({s.id,
                          s.name,
                          {{"products", s.products.count},
                           {"products_active", s.products_active.count},
                           {"accepted_count", s.accepted.count},
                           {"accepted_amount", s.accepted.amount},
                           {"credit_count", s.credit.count},
                           {"credit_amount", s.credit.amount},
                           {"loan_count", s.loans.count},
                           {"loan_amount", s.loans.amount},
                           {"in_progress_count", s.docking.count},
                           {"in_progress_amount", s.docking.amount}},
                          {{"type", s.type}, {"region", s.region}}});
  }
  XYD_ASSIGN_OR_RETURN(json ranking,
                       projections::ranking::rank(std::move(candidates), request.query_or("by", "loan_amount"), top,
                                                  weights, kInstitutionFigures));
  ranking["scope"] = query.region;
  ranking["period"] = query.period;
  ranking["as_of"] = statistics.as_of;
  ranking["stock_date"] = statistics.stock_date;
  ranking["type"] = query.type.empty() ? json() : json(query.type);
  return answer(request, std::move(ranking), "institution-ranking-" + query.region + "-" + query.period,
                kInstitutionFigures);
}

}  // namespace

void add_ranking_routes(Router& router, const ViewSource& runtime, Weights regions, Weights institutions,
                        const std::function<Handler(Handler)>& cached) {
  router.add("GET", "/api/v1/rankings/regions",
             region_read("ranking.read", cached([&runtime, weights = std::move(regions)](const Request& request) {
                           return regions_route(runtime, weights, request);
                         })));
  router.add("GET", "/api/v1/rankings/institutions",
             region_read("ranking.read", cached([&runtime, weights = std::move(institutions)](const Request& request) {
                           return institutions_route(runtime, weights, request);
                         })));
}

}  // namespace xyd::api

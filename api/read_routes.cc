// The dashboard and institution statistics routes (read_routes.h), with their exports.
#include "api/read_routes.h"

#include <memory>

#include "api/access_check.h"
#include "api/read_cache.h"
#include "api/table_export.h"
#include "events/json_input.h"
#include "projections/dashboard/dashboard_query.h"
#include "projections/statistics/statistics_query.h"
#include "projections/view_names.h"

namespace xyd::api {
namespace {

using nlohmann::json;
using projections::runtime::ViewSource;

std::vector<json> money_cells(const json& money) {
  return {events::member_or_null(money, "count"), events::member_or_null(money, "amount_fen"),
          events::member_or_null(money, "amount_wan")};
}

// A fixed list of rows as a table (the dashboard's sections are small: built in full).
Table list_table(std::string name, std::vector<ExportColumn> columns, std::vector<std::vector<json>> rows) {
  auto shared = std::make_shared<std::vector<std::vector<json>>>(std::move(rows));
  return {std::move(name), std::move(columns), [shared](const RowSink& emit) {
            for (const auto& row : *shared)
              if (!emit(row)) break;
            return Status();
          }};
}

// The dashboard's sections as tables: figures, trend, by_region, by_industry,
// by_institution_type, latest_dynamics (?table=, default figures).
Result<Table> dashboard_table(const json& d, const std::string& which) {
  const std::vector<ExportColumn> money = {{"count", "笔数"}, {"amount_fen", "金额(分)"}, {"amount_wan", "金额(万元)"}};
  auto with_money = [&](std::vector<ExportColumn> head, const std::vector<std::string>& figures) {
    for (const auto& f : figures)
      for (const auto& m : money) head.push_back({f + "_" + m.key, f + " " + m.title});
    return head;
  };
  const std::string suffix =
      "-" + d["scope"]["code"].get<std::string>() + "-" + d["period"]["value"].get<std::string>();
  std::vector<std::vector<json>> rows;
  if (which == "figures") {
    for (const auto& [name, value] : d["figures"].items()) {
      if (value.is_number())
        rows.push_back({name, value, nullptr, nullptr, nullptr});
      else if (value.contains("rate"))
        rows.push_back({name, value["numerator"], nullptr, nullptr, value["rate"]});
      else if (value.contains("amount_fen")) {
        auto cells = money_cells(value);
        rows.push_back({name, cells[0], cells[1], cells[2], nullptr});
        for (const auto& [rate_name, rate] : value.items())
          if (rate.is_object() && rate.contains("rate"))
            rows.push_back({name + "." + rate_name, rate["numerator"], nullptr, nullptr, rate["rate"]});
      }
    }
    return list_table("dashboard-figures" + suffix,
                      {{"figure", "指标"},
                       {"value", "数量"},
                       {"amount_fen", "金额(分)"},
                       {"amount_wan", "金额(万元)"},
                       {"rate", "比率"}},
                      std::move(rows));
  }
  if (which == "trend") {
    for (const char* level : {"years", "months"})
      for (const auto& item : d["trend"][level]) {
        std::vector<json> row = {item["period"]};
        for (const char* f : {"demand", "loans"})
          for (auto& c : money_cells(item[f])) row.push_back(c);
        rows.push_back(std::move(row));
      }
    return list_table("dashboard-trend" + suffix, with_money({{"period", "期间"}}, {"demand", "loans"}),
                      std::move(rows));
  }
  if (which == "by_region" || which == "by_industry" || which == "by_institution_type") {
    const json& section = which == "by_region" ? d["distribution"]["by_region"]["items"] : d["distribution"][which];
    const std::vector<std::string> figures = which == "by_institution_type"
                                                 ? std::vector<std::string>{"demand", "accepted", "credit", "loans"}
                                                 : std::vector<std::string>{"demand", "credit", "loans"};
    for (const auto& [code, item] : section.items()) {
      std::vector<json> row = {code, events::string_or(item, "name")};
      for (const auto& f : figures)
        for (auto& c : money_cells(item[f])) row.push_back(c);
      rows.push_back(std::move(row));
    }
    return list_table("dashboard-" + which + suffix, with_money({{"code", "代码"}, {"name", "名称"}}, figures),
                      std::move(rows));
  }
  if (which == "latest_dynamics") {
    for (const auto& item : d["latest_dynamics"]["items"])
      rows.push_back({item["date"], item["enterprise"], item["amount_fen"], item["amount_wan"], item["application"],
                      item["loan_number"]});
    return list_table("dashboard-latest-dynamics" + suffix,
                      {{"date", "放款日期"},
                       {"enterprise", "企业"},
                       {"amount_fen", "金额(分)"},
                       {"amount_wan", "金额(万元)"},
                       {"application", "订单"},
                       {"loan_number", "借据编号"}},
                      std::move(rows));
  }
  return make_error(Errc::invalid_argument,
                    "table must be figures, trend, by_region, by_industry, by_institution_type or latest_dynamics",
                    "table", "dashboard-table");
}

Result<Response> dashboard_route(const ViewSource& runtime, const Request& request) {
  XYD_ASSIGN_OR_RETURN(const ExportFormat format, export_format(request));
  projections::dashboard::DashboardQuery query;
  XYD_ASSIGN_OR_RETURN(query.scope, read_scope(request, "dashboard.read"));
  query.period = request.query_or("period", "");
  query.as_of = request.query_or("as_of", "");
  XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader(projections::view::kDashboard));
  XYD_ASSIGN_OR_RETURN(json body, projections::dashboard::dashboard(*reader, query));
  Response response;
  if (format == ExportFormat::json) {
    response.body = std::move(body);
    return response;
  }
  XYD_ASSIGN_OR_RETURN(Table table, dashboard_table(body, request.query_or("table", "figures")));
  return export_table(std::move(table), format);
}

const std::vector<ExportColumn>& statistics_columns() {
  static const std::vector<ExportColumn> columns = {{"institution", "机构编号"},
                                                    {"name", "机构名称"},
                                                    {"type", "机构类型"},
                                                    {"region", "所在地区"},
                                                    {"products", "发布产品数"},
                                                    {"products_active", "在架产品数"},
                                                    {"accepted_count", "受理笔数"},
                                                    {"accepted_amount_fen", "受理金额(分)"},
                                                    {"credit_count", "授信笔数"},
                                                    {"credit_amount_fen", "授信金额(分)"},
                                                    {"loan_count", "放款笔数"},
                                                    {"loan_amount_fen", "放款金额(分)"},
                                                    {"in_progress_count", "正在对接笔数"},
                                                    {"in_progress_amount_fen", "正在对接金额(分)"}};
  return columns;
}

std::vector<json> statistics_cells(const projections::statistics::InstitutionStatistics& s) {
  return {s.id,
          s.name,
          s.type,
          s.region,
          s.products.count,
          s.products_active.count,
          s.accepted.count,
          s.accepted.amount,
          s.credit.count,
          s.credit.amount,
          s.loans.count,
          s.loans.amount,
          s.docking.count,
          s.docking.amount};
}

Result<Response> statistics_route(const ViewSource& runtime, const Request& request) {
  XYD_ASSIGN_OR_RETURN(const ExportFormat format, export_format(request));
  const events::Actor& actor = principal_of(request).actor;
  projections::statistics::StatisticsQuery query;
  XYD_ASSIGN_OR_RETURN(query.period,
                       projections::statistics::period_of(request.query_or("year", ""), request.query_or("month", "")));
  query.type = request.query_or("type", "");
  query.as_of = request.query_or("as_of", "");
  if (domain::scope_of(actor.role, "statistics.read") == domain::Scope::institution) {
    XYD_RETURN_IF_ERROR(allow(request, "statistics.read", {.institution = actor.institution}));
    query.institution = actor.institution;  // its own institution only
    query.region = request.query_or("region", "");
  } else {
    XYD_ASSIGN_OR_RETURN(query.region, read_scope(request, "statistics.read", "region"));
  }
  XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader(projections::view::kStatistics));
  XYD_ASSIGN_OR_RETURN(auto statistics, projections::statistics::institution_statistics(*reader, query));
  auto shared =
      std::make_shared<std::vector<projections::statistics::InstitutionStatistics>>(std::move(statistics.rows));
  Table table{"institution-statistics-" + query.period, statistics_columns(), [shared](const RowSink& emit) {
                for (const auto& s : *shared)
                  if (!emit(statistics_cells(s))) break;
                return Status();
              }};
  if (format != ExportFormat::json) return export_table(std::move(table), format);
  Response response;
  XYD_ASSIGN_OR_RETURN(json items, table_rows_json(table));
  response.body = {{"period", query.period},
                   {"as_of", statistics.as_of},
                   {"stock_date", statistics.stock_date},
                   {"region", query.region.empty() ? "CN" : query.region},
                   {"type", query.type.empty() ? json() : json(query.type)},
                   {"items", std::move(items)}};
  return response;
}

}  // namespace

Status add_read_model_routes(Router& router, const ViewSource& runtime, const std::string& rules_dir) {
  XYD_ASSIGN_OR_RETURN(auto regions, load_ranking_weights(rules_dir, "regions"));
  XYD_ASSIGN_OR_RETURN(auto institutions, load_ranking_weights(rules_dir, "institutions"));
  auto cache = std::make_shared<ReadCache>([&runtime] { return runtime.position(); });
  // Exports (by ?format= or Accept) bypass the cache: it keeps JSON answers only. Every answer
  // (the 406 too) depends on Accept.
  auto cached = [cache](Handler handler) -> Handler {
    return [cache, handler = std::move(handler)](const Request& request) -> Result<Response> {
      auto format = export_format(request);
      auto answer = !format.ok() || *format != ExportFormat::json
                        ? handler(request)
                        : cache->answer(request, [&] { return handler(request); });
      if (answer.ok()) answer->headers["Vary"] = "Accept";
      return answer;
    };
  };
  const ViewSource& view = runtime;
  router.add("GET", "/api/v1/dashboard", region_read("dashboard.read", cached([&view](const Request& request) {
                                                       return dashboard_route(view, request);
                                                     })));
  router.add("GET", "/api/v1/statistics/institutions",
             region_read("statistics.read",
                         cached([&view](const Request& request) { return statistics_route(view, request); })));
  add_ranking_routes(router, view, std::move(regions), std::move(institutions), cached);
  return Status();
}

}  // namespace xyd::api

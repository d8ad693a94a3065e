// The dashboard's queries (数据中心): every figure for one scope and period, and the stock figures at
// a date, read from the dashboard projection's rows (dashboard_projection.h). Pure over the view;
// any reader thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "projections/dashboard/dashboard_keys.h"
#include "projections/projection.h"

namespace xyd::projections::dashboard {

// What the dashboard is asked for.
struct DashboardQuery {
  std::string scope;           // "" or "CN": the country; "NN0000" a province; "NNNN00" a city
  std::string period;          // "" or "all"; "YYYY"; "YYYY-MM"
  std::string as_of;           // "YYYY-MM-DD" for the today / this month / this year figures; "" = today (CST)
  size_t dynamics_limit = 50;  // at most this many of the latest disbursements
};

// Every figure of the dashboard for one scope and period (shape: projections/README.md). Pure
// over the view; invalid_argument naming the field for a malformed scope, period or as_of.
Result<nlohmann::json> dashboard(const ViewReader& view, const DashboardQuery& query);

// The day a period's stock figures are read at: `as_of` when it falls inside the period (always
// for "all"), else the period's last day.
std::string stock_date(const std::string& period, const std::string& as_of);
// The total of the stock `figure` of `scope` at the end of `date` (YYYY-MM-DD).
Result<Counter> stock_total(const ViewReader& view, std::string_view scope, std::string_view figure,
                            const std::string& date);

}  // namespace xyd::projections::dashboard

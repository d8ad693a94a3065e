// The institution statistics query: one row per onboarded institution that passes the filters,
// with its figures for one period, read from the statistics view. Pure over a ViewReader; any
// thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "projections/dashboard/dashboard_keys.h"
#include "projections/projection.h"

namespace xyd::projections::statistics {

struct StatisticsQuery {
  std::string period;       // "" or "all", "YYYY", "YYYY-MM"
  std::string type;         // institution type; "" = any
  std::string region;       // institution region within this GB/T 2260 prefix scope; "" or "CN" = any
  std::string institution;  // only this institution; "" = any
  std::string as_of;        // "YYYY-MM-DD" the stock figures are read at inside the period; "" = today (CST)
};

using Counter = dashboard::Counter;

// One institution's figures: flows in the period, stocks (products_active, docking) at the
// table's stock_date; its region is the one it had at the stock date (a move counts from its day
// on), and the region filter reads that one.
struct InstitutionStatistics {
  std::string id, name, short_name, type, region;
  bool removed = false;
  Counter products, products_active, accepted, credit, loans, docking;
};

struct StatisticsTable {
  std::string period;      // "all", "YYYY", "YYYY-MM"
  std::string as_of;       // the query's as_of, or today (CST)
  std::string stock_date;  // as_of inside the period, else the period's last day (DOMAIN.md stock figures)
  std::vector<InstitutionStatistics> rows;  // in id order
};

// invalid_argument naming the field for a malformed period, region or as_of.
Result<StatisticsTable> institution_statistics(const ViewReader& view, const StatisticsQuery& query);

// "2024" + "5" -> "2024-05"; "" + "" -> "all"; a month without a year, or out of range, is an
// invalid_argument naming the field.
Result<std::string> period_of(const std::string& year, const std::string& month);
// Checks "all" / "YYYY" / "YYYY-MM" ("" is "all"); invalid_argument naming `field`.
Result<std::string> check_period(const std::string& period, const std::string& field = "period");

}  // namespace xyd::projections::statistics

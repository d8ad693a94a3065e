// The institution statistics query (statistics_query.h) over the rows of statistics_projection.h.
#include "projections/statistics/statistics_query.h"

#include <map>

#include "aggregates/reference.h"
#include "events/numbers.h"
#include "projections/dashboard/dashboard_query.h"
#include "projections/keys.h"
#include "projections/statistics/statistics_projection.h"

namespace xyd::projections::statistics {
namespace {

using nlohmann::json;

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

Counter* slot(InstitutionStatistics& row, std::string_view figure) {
  if (figure == figure::products) return &row.products;
  if (figure == figure::products_active) return &row.products_active;
  if (figure == figure::accepted) return &row.accepted;
  if (figure == figure::credit) return &row.credit;
  if (figure == figure::loans) return &row.loans;
  if (figure == figure::docking) return &row.docking;
  return nullptr;
}

// The flow figures of one period, by institution then figure.
Status read_counters(const ViewReader& view, std::string_view period,
                     std::map<std::string, InstitutionStatistics>& rows) {
  const std::string prefix = counter_prefix(period);
  return view.scan(prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::string_view rest = key.substr(prefix.size());
    auto institution = take_part(rest);
    auto figure = take_part(rest);
    if (!institution || !figure) return true;
    auto row = rows.find(*institution);
    if (row == rows.end()) return true;
    if (Counter* c = slot(row->second, *figure)) *c = dashboard::parse_counter(value);
    return true;
  });
}

// The stock figures at the end of `date`.
Status read_stocks(const ViewReader& view, const std::string& date,
                   std::map<std::string, InstitutionStatistics>& rows) {
  return dashboard::sum_stock_changes(view, stock_prefix, date, [&](std::string_view rest, const Counter& change) {
    auto institution = take_part(rest);
    auto figure = take_part(rest);
    if (!institution || !figure) return;
    auto row = rows.find(*institution);
    if (row == rows.end()) return;
    if (Counter* c = slot(row->second, *figure)) {
      c->count += change.count;
      c->amount += change.amount;
    }
  });
}

// The institution's region at the end of `date`: its last move dated on or before it (its first
// region when it was onboarded later), else the region it has now.
std::string region_at(const json& row, const std::string& date) {
  std::string region = row.value("region", "");
  const auto moves = row.find("regions");
  if (moves == row.end() || !moves->is_array() || moves->empty()) return region;
  bool first = true;
  for (const auto& move : *moves) {
    if (!move.is_array() || move.size() != 2 || !move[0].is_string() || !move[1].is_string()) continue;
    if (first || move[0].get<std::string>() <= date) region = move[1].get<std::string>();
    first = false;
  }
  return region;
}

}  // namespace

Result<std::string> check_period(const std::string& period, const std::string& field) {
  if (period.empty() || period == "all") return std::string("all");
  if (period.size() == 4 && digits(period)) return period;
  if (period.size() == 7 && dashboard::is_date(period + "-01")) return period;
  return make_error(Errc::invalid_argument, field + " " + period + " is neither all, YYYY nor YYYY-MM", field,
                    "period-format");
}

Result<std::string> period_of(const std::string& year, const std::string& month) {
  if (year.empty() && month.empty()) return std::string("all");
  if (year.size() != 4 || !digits(year))
    return make_error(Errc::invalid_argument,
                      "year must be four digits" + std::string(month.empty() ? "" : " when month is given"), "year",
                      "year-format");
  if (month.empty()) return year;
  const auto number = month.size() <= 2 ? whole_number(month, 1, 12) : std::nullopt;
  if (!number) return make_error(Errc::invalid_argument, "month must be a number from 1 to 12", "month", "range-1-12");
  return year + "-" + (*number < 10 ? "0" : "") + std::to_string(*number);
}

Result<StatisticsTable> institution_statistics(const ViewReader& view, const StatisticsQuery& query) {
  XYD_ASSIGN_OR_RETURN(const std::string period, check_period(query.period));
  const std::string as_of = query.as_of.empty() ? dashboard::cst_today() : query.as_of;
  if (!dashboard::is_date(as_of))
    return make_error(Errc::invalid_argument, "as_of " + as_of + " is not a YYYY-MM-DD date", "as_of", "date");
  const bool any_region = query.region.empty() || query.region == "CN";
  if (!any_region && !domain::is_region(query.region))
    return make_error(Errc::invalid_argument, "region " + query.region + " is not a GB/T 2260 code", "region",
                      "gb2260-code");
  StatisticsTable out;
  out.period = period;
  out.as_of = as_of;
  out.stock_date = dashboard::stock_date(period, as_of);
  std::map<std::string, InstitutionStatistics> rows;
  const std::string prefix = "i";
  Status failure;
  XYD_RETURN_IF_ERROR(view.scan(prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::string_view rest = key.substr(prefix.size());
    auto id = take_part(rest);
    json data = json::parse(value, nullptr, false);
    if (!id || !data.is_object()) {
      failure = make_error(Errc::corrupt, "a statistics institution row does not decode");
      return false;
    }
    InstitutionStatistics row;
    row.id = *id;
    row.name = data.value("name", "");
    row.short_name = data.value("short_name", "");
    row.type = data.value("type", "");
    row.region = region_at(data, out.stock_date);
    row.removed = data.value("removed", false);
    if (!query.institution.empty() && row.id != query.institution) return true;
    if (!query.type.empty() && row.type != query.type) return true;
    if (!any_region && !domain::region_scope_covers(query.region, row.region)) return true;
    rows.emplace(row.id, std::move(row));
    return true;
  }));
  XYD_RETURN_IF_ERROR(failure);
  XYD_RETURN_IF_ERROR(read_counters(view, period, rows));
  XYD_RETURN_IF_ERROR(read_stocks(view, out.stock_date, rows));
  out.rows.reserve(rows.size());
  for (auto& [id, row] : rows) out.rows.push_back(std::move(row));
  return out;
}

}  // namespace xyd::projections::statistics

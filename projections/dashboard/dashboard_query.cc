// The dashboard query: every figure of one scope and period from the counter rows of that scope
// (dashboard_projection.h has the key layout). Pure over a ViewReader.
#include "projections/dashboard/dashboard_query.h"

#include <map>

#include "aggregates/reference.h"
#include "projections/dashboard/dashboard_format.h"
#include "projections/dashboard/dashboard_keys.h"
#include "projections/keys.h"

namespace xyd::projections::dashboard {
namespace {

using nlohmann::json;

// figure -> dim -> counter, for one scope and period.
using Figures = std::map<std::string, std::map<std::string, Counter>, std::less<>>;

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

Result<Figures> read_period(const ViewReader& view, std::string_view scope, std::string_view period) {
  Figures out;
  const std::string prefix = counter_prefix(scope, period);
  XYD_RETURN_IF_ERROR(view.scan(prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::string_view rest = key.substr(prefix.size());
    auto figure = take_part(rest);
    auto dim = take_part(rest);
    if (figure && dim) out[*figure][*dim] = parse_counter(value);
    return true;
  }));
  return out;
}

Counter at(const Figures& figures, std::string_view figure, std::string_view dim = "") {
  auto f = figures.find(figure);
  if (f == figures.end()) return {};
  auto d = f->second.find(std::string(dim));
  return d == f->second.end() ? Counter{} : d->second;
}

json money(const Counter& c) {
  return {{"count", c.count}, {"amount_fen", c.amount}, {"amount_wan", fen_to_wan(c.amount)}};
}

// A rate with no denominator has no value (null), never 0 %.
json rate(int64_t numerator, int64_t denominator) {
  if (denominator <= 0)
    return {{"numerator", numerator}, {"denominator", denominator}, {"basis_points", nullptr}, {"rate", nullptr}};
  const int64_t bp = ratio_basis_points(numerator, denominator);
  return {
      {"numerator", numerator}, {"denominator", denominator}, {"basis_points", bp}, {"rate", basis_points_text(bp)}};
}

// The stock figures of `scope` at the end of `date`: the changes of the years before it, of the
// months of its year before it and of the days of its month up to it.
Result<Figures> stock_at(const ViewReader& view, std::string_view scope, const std::string& date) {
  Figures out;
  XYD_RETURN_IF_ERROR(sum_stock_changes(
      view, [&](char grain) { return stock_prefix(scope, grain); }, date,
      [&](std::string_view rest, const Counter& change) {
        auto figure = take_part(rest);
        auto dim = take_part(rest);
        if (!figure || !dim) return;
        Counter& c = out[*figure][*dim];
        c.count += change.count;
        c.amount += change.amount;
      }));
  return out;
}

// Of the orders accepted in `period`, those with a drawdown dated on or before `as_of`.
Result<int64_t> cohort_disbursed(const ViewReader& view, std::string_view scope, std::string_view period,
                                 const std::string& as_of) {
  int64_t n = 0;
  const std::string prefix = cohort_prefix(scope, period);
  XYD_RETURN_IF_ERROR(view.scan(prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::string_view rest = key.substr(prefix.size());
    auto first = take_part(rest);
    if (!first || *first > as_of) return false;
    n += parse_counter(value).count;
    return true;
  }));
  return n;
}

// The dims of `figure` that start with `kind`, without the prefix.
std::map<std::string, Counter> dims_of(const Figures& figures, std::string_view figure, std::string_view kind) {
  std::map<std::string, Counter> out;
  auto f = figures.find(figure);
  if (f == figures.end()) return out;
  for (const auto& [dim, counter] : f->second)
    if (dim.starts_with(kind) && dim.size() > kind.size()) out[dim.substr(kind.size())] = counter;
  return out;
}

int64_t positive_dims(const Figures& figures, std::string_view figure, std::string_view kind) {
  int64_t n = 0;
  for (const auto& [name, counter] : dims_of(figures, figure, kind)) n += counter.count > 0 ? 1 : 0;
  return n;
}

json headline(const Figures& period, const Figures& current, int64_t cohort_disbursed) {
  const Counter demand = at(period, figure::demand), loan = at(period, figure::loan),
                credit = at(period, figure::credit), accepted = at(period, figure::accepted),
                bad_debt = at(period, figure::bad_debt);
  json accounts_by_kind = json::object();
  for (const auto& [kind, counter] : dims_of(current, figure::accounts, kDimAccountKind))
    accounts_by_kind[kind] = counter.count;
  json bad = money(bad_debt);
  bad["rate_by_count"] = rate(bad_debt.count, loan.count);
  bad["rate_by_amount"] = rate(bad_debt.amount, loan.amount);
  return {{"financing_demands", money(demand)},
          {"loans_disbursed", money(loan)},
          {"credit_granted", money(credit)},
          {"accepted_orders", money(accepted)},
          {"docking_in_progress", money(at(current, figure::docking))},
          {"registered_enterprises", at(current, figure::enterprises).count},
          {"certified_enterprises", at(current, figure::certified).count},
          {"registered_users", at(current, figure::accounts).count},
          {"registered_users_by_kind", accounts_by_kind},
          {"products_published", at(period, figure::products).count},
          {"active_products", at(current, figure::products_active).count},
          {"active_product_kinds", positive_dims(current, figure::products_active, kDimProductType)},
          {"industries_involved", positive_dims(period, figure::demand, kDimIndustry)},
          {"institutions_onboarded", at(period, figure::institutions).count},
          {"institutions", at(current, figure::institutions_active).count},
          {"loan_success_rate", rate(cohort_disbursed, accepted.count)},
          {"bad_debt", bad}};
}

Result<json> new_figures(const ViewReader& view, std::string_view scope, const std::string& period) {
  json out = {{"period", period}};
  for (std::string_view figure : {figure::demand, figure::loan, figure::credit, figure::accepted}) {
    XYD_ASSIGN_OR_RETURN(auto row, view.get(counter_key(scope, period, figure, "")));
    out[std::string(figure)] = money(row ? parse_counter(*row) : Counter{});
  }
  for (std::string_view figure :
       {figure::enterprises, figure::certified, figure::accounts, figure::products, figure::institutions}) {
    XYD_ASSIGN_OR_RETURN(auto row, view.get(counter_key(scope, period, figure, "")));
    out[std::string(figure)] = row ? parse_counter(*row).count : 0;
  }
  return out;
}

Result<json> trend(const ViewReader& view, std::string_view scope, const std::string& period) {
  std::map<std::string, std::map<std::string, Counter>> by_period;  // period -> figure -> counter
  const std::string prefix = trend_prefix(scope);
  XYD_RETURN_IF_ERROR(view.scan(prefix, prefix, [&](std::string_view key, std::string_view value) {
    std::string_view rest = key.substr(prefix.size());
    auto figure = take_part(rest);
    auto when = take_part(rest);
    if (figure && when) by_period[*when][*figure] = parse_counter(value);
    return true;
  }));
  // Months of the period's year when one is chosen, else every month.
  const std::string year = period == kAllTime ? "" : period.substr(0, 4);
  json years = json::array(), months = json::array();
  for (auto& [when, figures] : by_period) {
    json entry = {{"period", when},
                  {"demand", money(figures[std::string(figure::demand)])},
                  {"loans", money(figures[std::string(figure::loan)])}};
    if (when.size() == 4)
      years.push_back(std::move(entry));
    else if (year.empty() || when.starts_with(year))
      months.push_back(std::move(entry));
  }
  return json{{"years", years}, {"months", months}};
}

json distribution(const Figures& period, const Figures& current, const std::string& child_level) {
  json by_region = json::object();
  for (std::string_view figure : {figure::demand, figure::loan, figure::credit})
    for (const auto& [code, counter] : dims_of(period, figure, kDimRegion))
      by_region[code][figure == figure::loan ? "loans" : std::string(figure)] = money(counter);
  for (auto& [code, entry] : by_region.items()) {
    entry["name"] = domain::region_name(code);
    for (const char* figure : {"demand", "loans", "credit"})
      if (!entry.contains(figure)) entry[figure] = money({});
  }
  json by_industry = json::object();
  for (const auto& section : domain::industry_sections()) {
    const std::string d = std::string(kDimIndustry) + section.id;
    by_industry[section.id] = {{"name", section.name},
                               {"demand", money(at(period, figure::demand, d))},
                               {"loans", money(at(period, figure::loan, d))},
                               {"credit", money(at(period, figure::credit, d))}};
  }
  std::map<std::string, std::string> types;  // every reference type, and any other seen
  for (const auto& t : domain::institution_types()) types[t.id] = t.name;
  for (std::string_view figure : {figure::demand, figure::loan, figure::accepted, figure::credit, figure::institutions})
    for (const auto& [type, counter] : dims_of(period, figure, kDimInstitutionType)) types.emplace(type, "");
  for (std::string_view figure : {figure::institutions_active, figure::products_active})
    for (const auto& [type, counter] : dims_of(current, figure, kDimInstitutionType)) types.emplace(type, "");
  json by_type = json::object();
  for (const auto& [type, name] : types) {
    const std::string d = std::string(kDimInstitutionType) + type;
    by_type[type] = {{"name", name},
                     {"demand", money(at(period, figure::demand, d))},
                     {"accepted", money(at(period, figure::accepted, d))},
                     {"credit", money(at(period, figure::credit, d))},
                     {"loans", money(at(period, figure::loan, d))},
                     {"institutions_onboarded", at(period, figure::institutions, d).count},
                     {"institutions", at(current, figure::institutions_active, d).count},
                     {"active_products", at(current, figure::products_active, d).count}};
  }
  return {{"by_region", {{"level", child_level}, {"items", by_region}}},
          {"by_industry", by_industry},
          {"by_institution_type", by_type}};
}

// The disbursements dated in the 15 days ending with `as_of`, newest first (then by order and loan).
Result<json> latest_dynamics(const ViewReader& view, std::string_view scope, const std::string& as_of, size_t limit) {
  json items = json::array();
  const std::string since = add_days(as_of, -14);
  Status failure;
  const std::string prefix = dynamics_prefix(scope);
  XYD_RETURN_IF_ERROR(view.scan(prefix, prefix + inverted_date(as_of), [&](std::string_view, std::string_view value) {
    json item = json::parse(value, nullptr, false);
    if (!item.is_object()) {
      failure = make_error(Errc::corrupt, "a dynamics row does not decode");
      return false;
    }
    const std::string date = text_at(item, "date");
    if (date < since || items.size() >= limit) return false;
    const int64_t amount = int_at(item, "amount");
    items.push_back({{"date", date},
                     {"enterprise", text_at(item, "enterprise")},
                     {"amount_fen", amount},
                     {"amount_wan", fen_to_wan(amount)},
                     {"application", text_at(item, "application")},
                     {"loan_number", text_at(item, "loan_number")}});
    return true;
  }));
  XYD_RETURN_IF_ERROR(failure);
  return json{{"since", since}, {"until", as_of}, {"items", items}};
}

}  // namespace

Result<json> dashboard(const ViewReader& view, const DashboardQuery& query) {
  std::string scope = query.scope.empty() ? std::string(kCountry) : query.scope;
  std::string level, child_level;
  if (scope == kCountry) {
    level = "country";
    child_level = "province";
  } else if (scope.size() == 6 && digits(scope) && scope.ends_with("0000")) {
    level = "province";
    child_level = "city";
  } else if (scope.size() == 6 && digits(scope) && scope.ends_with("00")) {
    level = "city";
    child_level = "county";
  } else {
    return make_error(Errc::invalid_argument, "scope " + scope + " is neither CN, a province NN0000 nor a city NNNN00",
                      "scope", "dashboard-scope");
  }
  const std::string period = query.period.empty() ? std::string(kAllTime) : query.period;
  std::string period_kind;
  if (period == kAllTime)
    period_kind = "all";
  else if (period.size() == 4 && digits(period))
    period_kind = "year";
  else if (period.size() == 7 && is_date(period + "-01"))
    period_kind = "month";
  else
    return make_error(Errc::invalid_argument, "period " + period + " is neither all, YYYY nor YYYY-MM", "period",
                      "dashboard-period");
  const std::string as_of = query.as_of.empty() ? cst_today() : query.as_of;
  if (!is_date(as_of))
    return make_error(Errc::invalid_argument, "as_of " + as_of + " is not a YYYY-MM-DD date", "as_of", "date");

  XYD_ASSIGN_OR_RETURN(Figures figures, read_period(view, scope, period));
  // Stock figures at the end of the period, or at as_of when it falls inside it.
  const std::string stocks_on = stock_date(period, as_of);
  XYD_ASSIGN_OR_RETURN(Figures current, stock_at(view, scope, stocks_on));
  XYD_ASSIGN_OR_RETURN(int64_t disbursed, cohort_disbursed(view, scope, period, as_of));
  XYD_ASSIGN_OR_RETURN(json today, new_figures(view, scope, as_of));
  XYD_ASSIGN_OR_RETURN(json this_month, new_figures(view, scope, as_of.substr(0, 7)));
  XYD_ASSIGN_OR_RETURN(json this_year, new_figures(view, scope, as_of.substr(0, 4)));
  XYD_ASSIGN_OR_RETURN(json trends, trend(view, scope, period));
  XYD_ASSIGN_OR_RETURN(json dynamics, latest_dynamics(view, scope, as_of, query.dynamics_limit));
  return json{
      {"scope", {{"code", scope}, {"level", level}, {"name", scope == kCountry ? "全国" : domain::region_name(scope)}}},
      {"period", {{"kind", period_kind}, {"value", period}}},
      {"as_of", as_of},
      {"stock_date", stocks_on},
      {"figures", headline(figures, current, disbursed)},
      {"new", {{"today", today}, {"this_month", this_month}, {"this_year", this_year}}},
      {"trend", trends},
      {"distribution", distribution(figures, current, child_level)},
      {"latest_dynamics", dynamics}};
}

std::string stock_date(const std::string& period, const std::string& as_of) {
  return period == kAllTime || as_of.starts_with(period) ? as_of : period_end(period);
}

Result<Counter> stock_total(const ViewReader& view, std::string_view scope, std::string_view figure,
                            const std::string& date) {
  XYD_ASSIGN_OR_RETURN(Figures figures, stock_at(view, scope, date));
  return at(figures, figure);
}

}  // namespace xyd::projections::dashboard

#include "projections/dashboard/dashboard_projection.h"

#include <set>
#include <vector>

#include "events/catalog.h"
#include "events/schema/account.h"
#include "events/schema/application.h"
#include "events/schema/demand.h"
#include "events/schema/enterprise.h"
#include "events/schema/institution.h"
#include "events/schema/product.h"
#include "projections/dashboard/dashboard_counters.h"
#include "projections/dashboard/dashboard_format.h"
#include "projections/dashboard/dashboard_keys.h"
#include "projections/view_names.h"

namespace xyd::projections::dashboard {
using nlohmann::json;

Status Counters::add(std::string_view figure, std::string_view region, std::string_view date, Counter delta,
                     const std::vector<std::string>& dims, bool by_region) {
  const bool trended = figure == figure::demand || figure == figure::loan;
  for (const auto& [scope, child] : scopes_of(region)) {
    for (const auto& period : periods_of(date, true)) {
      XYD_RETURN_IF_ERROR(bump(counter_key(scope, period, figure, ""), delta));
      if (period.size() == 10) continue;  // no distributions per day
      for (const auto& d : dims) XYD_RETURN_IF_ERROR(bump(counter_key(scope, period, figure, d), delta));
      if (by_region && !child.empty())
        XYD_RETURN_IF_ERROR(bump(counter_key(scope, period, figure, std::string(kDimRegion) + child), delta));
      if (trended && period != kAllTime) XYD_RETURN_IF_ERROR(bump(trend_key(scope, figure, period), delta));
    }
  }
  return Status();
}

Status Counters::stock(std::string_view figure, std::string_view region, std::string_view date, Counter delta,
                       const std::vector<std::string>& dims, bool by_region) {
  for (const auto& [scope, child] : scopes_of(region)) {
    for (const auto& period : periods_of(date, true)) {
      if (period == kAllTime) continue;
      XYD_RETURN_IF_ERROR(bump(stock_key(scope, period, figure, ""), delta));
      for (const auto& d : dims) XYD_RETURN_IF_ERROR(bump(stock_key(scope, period, figure, d), delta));
      if (by_region && !child.empty())
        XYD_RETURN_IF_ERROR(bump(stock_key(scope, period, figure, std::string(kDimRegion) + child), delta));
    }
  }
  return Status();
}

Status Counters::cohort(std::string_view region, std::string_view accepted, std::string_view first_drawdown,
                        int64_t delta) {
  for (const auto& [scope, child] : scopes_of(region))
    for (const auto& period : periods_of(accepted, false))
      XYD_RETURN_IF_ERROR(bump(cohort_key(scope, period, first_drawdown), {delta, 0}));
  return Status();
}

Result<nlohmann::json> Counters::row(std::string_view kind, std::string_view id) {
  return json_row(view_, state_key(kind, id), "dashboard row " + std::string(kind) + "/" + std::string(id));
}

Status Counters::bump(std::string key, Counter delta) {
  auto it = cache_.rows.find(key);
  if (it == cache_.rows.end()) {
    Counter stored;
    if (!complete_) {
      XYD_ASSIGN_OR_RETURN(auto row, view_.get(key));
      if (row) stored = parse_counter(*row);
    }
    if (cache_.rows.size() >= kMaxCachedCounters) {
      cache_.flush(view_);  // the view has every value: forget them, read them again from it
      cache_.forget();
      complete_ = false;
    }
    it = cache_.rows.emplace(std::move(key), DashboardProjection::CounterCache::Entry{stored, false}).first;
  }
  auto& entry = it->second;
  XYD_ASSIGN_OR_RETURN(entry.value, add_counters(entry.value, delta, it->first));
  if (!entry.dirty) {
    entry.dirty = true;
    cache_.dirty.push_back(&*it);
  }
  return Status();
}

namespace {

// ---- demands -------------------------------------------------------------------------------

std::vector<std::string> demand_dims(const json& row) {
  return {dim(kDimIndustry, text_at(row, "industry")), dim(kDimInstitutionType, kNoInstitutionType)};
}

// A published demand stops counting once converted into an application (DemandClosed with reason
// "converted", or an ApplicationSubmitted naming it, whichever comes first; in any order).
Status convert_demand(Counters& counters, const std::string& id) {
  XYD_ASSIGN_OR_RETURN(json row, counters.row("demand", id));
  if (row.is_null()) row = {{"v", 0}, {"counted", false}};
  if (row.value("converted", false)) return Status();
  if (row.value("counted", false))
    XYD_RETURN_IF_ERROR(counters.add(figure::demand, text_at(row, "region"), text_at(row, "date"),
                                     {-1, -int_at(row, "amount")}, demand_dims(row), true));
  row["converted"] = true;
  counters.put_row("demand", id, row);
  return Status();
}

Status apply_demand(Counters& counters, const std::string& name, const std::string& id, const std::string& date,
                    const json& data) {
  if (name == events::demand::kDemandPublished) {
    XYD_ASSIGN_OR_RETURN(json row, counters.row("demand", id));
    if (row.is_null()) row = {{"converted", false}};
    row["region"] = text_at(data, "region");
    row["industry"] = text_at(data, "industry");
    row["amount"] = int_at(data, "amount");
    row["date"] = date;
    row["counted"] = !row.value("converted", false);
    if (row["counted"].get<bool>())
      XYD_RETURN_IF_ERROR(counters.add(figure::demand, text_at(row, "region"), date, {1, int_at(row, "amount")},
                                       demand_dims(row), true));
    counters.put_row("demand", id, row);
  } else if (name == events::demand::kDemandClosed && text_at(data, "reason") == "converted") {
    return convert_demand(counters, id);
  }
  return Status();
}

// ---- applications ---------------------------------------------------------------------------

std::vector<std::string> order_dims(const json& row) {
  return {dim(kDimIndustry, text_at(row, "industry")), dim(kDimInstitutionType, text_at(row, "itype"))};
}

// Docking ends on `date` (never before the acceptance: a drawdown reported with an earlier
// business date ends it on the day it began); a drawdown dated before an earlier end moves it.
Status end_docking(Counters& counters, json& row, const std::string& date) {
  const auto change = docking_end(row, date);
  if (!change) return Status();
  const Counter one{1, int_at(row, "intended")};
  const std::string region = text_at(row, "region");
  if (!change->undo.empty()) XYD_RETURN_IF_ERROR(counters.stock(figure::docking, region, change->undo, one, {}, false));
  row["docking_ended"] = change->end;
  return counters.stock(figure::docking, region, change->end, {-one.count, -one.amount}, {}, false);
}

Status add_dynamics(Counters& counters, const json& row, const std::string& application, const json& data) {
  const std::string date = text_at(data, "disbursed_at"), loan = text_at(data, "loan_number");
  const json item = {{"date", date},
                     {"enterprise", text_at(row, "masked_name")},
                     {"amount", int_at(data, "amount")},
                     {"application", application},
                     {"loan_number", loan},
                     {"region", text_at(row, "region")}};
  for (const auto& scope : scopes_of(text_at(row, "region")))
    counters.put(dynamics_key(scope.scope, date, application, loan), item.dump());
  return Status();
}

Status apply_application(Counters& counters, const std::string& name, const std::string& id, const std::string& date,
                         const json& data) {
  XYD_ASSIGN_OR_RETURN(json row, counters.row("app", id));
  if (name == events::application::kApplicationSubmitted) {
    if (!row.is_null()) return Status();  // submitted once
    std::string itype = text_at(data, "institution_type");
    if (itype.empty()) {  // events before the type was copied in: what the institution said, if seen
      XYD_ASSIGN_OR_RETURN(json institution, counters.row("inst", text_at(data, "institution")));
      itype = institution.is_object() && institution.value("known", false) ? text_at(institution, "type") : "unknown";
    }
    std::string enterprise_name = text_at(data, "enterprise_name");
    if (enterprise_name.empty()) {
      XYD_ASSIGN_OR_RETURN(json enterprise, counters.row("ent", text_at(data, "enterprise")));
      enterprise_name = enterprise.is_object() ? text_at(enterprise, "name") : text_at(data, "enterprise");
    }
    row = {{"region", text_at(data, "region")},
           {"industry", text_at(data, "industry")},
           {"itype", itype},
           {"masked_name", mask_enterprise_name(enterprise_name)},
           {"accepted", false},
           {"intended", 0},
           {"first_disbursed_at", ""}};
    XYD_RETURN_IF_ERROR(
        counters.add(figure::demand, text_at(row, "region"), date, {1, int_at(data, "amount")}, order_dims(row), true));
    counters.put_row("app", id, row);
    if (const std::string demand = text_at(data, "demand"); !demand.empty()) return convert_demand(counters, demand);
    return Status();
  }
  if (row.is_null()) return Status();  // an order whose submission this view never saw
  const std::string region = text_at(row, "region");
  if (name == events::application::kApplicationAccepted) {
    if (row.value("accepted", false)) return Status();
    XYD_ASSIGN_OR_RETURN(const auto accepted, events::decode<events::application::ApplicationAccepted>(data));
    const int64_t intended = accepted.intended_amount.value;
    row["accepted"] = true;
    row["accepted_on"] = date;
    row["intended"] = intended;
    XYD_RETURN_IF_ERROR(counters.add(figure::accepted, region, date, {1, intended}, order_dims(row), true));
    XYD_RETURN_IF_ERROR(counters.stock(figure::docking, region, date, {1, intended}, {}, false));
    // An order with a drawdown before its acceptance (not in the write side's order, but in a log
    // that says so) is in its cohort with that drawdown.
    if (const std::string first = text_at(row, "first_disbursed_at"); !first.empty()) {
      XYD_RETURN_IF_ERROR(counters.cohort(region, date, first, 1));
      XYD_RETURN_IF_ERROR(end_docking(counters, row, first));
    }
  } else if (name == events::application::kApplicationTerminated ||
             name == events::application::kApplicationWithdrawn || name == events::application::kCreditDeclined) {
    XYD_RETURN_IF_ERROR(end_docking(counters, row, date));
  } else if (name == events::application::kCreditGranted) {
    XYD_ASSIGN_OR_RETURN(const auto granted, events::decode<events::application::CreditGranted>(data));
    XYD_RETURN_IF_ERROR(counters.add(figure::credit, region, granted.granted_at.text, {1, granted.amount.value},
                                     order_dims(row), true));
  } else if (name == events::application::kLoanDisbursed) {
    XYD_ASSIGN_OR_RETURN(const auto loan, events::decode<events::application::LoanDisbursed>(data));
    const std::string& disbursed_at = loan.disbursed_at.text;
    XYD_RETURN_IF_ERROR(
        counters.add(figure::loan, region, disbursed_at, {1, loan.amount.value}, order_dims(row), true));
    XYD_RETURN_IF_ERROR(end_docking(counters, row, is_date(disbursed_at) ? disbursed_at : date));
    // The order's cohort (the period of its acceptance) counts it as disbursed from its earliest
    // drawdown's date on.
    const std::string first = text_at(row, "first_disbursed_at");
    if (first.empty() || disbursed_at < first) {
      if (const std::string accepted = text_at(row, "accepted_on"); row.value("accepted", false)) {
        if (!first.empty()) XYD_RETURN_IF_ERROR(counters.cohort(region, accepted, first, -1));
        XYD_RETURN_IF_ERROR(counters.cohort(region, accepted, disbursed_at, 1));
      }
      row["first_disbursed_at"] = disbursed_at;
    }
    XYD_RETURN_IF_ERROR(add_dynamics(counters, row, id, data));
  } else if (name == events::application::kLoanWrittenOff) {
    XYD_ASSIGN_OR_RETURN(const auto written_off, events::decode<events::application::LoanWrittenOff>(data));
    XYD_RETURN_IF_ERROR(
        counters.add(figure::bad_debt, region, written_off.as_of.text, {1, written_off.amount.value}, {}, false));
  } else {
    return Status();
  }
  counters.put_row("app", id, row);
  return Status();
}

// ---- enterprises and accounts ---------------------------------------------------------------

// Registered and certified enterprises: flows under the region at the event, stocks under the
// region of the moment (a move takes them from the old region to the new one on its date).
Status apply_enterprise(Counters& counters, const std::string& name, const std::string& id, const std::string& date,
                        const json& data) {
  XYD_ASSIGN_OR_RETURN(json row, counters.row("ent", id));
  if (name == events::enterprise::kEnterpriseRegistered) {
    if (!row.is_null()) return Status();
    row = {{"region", text_at(data, "region")}, {"name", text_at(data, "name")}, {"certified", false}};
    XYD_RETURN_IF_ERROR(counters.add(figure::enterprises, text_at(row, "region"), date, {1, 0}, {}, false));
    XYD_RETURN_IF_ERROR(counters.stock(figure::enterprises, text_at(row, "region"), date, {1, 0}, {}, false));
  } else if (row.is_null()) {
    return Status();
  } else if (name == events::enterprise::kEnterpriseCertified) {
    if (row.value("certified", false)) return Status();
    row["certified"] = true;
    XYD_RETURN_IF_ERROR(counters.add(figure::certified, text_at(row, "region"), date, {1, 0}, {}, false));
    XYD_RETURN_IF_ERROR(counters.stock(figure::certified, text_at(row, "region"), date, {1, 0}, {}, false));
  } else if (name == events::enterprise::kEnterpriseProfileChanged) {
    const std::string field = text_at(data, "field"), after = text_at(data, "after");
    if (field == "name") {
      row["name"] = after;
    } else if (field == "region" && after != text_at(row, "region")) {
      std::vector<std::string_view> figures = {figure::enterprises};
      if (row.value("certified", false)) figures.push_back(figure::certified);
      for (auto f : figures) {
        XYD_RETURN_IF_ERROR(counters.stock(f, text_at(row, "region"), date, {-1, 0}, {}, false));
        XYD_RETURN_IF_ERROR(counters.stock(f, after, date, {1, 0}, {}, false));
      }
      row["region"] = after;  // later figures count under the new region
    } else {
      return Status();
    }
  } else {
    return Status();
  }
  counters.put_row("ent", id, row);
  return Status();
}

const std::set<std::string>& relevant_events() {
  static const std::set<std::string> names = {events::account::kAccountRegistered,
                                              events::enterprise::kEnterpriseRegistered,
                                              events::enterprise::kEnterpriseCertified,
                                              events::enterprise::kEnterpriseProfileChanged,
                                              events::institution::kInstitutionOnboarded,
                                              events::institution::kInstitutionRemoved,
                                              events::institution::kInstitutionUpdated,
                                              events::institution::kInstitutionSuspended,
                                              events::institution::kInstitutionResumed,
                                              events::product::kProductPublished,
                                              events::product::kProductUpdated,
                                              events::product::kProductDisabled,
                                              events::product::kProductEnabled,
                                              events::product::kProductWithdrawn,
                                              events::demand::kDemandPublished,
                                              events::demand::kDemandClosed,
                                              events::application::kApplicationSubmitted,
                                              events::application::kApplicationAccepted,
                                              events::application::kApplicationTerminated,
                                              events::application::kApplicationWithdrawn,
                                              events::application::kCreditDeclined,
                                              events::application::kCreditGranted,
                                              events::application::kLoanDisbursed,
                                              events::application::kLoanWrittenOff};
  return names;
}

}  // namespace

ProjectionSpec dashboard_spec() {
  // Layout 2: stock figures as changes per year/month/day (k rows), cohort rows.
  return spec_without_rules<DashboardProjection>(
      view::kDashboard,
      "the government dashboard's counters (数据中心) by country/province/city and all time/year/month/day",
      event_topics({"account", "enterprise", "institution", "product", "demand", "application"}), 2);
}

void DashboardProjection::CounterCache::flush(ViewWriter& view) {
  for (auto* row : dirty) {
    const Counter& c = row->second.value;
    if (c.count == 0 && c.amount == 0)
      view.erase(row->first);
    else
      view.put(row->first, format_counter(c));
    row->second.dirty = false;
  }
  dirty.clear();
}

Status DashboardProjection::apply(ViewWriter& view, const EventContext& context) {
  XYD_ASSIGN_OR_RETURN(auto event, relevant_event(context, relevant_events()));
  if (!event) return Status();
  const events::Envelope& envelope = event->envelope;
  const json& data = envelope.data;
  const std::string time = cst_instant(envelope.time).value_or("");  // the event's time, CST wall clock
  const std::string date = time.substr(0, std::min<size_t>(time.size(), 10));
  const std::string& id = envelope.aggregate_id;
  const std::string& name = event->name;
  Counters counters(view, counters_, view_was_empty_);
  const std::string& aggregate = envelope.aggregate_type;
  if (aggregate == "application") return apply_application(counters, name, id, date, data);
  if (aggregate == "demand") return apply_demand(counters, name, id, date, data);
  if (aggregate == "enterprise") return apply_enterprise(counters, name, id, date, data);
  if (aggregate == "institution") return apply_institution(counters, name, id, time, data);
  if (aggregate == "product") return apply_product(counters, name, id, time, data);
  if (aggregate == "account" && name == events::account::kAccountRegistered) {
    const std::vector<std::string> by_kind = {dim(kDimAccountKind, text_at(data, "kind"))};
    XYD_RETURN_IF_ERROR(counters.add(figure::accounts, text_at(data, "region"), date, {1, 0}, by_kind, false));
    return counters.stock(figure::accounts, text_at(data, "region"), date, {1, 0}, by_kind, false);
  }
  return Status();
}

}  // namespace xyd::projections::dashboard

#include "projections/dashboard/dashboard_projection.h"

#include <set>
#include <vector>

#include "events/catalog.h"
#include "projections/dashboard/dashboard_format.h"
#include "projections/dashboard/dashboard_keys.h"

namespace xyd::projections::dashboard {
namespace {

using nlohmann::json;

// The counter rows one event touches, through the batch's view.
class Counters {
 public:
  Counters(ViewWriter& view, DashboardProjection::CounterCache& cache, bool& complete)
      : view_(view), cache_(cache), complete_(complete) {}

  // Adds `delta` to `figure` under every scope of `region` × every period of `date` ("" or a
  // malformed date: all time only); the totals also under the day, each of `dims` (and the child
  // region when `by_region`) under all, year and month.
  Status add(std::string_view figure, std::string_view region, std::string_view date, Counter delta,
             const std::vector<std::string>& dims, bool by_region) {
    const bool trended = figure == figure::demand || figure == figure::loan;
    for (const auto& [scope, child] : scopes_of(region)) {
      for (const auto& period : periods_of(date, true)) {
        XYD_RETURN_IF_ERROR(bump(counter_key(scope, period, figure, ""), delta));
        if (period.size() == 10) continue;  // no distributions per day
        for (const auto& dim : dims) XYD_RETURN_IF_ERROR(bump(counter_key(scope, period, figure, dim), delta));
        if (by_region && !child.empty())
          XYD_RETURN_IF_ERROR(bump(counter_key(scope, period, figure, std::string(kDimRegion) + child), delta));
        if (trended && period != kAllTime) XYD_RETURN_IF_ERROR(bump(trend_key(scope, figure, period), delta));
      }
    }
    return Status();
  }

  Result<json> row(std::string_view kind, std::string_view id) {
    return json_row(view_, state_key(kind, id), "dashboard row " + std::string(kind) + "/" + std::string(id));
  }
  void put_row(std::string_view kind, std::string_view id, const json& row) { view_.put(state_key(kind, id), row.dump()); }
  void put(const std::string& key, const std::string& value) { view_.put(key, value); }

 private:
  Status bump(std::string key, Counter delta) {
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

  static constexpr size_t kMaxCachedCounters = 1 << 20;
  ViewWriter& view_;
  DashboardProjection::CounterCache& cache_;
  bool& complete_;  // every counter row of the view is in the cache (a build from empty)
};

std::string dim(std::string_view kind, std::string_view value) { return std::string(kind) + std::string(value); }

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
  if (name == "DemandPublished") {
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
  } else if (name == "DemandClosed" && text_at(data, "reason") == "converted") {
    return convert_demand(counters, id);
  }
  return Status();
}

// ---- applications ---------------------------------------------------------------------------

std::vector<std::string> order_dims(const json& row) {
  return {dim(kDimIndustry, text_at(row, "industry")), dim(kDimInstitutionType, text_at(row, "itype"))};
}

Status end_docking(Counters& counters, json& row) {
  if (!row.value("docking", false)) return Status();
  row["docking"] = false;
  return counters.add(figure::docking, text_at(row, "region"), "", {-1, -int_at(row, "intended")}, {}, false);
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
  if (name == "ApplicationSubmitted") {
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
    row = {{"region", text_at(data, "region")},       {"industry", text_at(data, "industry")},
           {"itype", itype},                          {"masked_name", mask_enterprise_name(enterprise_name)},
           {"accepted", false},                       {"docking", false},
           {"intended", 0},                           {"first_disbursed_at", ""}};
    XYD_RETURN_IF_ERROR(counters.add(figure::demand, text_at(row, "region"), date, {1, int_at(data, "amount")},
                                     order_dims(row), true));
    counters.put_row("app", id, row);
    if (const std::string demand = text_at(data, "demand"); !demand.empty()) return convert_demand(counters, demand);
    return Status();
  }
  if (row.is_null()) return Status();  // an order whose submission this view never saw
  const std::string region = text_at(row, "region");
  if (name == "ApplicationAccepted") {
    if (row.value("accepted", false)) return Status();
    const int64_t intended = int_at(data, "intended_amount");
    row["accepted"] = true;
    row["docking"] = true;
    row["intended"] = intended;
    XYD_RETURN_IF_ERROR(counters.add(figure::accepted, region, date, {1, intended}, order_dims(row), true));
    XYD_RETURN_IF_ERROR(counters.add(figure::docking, region, "", {1, intended}, {}, false));
  } else if (name == "ApplicationTerminated" || name == "ApplicationWithdrawn" || name == "CreditDeclined") {
    XYD_RETURN_IF_ERROR(end_docking(counters, row));
  } else if (name == "CreditGranted") {
    XYD_RETURN_IF_ERROR(counters.add(figure::credit, region, text_at(data, "granted_at"), {1, int_at(data, "amount")},
                                     order_dims(row), true));
  } else if (name == "LoanDisbursed") {
    const std::string disbursed_at = text_at(data, "disbursed_at");
    XYD_RETURN_IF_ERROR(
        counters.add(figure::loan, region, disbursed_at, {1, int_at(data, "amount")}, order_dims(row), true));
    XYD_RETURN_IF_ERROR(end_docking(counters, row));
    // The order counts as disbursed (success rate) under its earliest drawdown's date.
    const std::string first = text_at(row, "first_disbursed_at");
    if (first.empty() || disbursed_at < first) {
      if (!first.empty()) XYD_RETURN_IF_ERROR(counters.add(figure::loan_orders, region, first, {-1, 0}, {}, false));
      XYD_RETURN_IF_ERROR(counters.add(figure::loan_orders, region, disbursed_at, {1, 0}, {}, false));
      row["first_disbursed_at"] = disbursed_at;
    }
    XYD_RETURN_IF_ERROR(add_dynamics(counters, row, id, data));
  } else if (name == "LoanWrittenOff") {
    XYD_RETURN_IF_ERROR(
        counters.add(figure::bad_debt, region, text_at(data, "as_of"), {1, int_at(data, "amount")}, {}, false));
  } else {
    return Status();
  }
  counters.put_row("app", id, row);
  return Status();
}

// ---- institutions and products --------------------------------------------------------------

Status set_product_active(Counters& counters, const json& product, int64_t delta) {
  return counters.add(figure::products_active, text_at(product, "region"), "", {delta, 0},
                      {dim(kDimInstitutionType, text_at(product, "itype")), dim(kDimProductType, text_at(product, "ptype"))},
                      true);
}

// A product counts under its institution's region and type, once the institution is known.
Status count_product(Counters& counters, json& product, const json& institution) {
  product["counted"] = true;
  product["region"] = text_at(institution, "region");
  product["itype"] = text_at(institution, "type");
  XYD_RETURN_IF_ERROR(counters.add(figure::products, text_at(product, "region"), text_at(product, "date"), {1, 0},
                                   {dim(kDimInstitutionType, text_at(product, "itype"))}, true));
  if (text_at(product, "status") == "enabled") return set_product_active(counters, product, 1);
  return Status();
}

Status apply_institution(Counters& counters, const std::string& name, const std::string& id, const std::string& date,
                         const json& data) {
  XYD_ASSIGN_OR_RETURN(json row, counters.row("inst", id));
  if (row.is_null()) row = {{"known", false}, {"pending", json::array()}};
  if (name == "InstitutionOnboarded") {
    if (row.value("known", false)) return Status();
    row["known"] = true;
    row["removed"] = false;
    row["type"] = text_at(data, "type");
    row["region"] = text_at(data, "region");
    const std::vector<std::string> by_type = {dim(kDimInstitutionType, text_at(row, "type"))};
    XYD_RETURN_IF_ERROR(counters.add(figure::institutions, text_at(row, "region"), date, {1, 0}, by_type, true));
    XYD_RETURN_IF_ERROR(counters.add(figure::institutions_active, text_at(row, "region"), "", {1, 0}, by_type, true));
    for (const auto& product_id : row.value("pending", json::array())) {
      if (!product_id.is_string()) continue;
      XYD_ASSIGN_OR_RETURN(json product, counters.row("prod", product_id.get<std::string>()));
      if (!product.is_object() || product.value("counted", false)) continue;
      XYD_RETURN_IF_ERROR(count_product(counters, product, row));
      counters.put_row("prod", product_id.get<std::string>(), product);
    }
    row["pending"] = json::array();
  } else if (name == "InstitutionRemoved") {
    if (!row.value("known", false) || row.value("removed", false)) return Status();
    row["removed"] = true;
    XYD_RETURN_IF_ERROR(counters.add(figure::institutions_active, text_at(row, "region"), "", {-1, 0},
                                     {dim(kDimInstitutionType, text_at(row, "type"))}, true));
  } else {
    return Status();
  }
  counters.put_row("inst", id, row);
  return Status();
}

Status apply_product(Counters& counters, const std::string& name, const std::string& id, const std::string& date,
                     const json& data) {
  XYD_ASSIGN_OR_RETURN(json row, counters.row("prod", id));
  if (name == "ProductPublished") {
    if (!row.is_null()) return Status();
    row = {{"institution", text_at(data, "institution")},
           {"ptype", text_at(data, "product_type")},
           {"status", "enabled"},
           {"date", date},
           {"counted", false}};
    XYD_ASSIGN_OR_RETURN(json institution, counters.row("inst", text_at(row, "institution")));
    if (institution.is_object() && institution.value("known", false)) {
      XYD_RETURN_IF_ERROR(count_product(counters, row, institution));
    } else {  // the institution's events come on another topic: count the product when it arrives
      if (institution.is_null()) institution = {{"known", false}, {"pending", json::array()}};
      institution["pending"].push_back(id);
      counters.put_row("inst", text_at(row, "institution"), institution);
    }
    counters.put_row("prod", id, row);
    return Status();
  }
  if (row.is_null()) return Status();
  const bool counted = row.value("counted", false), enabled = text_at(row, "status") == "enabled";
  if (name == "ProductDisabled" || name == "ProductWithdrawn") {
    if (counted && enabled) XYD_RETURN_IF_ERROR(set_product_active(counters, row, -1));
    row["status"] = name == "ProductDisabled" ? "disabled" : "withdrawn";
  } else if (name == "ProductEnabled") {
    if (counted && !enabled) XYD_RETURN_IF_ERROR(set_product_active(counters, row, 1));
    row["status"] = "enabled";
  } else if (name == "ProductUpdated") {
    const json changes = data.value("changes", json::object());
    if (!changes.contains("product_type") || !changes["product_type"].is_object()) return Status();
    if (counted && enabled) XYD_RETURN_IF_ERROR(set_product_active(counters, row, -1));
    row["ptype"] = text_at(changes["product_type"], "after");
    if (counted && enabled) XYD_RETURN_IF_ERROR(set_product_active(counters, row, 1));
  } else {
    return Status();
  }
  counters.put_row("prod", id, row);
  return Status();
}

// ---- enterprises and accounts ---------------------------------------------------------------

Status apply_enterprise(Counters& counters, const std::string& name, const std::string& id, const std::string& date,
                        const json& data) {
  XYD_ASSIGN_OR_RETURN(json row, counters.row("ent", id));
  if (name == "EnterpriseRegistered") {
    if (!row.is_null()) return Status();
    row = {{"region", text_at(data, "region")}, {"name", text_at(data, "name")}, {"certified", false}};
    XYD_RETURN_IF_ERROR(counters.add(figure::enterprises, text_at(row, "region"), date, {1, 0}, {}, false));
  } else if (row.is_null()) {
    return Status();
  } else if (name == "EnterpriseCertified") {
    if (row.value("certified", false)) return Status();
    row["certified"] = true;
    XYD_RETURN_IF_ERROR(counters.add(figure::certified, text_at(row, "region"), date, {1, 0}, {}, false));
  } else if (name == "EnterpriseProfileChanged") {
    const std::string field = text_at(data, "field");
    if (field != "region" && field != "name") return Status();
    row[field] = text_at(data, "after");  // later figures count under the new region
  } else {
    return Status();
  }
  counters.put_row("ent", id, row);
  return Status();
}

const std::set<std::string>& relevant_events() {
  static const std::set<std::string> names = {
      "AccountRegistered",     "EnterpriseRegistered", "EnterpriseCertified",   "EnterpriseProfileChanged",
      "InstitutionOnboarded",  "InstitutionRemoved",   "ProductPublished",      "ProductUpdated",
      "ProductDisabled",       "ProductEnabled",       "ProductWithdrawn",      "DemandPublished",
      "DemandClosed",          "ApplicationSubmitted", "ApplicationAccepted",   "ApplicationTerminated",
      "ApplicationWithdrawn",  "CreditDeclined",       "CreditGranted",         "LoanDisbursed",
      "LoanWrittenOff"};
  return names;
}

}  // namespace

ProjectionSpec dashboard_spec() {
  ProjectionSpec spec;
  spec.name = "dashboard";
  spec.description =
      "the government dashboard's counters (数据中心) by country/province/city and all time/year/month/day";
  spec.aggregate_types = {"account", "enterprise", "institution", "product", "demand", "application"};
  spec.make = [](std::shared_ptr<const RuleSet>) -> Result<std::unique_ptr<Projection>> {
    return std::unique_ptr<Projection>(new DashboardProjection());
  };
  return spec;
}

void DashboardProjection::CounterCache::flush(ViewWriter& view) {
  for (auto* row : dirty) {
    const Counter& c = row->second.value;
    if (c.count == 0 && c.amount == 0) view.erase(row->first);
    else view.put(row->first, format_counter(c));
    row->second.dirty = false;
  }
  dirty.clear();
}

Status DashboardProjection::apply(ViewWriter& view, const EventContext& context) {
  XYD_ASSIGN_OR_RETURN(auto event, relevant_event(context, relevant_events()));
  if (!event) return Status();
  const events::Envelope& envelope = event->envelope;
  const json& data = envelope.data;
  const std::string date = cst_date(envelope.time).value_or("");  // the event's time as a CST date
  const std::string& id = envelope.aggregate_id;
  const std::string& name = event->name;
  Counters counters(view, counters_, view_was_empty_);
  const std::string& aggregate = envelope.aggregate_type;
  if (aggregate == "application") return apply_application(counters, name, id, date, data);
  if (aggregate == "demand") return apply_demand(counters, name, id, date, data);
  if (aggregate == "enterprise") return apply_enterprise(counters, name, id, date, data);
  if (aggregate == "institution") return apply_institution(counters, name, id, date, data);
  if (aggregate == "product") return apply_product(counters, name, id, date, data);
  if (aggregate == "account" && name == "AccountRegistered")
    return counters.add(figure::accounts, text_at(data, "region"), date, {1, 0},
                        {dim(kDimAccountKind, text_at(data, "kind"))}, false);
  return Status();
}

}  // namespace xyd::projections::dashboard

#include "projections/statistics/statistics_projection.h"

#include <optional>
#include <set>

#include "events/catalog.h"
#include "projections/dashboard/dashboard_keys.h"
#include "projections/keys.h"

namespace xyd::projections::statistics {
namespace {

using dashboard::Counter;
using dashboard::int_at;
using dashboard::text_at;
using nlohmann::json;

// The rows one event touches, through the batch's view; lives for one apply() on the applying thread.
class Rows {
 public:
  explicit Rows(ViewWriter& view) : view_(view) {}

  // Adds `delta` to `figure` of `institution` under every period of `date` ("": all time only).
  Status add(std::string_view institution, std::string_view figure, std::string_view date, Counter delta) {
    if (institution.empty()) return Status();
    for (const auto& period : dashboard::periods_of(date, false)) {
      XYD_RETURN_IF_ERROR(dashboard::bump_counter(view_, counter_key(period, institution, figure), delta));
    }
    return Status();
  }
  Result<json> row(char kind, std::string_view id) {
    return dashboard::json_row(view_, row_key(kind, id), "statistics row " + std::string(1, kind) + "/" + std::string(id));
  }
  void put_row(char kind, std::string_view id, const json& row) { view_.put(row_key(kind, id), row.dump()); }

 private:
  ViewWriter& view_;
};

Status end_docking(Rows& rows, json& app) {
  if (!app.value("docking", false)) return Status();
  app["docking"] = false;
  return rows.add(text_at(app, "institution"), figure::docking, "", {-1, -int_at(app, "intended")});
}

Status apply_application(Rows& rows, const std::string& name, const std::string& id, const std::string& date,
                         const json& data) {
  XYD_ASSIGN_OR_RETURN(json app, rows.row('a', id));
  if (name == "ApplicationSubmitted") {
    if (!app.is_null()) return Status();
    rows.put_row('a', id, {{"institution", text_at(data, "institution")}, {"intended", 0}, {"docking", false},
                           {"accepted", false}});
    return Status();
  }
  if (app.is_null()) return Status();  // an order whose submission this view never saw
  const std::string institution = text_at(app, "institution");
  if (name == "ApplicationAccepted") {
    if (app.value("accepted", false)) return Status();
    const int64_t intended = int_at(data, "intended_amount");
    app["accepted"] = true;
    app["docking"] = true;
    app["intended"] = intended;
    XYD_RETURN_IF_ERROR(rows.add(institution, figure::accepted, date, {1, intended}));
    XYD_RETURN_IF_ERROR(rows.add(institution, figure::docking, "", {1, intended}));
  } else if (name == "ApplicationTerminated" || name == "ApplicationWithdrawn" || name == "CreditDeclined") {
    XYD_RETURN_IF_ERROR(end_docking(rows, app));
  } else if (name == "CreditGranted") {
    return rows.add(institution, figure::credit, text_at(data, "granted_at"), {1, int_at(data, "amount")});
  } else if (name == "LoanDisbursed") {
    XYD_RETURN_IF_ERROR(rows.add(institution, figure::loans, text_at(data, "disbursed_at"), {1, int_at(data, "amount")}));
    XYD_RETURN_IF_ERROR(end_docking(rows, app));
  } else {
    return Status();
  }
  rows.put_row('a', id, app);
  return Status();
}

// Active products of an institution: its enabled products while it is active (onboarded, neither
// suspended nor removed). Row n <institution> = {enabled, active}; products may come before it.
Status change_active(Rows& rows, const std::string& institution, int64_t enabled_delta, std::optional<bool> active) {
  XYD_ASSIGN_OR_RETURN(json n, rows.row('n', institution));
  if (n.is_null()) n = {{"enabled", 0}, {"active", false}};
  const int64_t enabled = int_at(n, "enabled");
  const bool was = n.value("active", false), now = active.value_or(was);
  const int64_t before = was ? enabled : 0, after = now ? enabled + enabled_delta : 0;
  n["enabled"] = enabled + enabled_delta;
  n["active"] = now;
  rows.put_row('n', institution, n);
  if (after == before) return Status();
  return rows.add(institution, figure::products_active, "", {after - before, 0});
}

Status apply_product(Rows& rows, const std::string& name, const std::string& id, const std::string& date,
                     const json& data) {
  XYD_ASSIGN_OR_RETURN(json product, rows.row('p', id));
  if (name == "ProductPublished") {
    if (!product.is_null()) return Status();
    const std::string institution = text_at(data, "institution");
    rows.put_row('p', id, {{"institution", institution}, {"enabled", true}});
    XYD_RETURN_IF_ERROR(rows.add(institution, figure::products, date, {1, 0}));
    return change_active(rows, institution, 1, std::nullopt);
  }
  if (product.is_null()) return Status();
  const bool was = product.value("enabled", false);
  bool now = was;
  if (name == "ProductDisabled" || name == "ProductWithdrawn") now = false;
  else if (name == "ProductEnabled") now = true;
  if (now == was) return Status();
  product["enabled"] = now;
  rows.put_row('p', id, product);
  return change_active(rows, text_at(product, "institution"), now ? 1 : -1, std::nullopt);
}

Status apply_institution(Rows& rows, const std::string& name, const std::string& id, const json& data) {
  XYD_ASSIGN_OR_RETURN(json institution, rows.row('i', id));
  if (name == "InstitutionOnboarded") {
    if (!institution.is_null()) return Status();
    institution = {{"name", text_at(data, "full_name")}, {"short_name", text_at(data, "short_name")},
                   {"type", text_at(data, "type")}, {"region", text_at(data, "region")}, {"removed", false}};
    XYD_RETURN_IF_ERROR(change_active(rows, id, 0, true));
  } else if (institution.is_null() || institution.value("removed", false)) {
    return Status();
  } else if (name == "InstitutionUpdated") {
    const json changes = data.value("changes", json::object());
    for (const auto& [field, stored] : {std::pair{"full_name", "name"}, {"short_name", "short_name"}, {"region", "region"}})
      if (changes.contains(field) && changes[field].is_object()) institution[stored] = text_at(changes[field], "after");
  } else if (name == "InstitutionSuspended" || name == "InstitutionResumed") {
    return change_active(rows, id, 0, name == "InstitutionResumed");
  } else if (name == "InstitutionRemoved") {
    institution["removed"] = true;
    XYD_RETURN_IF_ERROR(change_active(rows, id, 0, false));
  } else {
    return Status();
  }
  rows.put_row('i', id, institution);
  return Status();
}

const std::set<std::string>& relevant_events() {
  static const std::set<std::string> names = {
      "InstitutionOnboarded", "InstitutionUpdated",   "InstitutionRemoved",    "InstitutionSuspended",
      "InstitutionResumed",   "ProductPublished",
      "ProductDisabled",      "ProductEnabled",       "ProductWithdrawn",      "ApplicationSubmitted",
      "ApplicationAccepted",  "ApplicationTerminated", "ApplicationWithdrawn", "CreditDeclined",
      "CreditGranted",        "LoanDisbursed"};
  return names;
}

}  // namespace

std::string counter_prefix(std::string_view period) {
  std::string key(1, 'c');
  append_part(key, period);
  return key;
}

std::string counter_key(std::string_view period, std::string_view institution, std::string_view figure) {
  std::string key = counter_prefix(period);
  append_part(key, institution);
  append_part(key, figure);
  return key;
}

std::string row_key(char kind, std::string_view id) {
  std::string key(1, kind);
  append_part(key, id);
  return key;
}

ProjectionSpec statistics_spec() {
  ProjectionSpec spec;
  spec.name = "statistics";
  spec.description = "per-institution statistics (products, accepted, credit, loans, docking) by all time/year/month";
  spec.aggregate_types = {"institution", "product", "application"};
  spec.make = [](std::shared_ptr<const RuleSet>) -> Result<std::unique_ptr<Projection>> {
    return std::unique_ptr<Projection>(new StatisticsProjection());
  };
  return spec;
}

Status StatisticsProjection::apply(ViewWriter& view, const EventContext& context) {
  XYD_ASSIGN_OR_RETURN(auto event, dashboard::relevant_event(context, relevant_events()));
  if (!event) return Status();
  const events::Envelope& envelope = event->envelope;
  const std::string date = dashboard::cst_date(envelope.time).value_or("");
  Rows rows(view);
  const std::string& aggregate = envelope.aggregate_type;
  if (aggregate == "application") return apply_application(rows, event->name, envelope.aggregate_id, date, envelope.data);
  if (aggregate == "product") return apply_product(rows, event->name, envelope.aggregate_id, date, envelope.data);
  if (aggregate == "institution") return apply_institution(rows, event->name, envelope.aggregate_id, envelope.data);
  return Status();
}

}  // namespace xyd::projections::statistics

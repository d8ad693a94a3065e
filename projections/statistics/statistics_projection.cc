#include "projections/statistics/statistics_projection.h"

#include <map>
#include <set>

#include "events/catalog.h"
#include "events/schema/application.h"
#include "events/schema/institution.h"
#include "events/schema/product.h"
#include "projections/dashboard/dashboard_keys.h"
#include "projections/keys.h"
#include "projections/view_names.h"

namespace xyd::projections::statistics {
namespace {

using dashboard::Counter;
using dashboard::flag_at;
using dashboard::int_at;
using dashboard::text_at;
using dashboard::timeline_of;
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
  // Changes the stock `figure` of `institution` by `delta` on `date` (nothing for a malformed date).
  Status stock(std::string_view institution, std::string_view figure, std::string_view date, Counter delta) {
    if (institution.empty() || !dashboard::is_date(date)) return Status();
    for (const auto& period : dashboard::periods_of(date, true)) {
      if (period == dashboard::kAllTime) continue;
      XYD_RETURN_IF_ERROR(dashboard::bump_counter(view_, stock_key(period, institution, figure), delta));
    }
    return Status();
  }
  Result<json> row(char kind, std::string_view id) {
    return dashboard::json_row(view_, row_key(kind, id),
                               "statistics row " + std::string(1, kind) + "/" + std::string(id));
  }
  void put_row(char kind, std::string_view id, const json& row) { view_.put(row_key(kind, id), row.dump()); }

 private:
  ViewWriter& view_;
};

// Docking ends on `date`, as on the dashboard (dashboard::docking_end).
Status end_docking(Rows& rows, json& app, const std::string& date) {
  const auto change = dashboard::docking_end(app, date);
  if (!change) return Status();
  const Counter one{1, int_at(app, "intended")};
  const std::string institution = text_at(app, "institution");
  if (!change->undo.empty()) XYD_RETURN_IF_ERROR(rows.stock(institution, figure::docking, change->undo, one));
  app["docking_ended"] = change->end;
  return rows.stock(institution, figure::docking, change->end, {-one.count, -one.amount});
}

Status apply_application(Rows& rows, const std::string& name, const std::string& id, const std::string& date,
                         const json& data) {
  XYD_ASSIGN_OR_RETURN(json app, rows.row('a', id));
  if (name == events::application::kApplicationSubmitted) {
    if (!app.is_null()) return Status();
    rows.put_row('a', id,
                 {{"institution", text_at(data, "institution")},
                  {"intended", 0},
                  {"accepted", false},
                  {"first_disbursed_at", ""}});
    return Status();
  }
  if (app.is_null()) return Status();  // an order whose submission this view never saw
  const std::string institution = text_at(app, "institution");
  if (name == events::application::kApplicationAccepted) {
    if (flag_at(app, "accepted")) return Status();
    const int64_t intended = int_at(data, "intended_amount");
    app["accepted"] = true;
    app["accepted_on"] = date;
    app["intended"] = intended;
    XYD_RETURN_IF_ERROR(rows.add(institution, figure::accepted, date, {1, intended}));
    XYD_RETURN_IF_ERROR(rows.stock(institution, figure::docking, date, {1, intended}));
    // A drawdown the log holds before the acceptance ends the docking on the day it began.
    if (const std::string first = text_at(app, "first_disbursed_at"); !first.empty())
      XYD_RETURN_IF_ERROR(end_docking(rows, app, first));
  } else if (name == events::application::kApplicationTerminated ||
             name == events::application::kApplicationWithdrawn || name == events::application::kCreditDeclined) {
    XYD_RETURN_IF_ERROR(end_docking(rows, app, date));
  } else if (name == events::application::kCreditGranted) {
    return rows.add(institution, figure::credit, text_at(data, "granted_at"), {1, int_at(data, "amount")});
  } else if (name == events::application::kLoanDisbursed) {
    const std::string disbursed_at = text_at(data, "disbursed_at");
    XYD_RETURN_IF_ERROR(rows.add(institution, figure::loans, disbursed_at, {1, int_at(data, "amount")}));
    const std::string first = text_at(app, "first_disbursed_at");
    if (first.empty() || (dashboard::is_date(disbursed_at) && disbursed_at < first))
      app["first_disbursed_at"] = disbursed_at;
    XYD_RETURN_IF_ERROR(end_docking(rows, app, dashboard::is_date(disbursed_at) ? disbursed_at : date));
  } else {
    return Status();
  }
  rows.put_row('a', id, app);
  return Status();
}

// Active products: a product is active while it is enabled and its institution is active
// (onboarded, neither suspended nor removed). The institution's and the product's events come on
// different topics in any interleaving, so each keeps its timeline (n <institution>: [instant,
// active]; p <product>: [instant, enabled], instants as CST wall clocks) and a product's changes of
// the stock, by date, are recomputed from both whenever either changes; only the difference to
// what it wrote before ("active": {date: change}) is written.
bool on(const json* entry) {
  return entry != nullptr && entry->is_array() && entry->size() > 1 && (*entry)[1].is_boolean() &&
         (*entry)[1].get<bool>();
}

void append_entry(json& row, const std::string& instant, bool state) {
  json timeline = timeline_of(row);
  timeline.push_back({instant, state});
  row["timeline"] = std::move(timeline);
}

std::map<std::string, int64_t> active_changes(const json& product, const json& institution) {
  std::map<std::string, int64_t> out;
  bool was = false;
  dashboard::walk_timelines(timeline_of(institution), timeline_of(product),
                            [&](const json* inst, const json* prod, const std::string& instant) {
                              const bool now = on(inst) && on(prod);
                              if (now != was) out[instant.substr(0, 10)] += now ? 1 : -1;
                              was = now;
                            });
  std::erase_if(out, [](const auto& change) { return change.second == 0; });
  return out;
}

Status recount_product(Rows& rows, json& product, const json& institution) {
  const auto after = active_changes(product, institution);
  std::map<std::string, int64_t> change = after;
  const json before = product.value("active", json::object());
  for (const auto& [date, n] : before.items())
    if (n.is_number_integer()) change[date] -= n.get<int64_t>();
  for (const auto& [date, n] : change)
    if (n != 0) XYD_RETURN_IF_ERROR(rows.stock(text_at(product, "institution"), figure::products_active, date, {n, 0}));
  product["active"] = after;
  return Status();
}

Result<json> institution_state(Rows& rows, const std::string& institution) {
  XYD_ASSIGN_OR_RETURN(json n, rows.row('n', institution));
  if (!n.is_object()) n = {{"active", false}, {"timeline", json::array()}, {"products", json::array()}};
  if (!n["products"].is_array()) n["products"] = json::array();
  return n;
}

Status apply_product(Rows& rows, const std::string& name, const std::string& id, const std::string& date,
                     const std::string& instant, const json& data) {
  XYD_ASSIGN_OR_RETURN(json product, rows.row('p', id));
  if (name == events::product::kProductPublished) {
    if (!product.is_null()) return Status();
    const std::string institution = text_at(data, "institution");
    product = {{"institution", institution}, {"enabled", true}};
    XYD_RETURN_IF_ERROR(rows.add(institution, figure::products, date, {1, 0}));
    // The institution lists its products, so that its changes reach them (it may come later).
    XYD_ASSIGN_OR_RETURN(json n, institution_state(rows, institution));
    n["products"].push_back(id);
    rows.put_row('n', institution, n);
  } else if (product.is_null()) {
    return Status();
  } else if (name == events::product::kProductDisabled || name == events::product::kProductWithdrawn ||
             name == events::product::kProductEnabled) {
    const bool enabled = name == events::product::kProductEnabled;
    if (flag_at(product, "enabled") == enabled) return Status();
    product["enabled"] = enabled;
  } else {
    return Status();
  }
  append_entry(product, instant, flag_at(product, "enabled"));
  XYD_ASSIGN_OR_RETURN(json n, institution_state(rows, text_at(product, "institution")));
  XYD_RETURN_IF_ERROR(recount_product(rows, product, n));
  rows.put_row('p', id, product);
  return Status();
}

// The institution became active or inactive at `instant`: its timeline, and every product's counts.
Status change_active(Rows& rows, const std::string& institution, const std::string& instant, bool active) {
  XYD_ASSIGN_OR_RETURN(json n, institution_state(rows, institution));
  if (flag_at(n, "active") == active && !timeline_of(n).empty()) return Status();
  n["active"] = active;
  append_entry(n, instant, active);
  rows.put_row('n', institution, n);
  for (const auto& product_id : n["products"]) {
    if (!product_id.is_string()) continue;
    XYD_ASSIGN_OR_RETURN(json product, rows.row('p', product_id.get<std::string>()));
    if (!product.is_object()) continue;
    XYD_RETURN_IF_ERROR(recount_product(rows, product, n));
    rows.put_row('p', product_id.get<std::string>(), product);
  }
  return Status();
}

Status apply_institution(Rows& rows, const std::string& name, const std::string& id, const std::string& instant,
                         const json& data) {
  XYD_ASSIGN_OR_RETURN(json institution, rows.row('i', id));
  if (name == events::institution::kInstitutionOnboarded) {
    if (!institution.is_null()) return Status();
    institution = {{"name", text_at(data, "full_name")},
                   {"short_name", text_at(data, "short_name")},
                   {"type", text_at(data, "type")},
                   {"region", text_at(data, "region")},
                   {"removed", false},
                   {"regions", json::array({json::array({instant.substr(0, 10), text_at(data, "region")})})}};
    XYD_RETURN_IF_ERROR(change_active(rows, id, instant, true));
  } else if (institution.is_null() || flag_at(institution, "removed")) {
    return Status();
  } else if (name == events::institution::kInstitutionUpdated) {
    const json changes = data.value("changes", json::object());
    for (const auto& [field, stored] : {std::pair{"full_name", "name"}, {"short_name", "short_name"}})
      if (changes.contains(field) && changes[field].is_object()) institution[stored] = text_at(changes[field], "after");
    // A move: the region from its date on (rows are listed where the institution is at the stock date).
    if (changes.contains("region") && changes["region"].is_object()) {
      const std::string region = text_at(changes["region"], "after");
      if (!region.empty() && region != text_at(institution, "region")) {
        institution["region"] = region;
        if (!institution.contains("regions") || !institution["regions"].is_array())
          institution["regions"] = json::array();
        institution["regions"].push_back(json::array({instant.substr(0, 10), region}));
      }
    }
  } else if (name == events::institution::kInstitutionSuspended || name == events::institution::kInstitutionResumed) {
    return change_active(rows, id, instant, name == events::institution::kInstitutionResumed);
  } else if (name == events::institution::kInstitutionRemoved) {
    institution["removed"] = true;
    XYD_RETURN_IF_ERROR(change_active(rows, id, instant, false));
  } else {
    return Status();
  }
  rows.put_row('i', id, institution);
  return Status();
}

const std::set<std::string>& relevant_events() {
  static const std::set<std::string> names = {
      events::institution::kInstitutionOnboarded, events::institution::kInstitutionUpdated,
      events::institution::kInstitutionRemoved,   events::institution::kInstitutionSuspended,
      events::institution::kInstitutionResumed,   events::product::kProductPublished,
      events::product::kProductDisabled,          events::product::kProductEnabled,
      events::product::kProductWithdrawn,         events::application::kApplicationSubmitted,
      events::application::kApplicationAccepted,  events::application::kApplicationTerminated,
      events::application::kApplicationWithdrawn, events::application::kCreditDeclined,
      events::application::kCreditGranted,        events::application::kLoanDisbursed};
  return names;
}

}  // namespace

std::string counter_prefix(std::string_view period) {
  return parts_key("c", period);
}

std::string counter_key(std::string_view period, std::string_view institution, std::string_view figure) {
  return parts_key(counter_prefix(period), institution, figure);
}

std::string stock_prefix(char grain) {
  return {'s', grain};
}

std::string stock_key(std::string_view period, std::string_view institution, std::string_view figure) {
  return parts_key(stock_prefix(dashboard::stock_grain(period)), period, institution, figure);
}

std::string row_key(char kind, std::string_view id) {
  return parts_key(std::string(1, kind), id);
}

namespace {

class StatisticsProjection final : public Projection {
 public:
  Status apply(ViewWriter& view, const EventContext& event) override;
};

}  // namespace

ProjectionSpec statistics_spec() {
  // Layout 2: docking and active products as stock changes (s rows).
  return spec_without_rules<StatisticsProjection>(
      view::kStatistics,
      "per-institution statistics (products, accepted, credit, loans, docking) by all time/year/month",
      event_topics({"institution", "product", "application"}), 2);
}

Status StatisticsProjection::apply(ViewWriter& view, const EventContext& context) {
  XYD_ASSIGN_OR_RETURN(auto event, dashboard::relevant_event(context, relevant_events()));
  if (!event) return Status();
  const events::Envelope& envelope = event->envelope;
  const std::string instant = dashboard::cst_instant(envelope.time).value_or("");  // CST wall clock
  const std::string date = instant.substr(0, 10);
  Rows rows(view);
  const std::string& aggregate = envelope.aggregate_type;
  if (aggregate == "application")
    return apply_application(rows, event->name, envelope.aggregate_id, date, envelope.data);
  if (aggregate == "product")
    return apply_product(rows, event->name, envelope.aggregate_id, date, instant, envelope.data);
  if (aggregate == "institution")
    return apply_institution(rows, event->name, envelope.aggregate_id, instant, envelope.data);
  return Status();
}

}  // namespace xyd::projections::statistics

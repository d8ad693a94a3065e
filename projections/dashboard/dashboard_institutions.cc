// The dashboard's institution and product figures (dashboard_counters.h): institutions onboarded
// (flow) and existing (stock), products published (flow, under their institution's region and type
// at publication) and active (stock: an enabled product of an active institution). The
// institution's and the product's events come on different topics in any interleaving, so each
// keeps its timeline in its state row, and a product's contributions are recomputed from both
// timelines whenever either changes; only the difference to what it contributed before is written.
#include <map>
#include <tuple>

#include "events/schema/institution.h"
#include "events/schema/product.h"
#include "projections/dashboard/dashboard_counters.h"

namespace xyd::projections::dashboard {
namespace {

using nlohmann::json;

// One contribution of a product: a figure at a date under its institution's region and type.
struct Contribution {
  std::string figure, date, region, itype, ptype;
  auto tie() const { return std::tie(figure, date, region, itype, ptype); }
  bool operator<(const Contribution& o) const { return tie() < o.tie(); }
};
using Contributions = std::map<Contribution, int64_t>;

json contributions_json(const Contributions& c) {
  json out = json::array();
  for (const auto& [k, n] : c) out.push_back({k.figure, k.date, k.region, k.itype, k.ptype, n});
  return out;
}

Contributions contributions_of(const json& stored) {
  Contributions out;
  if (!stored.is_array()) return out;
  for (const auto& e : stored) {
    if (!e.is_array() || e.size() != 6 || !e[5].is_number_integer()) continue;
    auto text = [&](size_t i) { return e[i].is_string() ? e[i].get<std::string>() : std::string(); };
    out[{text(0), text(1), text(2), text(3), text(4)}] += e[5].get<int64_t>();
  }
  return out;
}

std::string text_of(const json& entry, size_t i) {
  return entry.is_array() && i < entry.size() && entry[i].is_string() ? entry[i].get<std::string>() : std::string();
}
bool flag_of(const json& entry, size_t i) {
  return entry.is_array() && i < entry.size() && entry[i].is_boolean() && entry[i].get<bool>();
}

// Institution timeline entries: [instant, region, type, exists, active].
// Product timeline entries: [instant, enabled, product type].
// What the product contributes given both timelines.
Contributions compute(const json& product, const json& institution) {
  Contributions out;
  const json inst = timeline_of(institution), prod = timeline_of(product);
  if (inst.empty() || prod.empty()) return out;
  // Published: under the institution as it was then (its first state if the product came first).
  const std::string published = text_of(prod[0], 0);
  const json* at_publication = &inst[0];
  for (const auto& e : inst)
    if (text_of(e, 0) <= published) at_publication = &e;
  out[{std::string(figure::products), published.substr(0, 10), text_of(*at_publication, 1), text_of(*at_publication, 2),
       ""}] += 1;
  // Active: walk both timelines in time order.
  std::optional<Contribution> was;
  walk_timelines(inst, prod, [&](const json* inst_state, const json* prod_state, const std::string& instant) {
    std::optional<Contribution> now;
    if (inst_state && prod_state && flag_of(*inst_state, 4) && flag_of(*prod_state, 1))
      now = Contribution{std::string(figure::products_active), "", text_of(*inst_state, 1), text_of(*inst_state, 2),
                         text_of(*prod_state, 2)};
    const std::string date = instant.substr(0, 10);
    auto same = [](const std::optional<Contribution>& a, const std::optional<Contribution>& b) {
      return a.has_value() == b.has_value() &&
             (!a || (a->region == b->region && a->itype == b->itype && a->ptype == b->ptype));
    };
    if (same(was, now)) return;
    if (was) {
      Contribution c = *was;
      c.date = date;
      out[c] -= 1;
    }
    if (now) {
      Contribution c = *now;
      c.date = date;
      out[c] += 1;
    }
    was = now;
  });
  for (auto it = out.begin(); it != out.end();) it = it->second == 0 ? out.erase(it) : std::next(it);
  return out;
}

// Writes the difference between what `product` contributed and what it contributes now.
Status recount_product(Counters& counters, json& product, const json& institution) {
  const Contributions before = contributions_of(product.value("contributions", json::array()));
  const Contributions after = compute(product, institution);
  Contributions change = after;
  for (const auto& [k, n] : before) change[k] -= n;
  for (const auto& [c, n] : change) {
    if (n == 0) continue;
    if (c.figure == figure::products)
      XYD_RETURN_IF_ERROR(
          counters.add(figure::products, c.region, c.date, {n, 0}, {dim(kDimInstitutionType, c.itype)}, true));
    else
      XYD_RETURN_IF_ERROR(counters.stock(figure::products_active, c.region, c.date, {n, 0},
                                         {dim(kDimInstitutionType, c.itype), dim(kDimProductType, c.ptype)}, true));
  }
  product["contributions"] = contributions_json(after);
  return Status();
}

Status institution_stock(Counters& counters, const json& row, const std::string& date, int64_t delta) {
  return counters.stock(figure::institutions_active, text_at(row, "region"), date, {delta, 0},
                        {dim(kDimInstitutionType, text_at(row, "type"))}, true);
}

}  // namespace

Status apply_institution(Counters& counters, const std::string& name, const std::string& id, const std::string& time,
                         const json& data) {
  XYD_ASSIGN_OR_RETURN(json row, counters.row("inst", id));
  if (row.is_null()) row = {{"known", false}, {"products", json::array()}};
  const std::string date = time.substr(0, 10);
  const bool known = row.value("known", false), exists = row.value("exists", false);
  if (name == events::institution::kInstitutionOnboarded) {
    if (known) return Status();
    row["known"] = true;
    row["exists"] = true;
    row["active"] = true;
    row["type"] = text_at(data, "type");
    row["region"] = text_at(data, "region");
    XYD_RETURN_IF_ERROR(counters.add(figure::institutions, text_at(row, "region"), date, {1, 0},
                                     {dim(kDimInstitutionType, text_at(row, "type"))}, true));
    XYD_RETURN_IF_ERROR(institution_stock(counters, row, date, 1));
  } else if (!known || !exists) {
    return Status();
  } else if (name == events::institution::kInstitutionUpdated) {
    const json changes = data.value("changes", json::object());
    if (!changes.is_object() || !changes.contains("region") || !changes["region"].is_object()) return Status();
    const std::string region = text_at(changes["region"], "after");
    if (region.empty() || region == text_at(row, "region")) return Status();
    XYD_RETURN_IF_ERROR(institution_stock(counters, row, date, -1));
    row["region"] = region;
    XYD_RETURN_IF_ERROR(institution_stock(counters, row, date, 1));
  } else if (name == events::institution::kInstitutionSuspended || name == events::institution::kInstitutionResumed) {
    const bool active = name == events::institution::kInstitutionResumed;
    if (row.value("active", false) == active) return Status();
    row["active"] = active;
  } else if (name == events::institution::kInstitutionRemoved) {
    XYD_RETURN_IF_ERROR(institution_stock(counters, row, date, -1));
    row["exists"] = false;
    row["active"] = false;
  } else {
    return Status();
  }
  json timeline = timeline_of(row);
  timeline.push_back(
      {time, text_at(row, "region"), text_at(row, "type"), row.value("exists", false), row.value("active", false)});
  row["timeline"] = std::move(timeline);
  for (const auto& product_id : row.value("products", json::array())) {
    if (!product_id.is_string()) continue;
    XYD_ASSIGN_OR_RETURN(json product, counters.row("prod", product_id.get<std::string>()));
    if (!product.is_object()) continue;
    XYD_RETURN_IF_ERROR(recount_product(counters, product, row));
    counters.put_row("prod", product_id.get<std::string>(), product);
  }
  counters.put_row("inst", id, row);
  return Status();
}

Status apply_product(Counters& counters, const std::string& name, const std::string& id, const std::string& time,
                     const json& data) {
  XYD_ASSIGN_OR_RETURN(json row, counters.row("prod", id));
  if (name == events::product::kProductPublished) {
    if (!row.is_null()) return Status();
    row = {{"institution", text_at(data, "institution")}, {"ptype", text_at(data, "product_type")}, {"enabled", true}};
    // The institution lists its products, so that its changes reach them (it may come later).
    XYD_ASSIGN_OR_RETURN(json institution, counters.row("inst", text_at(row, "institution")));
    if (institution.is_null()) institution = {{"known", false}, {"products", json::array()}};
    if (!institution.contains("products") || !institution["products"].is_array())
      institution["products"] = json::array();
    institution["products"].push_back(id);
    counters.put_row("inst", text_at(row, "institution"), institution);
  } else if (row.is_null()) {
    return Status();
  } else if (name == events::product::kProductDisabled || name == events::product::kProductWithdrawn ||
             name == events::product::kProductEnabled) {
    row["enabled"] = name == events::product::kProductEnabled;
  } else if (name == events::product::kProductUpdated) {
    const json changes = data.value("changes", json::object());
    if (!changes.is_object() || !changes.contains("product_type") || !changes["product_type"].is_object())
      return Status();
    row["ptype"] = text_at(changes["product_type"], "after");
  } else {
    return Status();
  }
  json timeline = timeline_of(row);
  timeline.push_back({time, row.value("enabled", false), text_at(row, "ptype")});
  row["timeline"] = std::move(timeline);
  XYD_ASSIGN_OR_RETURN(json institution, counters.row("inst", text_at(row, "institution")));
  XYD_RETURN_IF_ERROR(recount_product(counters, row, institution.is_null() ? json::object() : institution));
  counters.put_row("prod", id, row);
  return Status();
}

}  // namespace xyd::projections::dashboard

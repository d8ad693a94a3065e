#include "aggregates/product.h"

#include <algorithm>

#include "aggregates/decide_table.h"
#include "aggregates/fields.h"
#include "aggregates/reference.h"
#include "events/json_input.h"
#include "events/schema/product.h"

namespace xyd::domain {
namespace {

using nlohmann::json;

constexpr int64_t kMaxRateBp = 100000;  // 1000 % a year: a typo guard, not a business limit
constexpr int64_t kMaxTermMonths = 600;
const std::vector<std::string> kDockingModes = {"online_link", "offline_manager", "api"};
// The fields a product's terms consist of (published together, updated one by one).
const std::vector<std::string> kTermsFields = {"name",
                                               "product_type",
                                               "amount_min",
                                               "amount_max",
                                               "rate_min_bp",
                                               "rate_max_bp",
                                               "term_min_months",
                                               "term_max_months",
                                               "service_regions",
                                               "featured",
                                               "admission_rules",
                                               "docking_mode",
                                               "link",
                                               "description"};

Status check_ordered(int64_t low, int64_t high, const std::string& field, const std::string& rule) {
  if (low > high)
    return refuse(Errc::invalid_argument,
                  field + ": the minimum " + std::to_string(low) + " exceeds the maximum " + std::to_string(high),
                  field, rule);
  return Status();
}

// Validates a product's complete terms; returns them normalised as they go into the event.
Result<json> check_terms(const json& t) {
  json out = json::object();
  XYD_ASSIGN_OR_RETURN(out["name"], required_string(t, "name"));
  XYD_ASSIGN_OR_RETURN(std::string type, required_string(t, "product_type"));
  if (!is_product_type(type))
    return refuse(Errc::invalid_argument, "'" + type + "' is not a product type", "product_type", "product-type");
  out["product_type"] = type;
  XYD_ASSIGN_OR_RETURN(int64_t amount_min, required_int(t, "amount_min", 1));
  XYD_ASSIGN_OR_RETURN(int64_t amount_max, required_int(t, "amount_max", 1));
  XYD_RETURN_IF_ERROR(check_ordered(amount_min, amount_max, "amount_max", "amount-range-ordered"));
  XYD_ASSIGN_OR_RETURN(int64_t rate_min, required_int(t, "rate_min_bp", 0, kMaxRateBp));
  XYD_ASSIGN_OR_RETURN(int64_t rate_max, required_int(t, "rate_max_bp", 0, kMaxRateBp));
  XYD_RETURN_IF_ERROR(check_ordered(rate_min, rate_max, "rate_max_bp", "rate-range-ordered"));
  XYD_ASSIGN_OR_RETURN(int64_t term_min, required_int(t, "term_min_months", 1, kMaxTermMonths));
  XYD_ASSIGN_OR_RETURN(int64_t term_max, required_int(t, "term_max_months", 1, kMaxTermMonths));
  XYD_RETURN_IF_ERROR(check_ordered(term_min, term_max, "term_max_months", "term-range-ordered"));
  out.update({{"amount_min", amount_min},
              {"amount_max", amount_max},
              {"rate_min_bp", rate_min},
              {"rate_max_bp", rate_max},
              {"term_min_months", term_min},
              {"term_max_months", term_max}});
  XYD_ASSIGN_OR_RETURN(auto regions, required_string_list(t, "service_regions"));
  for (const auto& region : regions) XYD_RETURN_IF_ERROR(check_region(region, "service_regions"));
  out["service_regions"] = regions;
  XYD_ASSIGN_OR_RETURN(out["featured"], optional_bool(t, "featured", false));
  out["admission_rules"] = member_or(t, "admission_rules", json::object());
  if (!out["admission_rules"].is_object())
    return refuse(Errc::invalid_argument, "admission_rules must be an object", "admission_rules", "object");
  XYD_ASSIGN_OR_RETURN(out["docking_mode"], required_one_of(t, "docking_mode", kDockingModes, "docking-mode"));
  for (const char* optional : {"link", "description"}) {
    XYD_ASSIGN_OR_RETURN(auto text, optional_string(t, optional));
    if (text) out[optional] = *text;
  }
  if (out["docking_mode"] == "online_link" && !out.contains("link"))
    return refuse(Errc::invalid_argument, "an online_link product needs its link", "link", "required");
  return out;
}

Status check_institution_active(const Command& command) {
  XYD_ASSIGN_OR_RETURN(json institution, context_object(command.context, "institution"));
  if (events::string_or(institution, "status") != "active")
    return refuse(Errc::refused, "the product's institution is not active", "institution", "institution-active");
  return Status();
}

std::string status_of(const AggregateState& state) {
  const std::string status = events::string_or(state.data, "status");
  return status.empty() ? "enabled" : status;
}

Status check_not_withdrawn(const AggregateState& state) {
  if (status_of(state) == "withdrawn")
    return refuse(Errc::refused, "the product was withdrawn: nothing happens after that", "status", "terminal-state");
  return Status();
}

Decision publish(const AggregateState&, const Command& command) {
  XYD_ASSIGN_OR_RETURN(std::string institution, required_string(command.body, "institution"));
  XYD_ASSIGN_OR_RETURN(json data, check_terms(command.body));
  XYD_RETURN_IF_ERROR(check_institution_active(command));
  data["institution"] = institution;
  return one_event(events::product::kProductPublished, std::move(data));
}

Decision update(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_not_withdrawn(state));
  XYD_ASSIGN_OR_RETURN(json changes, required_object(command.body, "changes"));
  if (changes.empty()) return refuse(Errc::invalid_argument, "changes is empty", "changes", "changes-something");
  json merged = state.data;
  json recorded = json::object();
  for (const auto& [field, value] : changes.items()) {
    if (std::find(kTermsFields.begin(), kTermsFields.end(), field) == kTermsFields.end())
      return refuse(Errc::invalid_argument, field + " is not a product term that can be updated", "changes." + field,
                    "updatable-field");
    merged[field] = value;
  }
  XYD_ASSIGN_OR_RETURN(json terms, check_terms(merged));
  for (const auto& [field, value] : changes.items())
    recorded[field] = {{"before", member_or(state.data, field, json())}, {"after", member_or(terms, field, json())}};
  return one_event(events::product::kProductUpdated, {{"changes", recorded}, {"by", command.actor.account}});
}

Decision set_enabled(const AggregateState& state, const Command& command, bool enable) {
  XYD_RETURN_IF_ERROR(check_not_withdrawn(state));
  const std::string want = enable ? "disabled" : "enabled";
  if (status_of(state) != want)
    return refuse(Errc::refused, "the product is not " + want, "status",
                  enable ? "product-disabled" : "product-enabled");
  if (enable) XYD_RETURN_IF_ERROR(check_institution_active(command));
  return one_event(enable ? events::product::kProductEnabled : events::product::kProductDisabled,
                   {{"by", command.actor.account}});
}

Decision disable(const AggregateState& state, const Command& command) {
  return set_enabled(state, command, false);
}
Decision enable(const AggregateState& state, const Command& command) {
  return set_enabled(state, command, true);
}

Decision withdraw(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_not_withdrawn(state));
  return one_event(events::product::kProductWithdrawn, {{"by", command.actor.account}});
}

const DecideTable& table() {
  static const DecideTable t = {"product",
                                "PublishProduct",
                                {{"PublishProduct", &publish},
                                 {"UpdateProduct", &update},
                                 {"DisableProduct", &disable},
                                 {"EnableProduct", &enable},
                                 {"WithdrawProduct", &withdraw}}};
  return t;
}

}  // namespace

bool serves_region(const json& service_regions, const std::string& region) {
  if (!service_regions.is_array()) return false;
  return std::any_of(service_regions.begin(), service_regions.end(), [&](const json& scope) {
    return scope.is_string() && region_scope_covers(scope.get<std::string>(), region);
  });
}

template <>
const std::string& ProductAggregate::type() const {
  return table().type;
}

template <>
Result<std::vector<NewEvent>> ProductAggregate::decide(const AggregateState& state, const Command& command) const {
  return dispatch(table(), state, command);
}

template <>
Subject ProductAggregate::subject(const AggregateState& state, const Command& command) const {
  Subject s;
  s.institution = events::string_or(state.exists() ? state.data : command.body, "institution");
  return s;
}

template <>
void ProductAggregate::apply(AggregateState& state, const std::string& event_name, const json& data) const {
  auto& s = state.data;
  if (event_name == events::product::kProductPublished) {
    s = data;
    s["status"] = "enabled";
  } else if (event_name == events::product::kProductUpdated) {
    const json changes = member_or(data, "changes", json::object());
    if (changes.is_object())
      for (const auto& [field, change] : changes.items()) s[field] = member_or(change, "after", json());
  } else if (event_name == events::product::kProductDisabled) {
    s["status"] = "disabled";
  } else if (event_name == events::product::kProductEnabled) {
    s["status"] = "enabled";
  } else if (event_name == events::product::kProductWithdrawn) {
    s["status"] = "withdrawn";
  }
}

}  // namespace xyd::domain

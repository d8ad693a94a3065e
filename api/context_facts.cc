#include "api/context_facts.h"

#include <fstream>
#include <sstream>

#include "aggregates/identifiers.h"
#include "events/json_input.h"

namespace xyd::api {
namespace {

using nlohmann::json;

Result<json> load_rule_set(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(Errc::not_found, "cannot read the rule set " + path, "rules", "rule-set-file");
  std::stringstream text;
  text << in.rdbuf();
  json rule_set = json::parse(text.str(), nullptr, false);
  if (!rule_set.is_object() || !rule_set.contains("version"))
    return make_error(Errc::invalid_argument, path + " is not a rule set (a JSON object with a version)", "rules",
                      "rule-set-json");
  return rule_set;
}

class RegistrationDataSources final : public DataSources {
 public:
  Result<json> certification_sources(const std::string&, const domain::AggregateState& enterprise) const override {
    const auto& d = enterprise.data;
    return json{{"market_supervision",
                 {{"registered", domain::check_uscc(events::string_or(d, "uscc")).ok()},
                  {"name", events::string_or(d, "name")},
                  {"legal_representative", events::string_or(d, "legal_representative")},
                  {"operating_status", "存续"}}},
                {"provincial_identity", {{"verified", true}}}};
  }
};

json rule_set_or_null(const json& rule_set) {
  return rule_set.is_object() ? rule_set : json();
}

}  // namespace

std::string string_at(const json& body, const char* field) {
  auto it = body.find(field);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<RuleSets> load_rule_sets(const std::string& rules_dir) {
  RuleSets sets;
  XYD_ASSIGN_OR_RETURN(sets.certification, load_rule_set(rules_dir + "/certification.json"));
  XYD_ASSIGN_OR_RETURN(sets.screening, load_rule_set(rules_dir + "/screening.json"));
  return sets;
}

const DataSources& registration_data_sources() {
  static const RegistrationDataSources sources;
  return sources;
}

Result<json> enterprise_facts(const ApiServices& services, const std::string& id) {
  XYD_ASSIGN_OR_RETURN(auto state, services.state.get("enterprise", id));
  if (!state) return json{{"exists", false}};
  const auto& d = state->data;
  const json signals = events::object_or_empty(d, "risk_signals");
  json facts = {
      {"exists", true},
      {"owner", events::string_or(d, "owner")},
      {"certified", events::bool_or(d, "certified", false) || events::string_or(d, "certification") == "certified"},
      {"region", events::string_or(d, "region")},
      {"industry", events::string_or(d, "industry")},
      {"name", events::string_or(d, "name")},
      {"whitelisted", events::bool_or(d, "whitelisted", false)},
      {"high_risk_signals", events::int_or(signals, "high")},
      {"medium_risk_signals", events::int_or(signals, "medium")}};
  if (d.contains("credit_score") && !d["credit_score"].is_null()) facts["credit_score"] = d["credit_score"];
  return facts;
}

Result<json> product_facts(const ApiServices& services, const std::string& id) {
  XYD_ASSIGN_OR_RETURN(auto state, services.state.get("product", id));
  if (!state) return json{{"exists", false}};
  json facts = state->data;
  facts["exists"] = true;
  return facts;
}

Result<json> institution_facts(const ApiServices& services, const std::string& id) {
  XYD_ASSIGN_OR_RETURN(auto state, services.state.get("institution", id));
  if (!state) return json{{"status", "unknown"}, {"type", ""}};
  return json{{"status", events::string_or(state->data, "status", "active")},
              {"type", events::string_or(state->data, "type")}};
}

Result<json> manager_facts(const ApiServices& services, const std::string& institution) {
  json managers = json::array();
  XYD_ASSIGN_OR_RETURN(auto state, services.state.get("institution", institution));
  if (!state) return managers;
  const json listed = events::object_or_empty(state->data, "managers");
  for (const auto& [account, entry] : listed.items()) {
    bool enabled = events::bool_or(entry, "enabled", true);
    if (enabled) {
      XYD_ASSIGN_OR_RETURN(auto person, services.state.get("account", account));
      enabled = person && events::string_or(person->data, "status") == "active";
    }
    XYD_ASSIGN_OR_RETURN(int64_t open_orders, services.state.open_orders(account));
    managers.push_back({{"account", account}, {"enabled", enabled}, {"open_orders", open_orders}});
  }
  return managers;
}

Result<json> certification_context(const ApiServices& services, const std::string& enterprise_id) {
  json context = {{"rule_set", rule_set_or_null(services.rules.certification)}};
  XYD_ASSIGN_OR_RETURN(auto state, services.state.get("enterprise", enterprise_id));
  if (!state) return context;  // the aggregate refuses: it does not exist
  const DataSources& sources = services.sources ? *services.sources : registration_data_sources();
  XYD_ASSIGN_OR_RETURN(context["sources"], sources.certification_sources(enterprise_id, *state));
  return context;
}

Result<json> application_context(const ApiServices& services, const json& body) {
  json context = {{"screening", rule_set_or_null(services.rules.screening)}};
  XYD_ASSIGN_OR_RETURN(context["enterprise"], enterprise_facts(services, string_at(body, "enterprise")));
  XYD_ASSIGN_OR_RETURN(json product, product_facts(services, string_at(body, "product")));
  const std::string institution = events::string_or(product, "institution");
  context["product"] = std::move(product);
  XYD_ASSIGN_OR_RETURN(context["institution"], institution_facts(services, institution));
  XYD_ASSIGN_OR_RETURN(context["managers"], manager_facts(services, institution));
  return context;
}

}  // namespace xyd::api

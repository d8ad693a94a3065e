#include "aggregates/rule_eval.h"

#include <algorithm>
#include <map>

#include "aggregates/fields.h"
#include "events/json_input.h"

namespace xyd::domain {
namespace {

using nlohmann::json;

Error grammar(const std::string& where, const std::string& what) {
  return refuse(Errc::invalid_argument, where + ": " + what, where, "rule-grammar");
}

Result<bool> compare(const std::string& op, const json& fact, const json& value, const json& facts,
                     const std::string& where) {
  if (op == "present") return !fact.is_null();
  if (op == "absent") return fact.is_null();
  if (op == "true") return fact.is_boolean() && fact.get<bool>();
  if (op == "false") return fact.is_boolean() && !fact.get<bool>();
  if (op == "equals") return !fact.is_null() && fact == value;
  if (op == "not_equals") return !fact.is_null() && fact != value;
  if (op == "equals_fact") {
    if (!value.is_string()) return grammar(where, "equals_fact needs a path as its value");
    return !fact.is_null() && fact == fact_at(facts, value.get<std::string>());
  }
  if (op == "in" || op == "not_in") {
    if (!value.is_array()) return grammar(where, op + " needs a list as its value");
    bool found = std::find(value.begin(), value.end(), fact) != value.end();
    return !fact.is_null() && (op == "in" ? found : !found);
  }
  if (op == "at_least" || op == "at_most") {
    if (!value.is_number_integer()) return grammar(where, op + " needs an integer value");
    if (!fact.is_number_integer()) return false;
    return op == "at_least" ? fact.get<int64_t>() >= value.get<int64_t>() : fact.get<int64_t>() <= value.get<int64_t>();
  }
  return grammar(where, "unknown op '" + op + "'");
}

Result<std::vector<RuleRun>> run_rules(const json& rules, const json& facts, const std::string& condition_key,
                                       const std::vector<std::string>* only) {
  std::map<std::string, const json*> by_id;
  for (const auto& rule : rules) by_id[events::string_or(rule, "id")] = &rule;
  std::vector<std::string> order;
  if (only) {
    order = *only;
  } else {
    for (const auto& rule : rules) order.push_back(events::string_or(rule, "id"));
  }
  std::vector<RuleRun> runs;
  for (const auto& id : order) {
    auto found = by_id.find(id);
    if (found == by_id.end()) return grammar("rules", "no rule with id '" + id + "'");
    const json& rule = *found->second;
    if (!events::bool_or(rule, "enabled", true)) continue;
    const std::string where = "rules." + id;
    if (!rule.contains(condition_key)) return grammar(where, "has no " + condition_key);
    XYD_ASSIGN_OR_RETURN(bool result, evaluate_condition(rule[condition_key], facts, where));
    RuleRun run{id, events::string_or(rule, "label"), result, {}, events::string_or(rule, "verdict")};
    for (const auto& source : events::array_or_empty(rule, "data_sources"))
      if (source.is_string()) run.data_sources.push_back(source);
    runs.push_back(std::move(run));
  }
  return runs;
}

Result<std::string> version_of(const json& rule_set) {
  if (!rule_set.is_object()) return grammar("rule_set", "must be an object");
  if (!rule_set.contains("version") || !rule_set["version"].is_string())
    return grammar("rule_set.version", "is required (a string)");
  if (!rule_set.contains("rules") || !rule_set["rules"].is_array())
    return grammar("rule_set.rules", "is required (a list)");
  for (const auto& rule : rule_set["rules"])
    if (!rule.is_object() || !rule.contains("id") || !rule["id"].is_string())
      return grammar("rule_set.rules", "every rule needs a string id");
  return rule_set["version"].get<std::string>();
}

const json* method_named(const json& rule_set, const std::string& method) {
  auto methods = rule_set.find("methods");
  if (methods == rule_set.end() || !methods->is_array()) return nullptr;
  for (const auto& m : *methods)
    if (m.is_object() && events::string_or(m, "id") == method) return &m;
  return nullptr;
}

}  // namespace

json fact_at(const json& facts, const std::string& path) {
  const json* at = &facts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(key)) return nullptr;
    at = &(*at)[key];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *at;
}

Result<bool> evaluate_condition(const json& condition, const json& facts, const std::string& where) {
  if (!condition.is_object()) return grammar(where, "a condition must be an object");
  if (condition.contains("all") || condition.contains("any")) {
    bool all = condition.contains("all");
    const json& parts = condition[all ? "all" : "any"];
    if (!parts.is_array()) return grammar(where, "all/any need a list of conditions");
    bool result = all;  // every part is evaluated, so a malformed one is never skipped
    for (const auto& part : parts) {
      XYD_ASSIGN_OR_RETURN(bool holds, evaluate_condition(part, facts, where));
      result = all ? (result && holds) : (result || holds);
    }
    return result;
  }
  if (condition.contains("not")) {
    XYD_ASSIGN_OR_RETURN(bool holds, evaluate_condition(condition["not"], facts, where));
    return !holds;
  }
  if (!condition.contains("fact") || !condition["fact"].is_string() || !condition.contains("op") ||
      !condition["op"].is_string())
    return grammar(where, "a condition needs \"fact\" and \"op\" (or all/any/not)");
  return compare(condition["op"], fact_at(facts, condition["fact"]), events::member_or_null(condition, "value"), facts,
                 where);
}

Result<AgreementTerms> certification_agreement(const json& rule_set) {
  XYD_RETURN_IF_ERROR(version_of(rule_set));
  json agreement = fact_at(rule_set, "agreement");
  if (!agreement.is_object() || !agreement.contains("version") || !agreement["version"].is_string() ||
      !agreement.contains("min_read_seconds") || !agreement["min_read_seconds"].is_number_integer())
    return grammar("rule_set.agreement", "needs version (a string) and min_read_seconds (an integer)");
  return AgreementTerms{agreement["version"], agreement["min_read_seconds"]};
}

Result<CertificationOutcome> evaluate_certification(const json& rule_set, const std::string& method,
                                                    const json& facts) {
  XYD_ASSIGN_OR_RETURN(std::string version, version_of(rule_set));
  const json* chosen = method_named(rule_set, method);
  if (!chosen)
    return refuse(Errc::invalid_argument,
                  "method '" + method + "' is not a certification method of rule set " + version, "method",
                  "certification-method");
  std::vector<std::string> ids;
  for (const auto& id : chosen->value("rules", json::array()))
    if (id.is_string()) ids.push_back(id);
  XYD_ASSIGN_OR_RETURN(auto runs, run_rules(rule_set["rules"], facts, "pass_when", &ids));
  CertificationOutcome outcome{version, method, chosen->value("manual_review", false), std::move(runs), {}};
  for (const auto& run : outcome.runs)
    if (!run.result) outcome.reasons.push_back(run.rule_id + ": " + run.label);
  return outcome;
}

Result<ScreeningOutcome> evaluate_screening(const json& rule_set, const json& facts) {
  XYD_ASSIGN_OR_RETURN(std::string version, version_of(rule_set));
  XYD_ASSIGN_OR_RETURN(auto runs, run_rules(rule_set["rules"], facts, "hit_when", nullptr));
  ScreeningOutcome outcome{version, "pass", std::move(runs)};
  for (const auto& run : outcome.runs) {
    if (run.verdict != "review" && run.verdict != "reject")
      return grammar("rules." + run.rule_id + ".verdict", "must be review or reject");
    if (run.result && outcome.verdict != "reject") outcome.verdict = run.verdict;
  }
  return outcome;
}

Status validate_certification_rules(const json& rule_set) {
  XYD_RETURN_IF_ERROR(certification_agreement(rule_set));
  if (!rule_set.contains("methods") || !rule_set["methods"].is_array() || rule_set["methods"].empty())
    return grammar("rule_set.methods", "is required (a non-empty list)");
  for (const auto& m : rule_set["methods"]) {
    if (!m.is_object() || !m.contains("id") || !m["id"].is_string())
      return grammar("rule_set.methods", "every method needs a string id");
    XYD_RETURN_IF_ERROR(evaluate_certification(rule_set, m["id"], json::object()));
  }
  return Status();
}

Status validate_screening_rules(const json& rule_set) {
  XYD_RETURN_IF_ERROR(evaluate_screening(rule_set, json::object()));
  return Status();
}

}  // namespace xyd::domain

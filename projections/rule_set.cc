#include "projections/rule_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "events/catalog.h"
#include "events/envelope.h"

namespace xyd::projections {
namespace {

using nlohmann::json;

Error bad(const RuleSet& rules, const std::string& field, const std::string& what, const std::string& rule) {
  return make_error(Errc::invalid_argument, rules.source + ": " + field + " " + what, field, rule);
}

Result<std::string> string_field(const RuleSet& rules, const json& j, const std::string& path, const char* name) {
  auto it = j.find(name);
  const std::string field = path.empty() ? name : path + "." + name;
  if (it == j.end() || !it->is_string() || it->get<std::string>().empty())
    return bad(rules, field, "must be a non-empty string", "required-string");
  return it->get<std::string>();
}

Result<int64_t> int_field(const RuleSet& rules, const json& j, const std::string& path, const char* name) {
  auto it = j.find(name);
  const std::string field = path + "." + name;
  if (it == j.end() || !it->is_number_integer()) return bad(rules, field, "must be an integer", "required-integer");
  return it->get<int64_t>();
}

Status validate(const RuleSet& rules) {
  if (rules.name == "delinquency") {
    auto parsed = delinquency_rules(rules);
    return parsed.ok() ? Status() : Status(parsed.error());
  }
  if (rules.name == "risk-warning") {
    auto parsed = risk_warning_rules(rules);
    return parsed.ok() ? Status() : Status(parsed.error());
  }
  if (rules.name == "ranking") {
    auto parsed = ranking_weights(rules);
    return parsed.ok() ? Status() : Status(parsed.error());
  }
  std::string known;
  for (const auto& name : known_rule_sets()) known += (known.empty() ? "" : ", ") + name;
  return bad(rules, "rule_set", "'" + rules.name + "' is not a rule set xyd knows (" + known + ")", "known-rule-set");
}

}  // namespace

const std::vector<std::string>& known_rule_sets() {
  static const std::vector<std::string> names = {"delinquency", "risk-warning", "ranking"};
  return names;
}

Result<RuleSet> parse_rule_set(std::string_view text, const std::string& source) {
  RuleSet rules;
  rules.source = source;
  rules.document = json::parse(text, nullptr, false);
  if (rules.document.is_discarded() || !rules.document.is_object())
    return make_error(Errc::invalid_argument, source + " is not a JSON object: fix its syntax", "rule_set",
                      "json-object");
  XYD_ASSIGN_OR_RETURN(rules.name, string_field(rules, rules.document, "", "rule_set"));
  XYD_ASSIGN_OR_RETURN(rules.version, string_field(rules, rules.document, "", "version"));
  rules.sha256 = events::sha256_hex(rules.document.dump());
  XYD_RETURN_IF_ERROR(validate(rules));
  return rules;
}

Result<RuleSet> load_rule_set(const std::string& dir, const std::string& name) {
  const std::string path = (std::filesystem::path(dir) / (name + ".json")).string();
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return make_error(Errc::not_found,
                      "rule set file " + path +
                          " cannot be read: point --rules (XYD_RULES) at the folder of rule sets "
                          "(ops/rules in the source tree)",
                      "rules", "rule-set-file");
  std::stringstream text;
  text << in.rdbuf();
  XYD_ASSIGN_OR_RETURN(RuleSet rules, parse_rule_set(text.str(), path));
  if (rules.name != name)
    return bad(rules, "rule_set", "says '" + rules.name + "' but the file is named " + name + ".json: they must agree",
               "matches-file-name");
  return rules;
}

Result<std::vector<RuleSet>> load_rule_sets(const std::string& dir) {
  std::vector<RuleSet> all;
  for (const auto& name : known_rule_sets()) {
    if (!std::filesystem::exists(std::filesystem::path(dir) / (name + ".json"))) continue;
    XYD_ASSIGN_OR_RETURN(RuleSet rules, load_rule_set(dir, name));
    all.push_back(std::move(rules));
  }
  return all;
}

const DelinquencyClass& DelinquencyRules::classify(int64_t days_past_due) const {
  const DelinquencyClass* chosen = &classes.front();
  for (const auto& c : classes)
    if (c.min_days_past_due <= days_past_due) chosen = &c;
  return *chosen;
}

const DelinquencyClass* DelinquencyRules::by_id(std::string_view id) const {
  for (const auto& c : classes)
    if (c.id == id) return &c;
  return nullptr;
}

Result<DelinquencyRules> delinquency_rules(const RuleSet& rules) {
  DelinquencyRules out;
  out.version = rules.version;
  const json& doc = rules.document;
  auto classes = doc.find("classes");
  if (classes == doc.end() || !classes->is_array() || classes->empty())
    return bad(rules, "classes", "must be a non-empty array of {id, label, min_days_past_due}", "required-array");
  std::set<std::string> ids;
  for (size_t i = 0; i < classes->size(); ++i) {
    const json& c = (*classes)[i];
    const std::string path = "classes[" + std::to_string(i) + "]";
    if (!c.is_object()) return bad(rules, path, "must be an object", "object");
    DelinquencyClass item;
    XYD_ASSIGN_OR_RETURN(item.id, string_field(rules, c, path, "id"));
    XYD_ASSIGN_OR_RETURN(item.label, string_field(rules, c, path, "label"));
    XYD_ASSIGN_OR_RETURN(item.min_days_past_due, int_field(rules, c, path, "min_days_past_due"));
    if (!ids.insert(item.id).second) return bad(rules, path + ".id", "repeats '" + item.id + "'", "unique");
    if (i == 0 && item.min_days_past_due != 0)
      return bad(rules, path + ".min_days_past_due", "must be 0: the first class holds loans that are not overdue",
                 "first-at-zero");
    if (i > 0 && item.min_days_past_due <= out.classes.back().min_days_past_due)
      return bad(rules, path + ".min_days_past_due",
                 "must be greater than " + std::to_string(out.classes.back().min_days_past_due) + " (classes[" +
                     std::to_string(i - 1) + "]): thresholds rise with the class",
                 "increasing");
    out.classes.push_back(std::move(item));
  }
  XYD_ASSIGN_OR_RETURN(out.written_off_class, string_field(rules, doc, "", "written_off_class"));
  if (!out.by_id(out.written_off_class))
    return bad(rules, "written_off_class", "names '" + out.written_off_class + "', which is not one of classes[].id",
               "known-class");
  return out;
}

bool RiskWarningRule::matches(std::string_view event_name, const nlohmann::json& data) const {
  if (event_name != event) return false;
  if (field.empty()) return true;
  auto value = data.find(field);
  if (value == data.end()) return false;
  if (at_least) return value->is_number_integer() && value->get<int64_t>() >= *at_least;
  if (!one_of.empty())
    return value->is_string() && std::find(one_of.begin(), one_of.end(), value->get<std::string>()) != one_of.end();
  return true;
}

Result<std::vector<RiskWarningRule>> risk_warning_rules(const RuleSet& rules) {
  const json& doc = rules.document;
  auto list = doc.find("rules");
  if (list == doc.end() || !list->is_array())
    return bad(rules, "rules", "must be an array of {id, event, when?, severity, message}", "required-array");
  std::vector<RiskWarningRule> out;
  std::set<std::string> ids;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& r = (*list)[i];
    const std::string path = "rules[" + std::to_string(i) + "]";
    if (!r.is_object()) return bad(rules, path, "must be an object", "object");
    RiskWarningRule rule;
    XYD_ASSIGN_OR_RETURN(rule.id, string_field(rules, r, path, "id"));
    if (!ids.insert(rule.id).second) return bad(rules, path + ".id", "repeats '" + rule.id + "'", "unique");
    XYD_ASSIGN_OR_RETURN(rule.event, string_field(rules, r, path, "event"));
    if (!events::EventCatalog::standard().by_name(rule.event))
      return bad(rules, path + ".event", "names '" + rule.event + "', which is not an event of the catalog",
                 "known-event");
    XYD_ASSIGN_OR_RETURN(rule.severity, string_field(rules, r, path, "severity"));
    if (rule.severity != "low" && rule.severity != "medium" && rule.severity != "high")
      return bad(rules, path + ".severity", "must be low, medium or high", "one-of");
    XYD_ASSIGN_OR_RETURN(rule.message, string_field(rules, r, path, "message"));
    if (auto when = r.find("when"); when != r.end()) {
      const std::string wpath = path + ".when";
      if (!when->is_object()) return bad(rules, wpath, "must be an object {field, at_least | one_of}", "object");
      XYD_ASSIGN_OR_RETURN(rule.field, string_field(rules, *when, wpath, "field"));
      if (auto at_least = when->find("at_least"); at_least != when->end()) {
        if (!at_least->is_number_integer()) return bad(rules, wpath + ".at_least", "must be an integer", "integer");
        rule.at_least = at_least->get<int64_t>();
      } else if (auto one_of = when->find("one_of"); one_of != when->end()) {
        if (!one_of->is_array() || one_of->empty())
          return bad(rules, wpath + ".one_of", "must be a non-empty array of strings", "array");
        for (const auto& v : *one_of) {
          if (!v.is_string()) return bad(rules, wpath + ".one_of", "must hold strings only", "array");
          rule.one_of.push_back(v.get<std::string>());
        }
      } else {
        return bad(rules, wpath, "needs at_least or one_of", "condition");
      }
    }
    out.push_back(std::move(rule));
  }
  return out;
}

Result<RankingWeights> ranking_weights(const RuleSet& rules) {
  RankingWeights out;
  out.version = rules.version;
  const json& doc = rules.document;
  auto rankings = doc.find("rankings");
  if (rankings == doc.end() || !rankings->is_object() || rankings->empty())
    return bad(rules, "rankings", "must be an object of ranking -> {figure: percent}", "required-object");
  for (const auto& [ranking, weights] : rankings->items()) {
    const std::string path = "rankings." + ranking;
    if (!weights.is_object() || weights.empty())
      return bad(rules, path, "must be an object of figure -> integer percent", "object");
    int64_t sum = 0;
    for (const auto& [figure, weight] : weights.items()) {
      if (!weight.is_number_integer() || weight.get<int64_t>() < 0 || weight.get<int64_t>() > 100)
        return bad(rules, path + "." + figure, "must be an integer percent from 0 to 100", "percent");
      sum += weight.get<int64_t>();
      out.rankings[ranking][figure] = weight.get<int64_t>();
    }
    if (sum != 100) return bad(rules, path, "weights sum to " + std::to_string(sum) + ", not 100", "sum-100");
  }
  return out;
}

}  // namespace xyd::projections

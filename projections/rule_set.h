// Rule sets: versioned configuration that projections read (shared/DOMAIN.md, "Risk-warning
// feeds"): loan delinquency thresholds, risk-warning rules, ranking weights. One JSON file per
// rule set under ops/rules/, named after it, carrying {"rule_set", "version", ...}; every
// projection row records the version of the rule set that produced it. Parsing validates
// everything and names the file and the field. Plain values, immutable once loaded.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"

namespace xyd::projections {

struct RuleSet {
  std::string name;     // "delinquency"; the file is <name>.json
  std::string version;  // as the file says; a change of content needs a new version
  std::string sha256;   // of the document's compact JSON: tells an edit that kept its version
  nlohmann::json document;
  std::string source;  // where it was read from

  bool same_content(const RuleSet& other) const { return sha256 == other.sha256; }
};

// The rule sets xyd knows: "delinquency", "risk-warning", "ranking".
const std::vector<std::string>& known_rule_sets();

// Parses and validates a rule set document.
Result<RuleSet> parse_rule_set(std::string_view text, const std::string& source);
// Reads <dir>/<name>.json.
Result<RuleSet> load_rule_set(const std::string& dir, const std::string& name);
// Every known rule set present in `dir` (a missing file is skipped; an invalid one is an error).
Result<std::vector<RuleSet>> load_rule_sets(const std::string& dir);

// --- delinquency: the five-class loan classification (五级分类) by days past due ---
struct DelinquencyClass {
  std::string id;     // "substandard"
  std::string label;  // "次级"
  int64_t min_days_past_due = 0;
};

struct DelinquencyRules {
  std::string version;
  std::vector<DelinquencyClass> classes;  // thresholds strictly increasing, the first at 0
  std::string written_off_class;          // the class of a written-off loan (坏账)

  // The class whose threshold is the largest one not above `days_past_due`.
  const DelinquencyClass& classify(int64_t days_past_due) const;
  const DelinquencyClass* by_id(std::string_view id) const;
};
Result<DelinquencyRules> delinquency_rules(const RuleSet& rules);

// --- risk-warning: which events raise a warning, and when ---
struct RiskWarningRule {
  std::string id;     // "loan-overdue-30"
  std::string event;  // an event name of the catalog: "LoanOverdue"
  std::string field;  // a data field the condition reads ("" = always)
  std::optional<int64_t> at_least;
  std::vector<std::string> one_of;
  std::string severity;  // "low", "medium", "high"
  std::string message;

  // Whether an event of `event` with `data` raises this warning.
  bool matches(std::string_view event_name, const nlohmann::json& data) const;
};
Result<std::vector<RiskWarningRule>> risk_warning_rules(const RuleSet& rules);

// --- ranking: weights (integer percent, each ranking summing to 100) of the ranking figures ---
struct RankingWeights {
  std::string version;
  std::map<std::string, std::map<std::string, int64_t>> rankings;  // ranking -> figure -> percent
};
Result<RankingWeights> ranking_weights(const RuleSet& rules);

}  // namespace xyd::projections

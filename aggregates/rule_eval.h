// Evaluators of the two rule sets the write side decides with (ops/rules/certification.json,
// ops/rules/screening.json; grammar in ops/rules/README.md). The server reads a rule set's
// document and passes it in a command's context, so decisions stay pure and name the version
// they used. Conditions read "facts": a JSON object addressed by dotted paths. Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "events/result.h"

namespace xyd::domain {

// Whether `condition` holds for `facts`. Grammar:
//   {"fact": "a.b", "op": "present"|"absent"|"true"|"false"}
//   {"fact": "a.b", "op": "equals"|"not_equals"|"at_least"|"at_most"|"in"|"not_in", "value": V}
//   {"fact": "a.b", "op": "equals_fact", "value": "c.d"}
//   {"all": [C, ...]}   {"any": [C, ...]}   {"not": C}
// A missing fact makes every comparison false (only "absent" holds). A malformed condition is an
// invalid_argument naming `where` with rule "rule-grammar".
Result<bool> evaluate_condition(const nlohmann::json& condition, const nlohmann::json& facts, const std::string& where);

// The value at a dotted path of `facts`, or null.
nlohmann::json fact_at(const nlohmann::json& facts, const std::string& path);

// One rule's run, as the flow logs record it.
struct RuleRun {
  std::string rule_id;
  std::string label;
  bool result = false;  // certification: passed; screening: hit
  std::vector<std::string> data_sources;
  std::string verdict;  // screening: the verdict a hit asks for ("review", "reject")
};

struct CertificationOutcome {
  std::string version;
  std::string method;
  bool manual_review = false;
  std::vector<RuleRun> runs;         // the enabled rules of the method, in its order
  std::vector<std::string> reasons;  // "<rule id>: <label>" of each failed rule
};

// The certification rule set's current agreement version and minimum reading time.
struct AgreementTerms {
  std::string version;
  int64_t min_read_seconds = 0;
};
Result<AgreementTerms> certification_agreement(const nlohmann::json& rule_set);
// Runs the rules of `method` (invalid_argument "certification-method" for a method the rule set
// does not offer). Facts: {"enterprise": ..., "submission": ..., "sources": ...}.
Result<CertificationOutcome> evaluate_certification(const nlohmann::json& rule_set, const std::string& method,
                                                    const nlohmann::json& facts);

struct ScreeningOutcome {
  std::string version;
  std::string verdict;  // "pass", "review" or "reject": the strongest verdict of the hit rules
  std::vector<RuleRun> runs;
};
// Runs every enabled screening rule. Facts: {"application": ..., "enterprise": ..., "product": ...}.
Result<ScreeningOutcome> evaluate_screening(const nlohmann::json& rule_set, const nlohmann::json& facts);

// Checks a whole document of either rule set (every rule's condition parses; every method names
// known rules); used by tests on the shipped files and by the server when loading them.
[[nodiscard]] Status validate_certification_rules(const nlohmann::json& rule_set);
[[nodiscard]] Status validate_screening_rules(const nlohmann::json& rule_set);

}  // namespace xyd::domain

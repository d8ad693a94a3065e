// Rankings (排行): candidates (regions or institutions) with their figures, ordered by one figure
// or by a composite score weighted by the ranking rule set (ops/rules/ranking.json). Order: value
// descending, then code ascending (deterministic ties). Composite score, in 1/10000 points out of
// 100: Σ over the weighted figures of floor(weight × value × 10000 / max), max being the largest
// value of that figure among all candidates (a figure whose max is 0 adds nothing). Pure; any
// thread.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "events/result.h"

namespace xyd::projections::ranking {

struct Candidate {
  std::string code;  // region code or institution id
  std::string name;
  std::map<std::string, int64_t> figures;           // figure -> value
  nlohmann::json extra = nlohmann::json::object();  // shown with the item (type, region, ...)
};

struct Weights {
  std::string rule_set = "ranking";
  std::string version;
  std::map<std::string, int64_t> percent;  // figure -> weight
};

// The composite score of each candidate (same order as `candidates`).
std::vector<int64_t> composite_scores(const std::vector<Candidate>& candidates, const Weights& weights);

// The top `top` candidates by `by` ("composite" or a figure every candidate has; unknown: a 400
// naming `by` and the figures known). Items: {rank, code, name, value, figures, ...extra}; with
// composite, value is the score and the answer names the rule set and its version.
Result<nlohmann::json> rank(std::vector<Candidate> candidates, const std::string& by, size_t top,
                            const Weights& weights, const std::vector<std::string>& known_figures);

}  // namespace xyd::projections::ranking

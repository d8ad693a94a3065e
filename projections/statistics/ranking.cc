#include "projections/statistics/ranking.h"

#include <algorithm>

namespace xyd::projections::ranking {

__extension__ typedef __int128 Wide;  // weight x value x 10000 exceeds 64 bits for large amounts

using nlohmann::json;

std::vector<int64_t> composite_scores(const std::vector<Candidate>& candidates, const Weights& weights) {
  std::vector<int64_t> scores(candidates.size(), 0);
  for (const auto& [figure, weight] : weights.percent) {
    int64_t max = 0;
    for (const auto& c : candidates) {
      auto it = c.figures.find(figure);
      if (it != c.figures.end()) max = std::max(max, it->second);
    }
    if (max <= 0) continue;
    for (size_t i = 0; i < candidates.size(); ++i) {
      auto it = candidates[i].figures.find(figure);
      const int64_t value = it == candidates[i].figures.end() ? 0 : std::max<int64_t>(0, it->second);
      scores[i] += static_cast<int64_t>(static_cast<Wide>(weight) * value * 10000 / max);
    }
  }
  return scores;
}

Result<json> rank(std::vector<Candidate> candidates, const std::string& by, size_t top, const Weights& weights,
                  const std::vector<std::string>& known_figures) {
  const bool composite = by == "composite";
  if (!composite && std::find(known_figures.begin(), known_figures.end(), by) == known_figures.end()) {
    std::string known = "composite";
    for (const auto& f : known_figures) known += ", " + f;
    return make_error(Errc::invalid_argument, "by " + by + " is not a ranking figure (" + known + ")", "by",
                      "ranking-figure");
  }
  std::vector<int64_t> values(candidates.size());
  if (composite)
    values = composite_scores(candidates, weights);
  else
    for (size_t i = 0; i < candidates.size(); ++i) values[i] = candidates[i].figures[by];
  std::vector<size_t> order(candidates.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (values[a] != values[b]) return values[a] > values[b];
    return candidates[a].code < candidates[b].code;
  });
  json items = json::array();
  for (size_t r = 0; r < order.size() && r < top; ++r) {
    const Candidate& c = candidates[order[r]];
    json item = c.extra;
    item["rank"] = r + 1;
    item["code"] = c.code;
    item["name"] = c.name;
    item["value"] = values[order[r]];
    item["figures"] = c.figures;
    items.push_back(std::move(item));
  }
  json out = {{"by", by},
              {"order", "value descending, then code ascending"},
              {"candidates", candidates.size()},
              {"items", items}};
  if (composite) {
    out["rule_set"] = {{"name", weights.rule_set}, {"version", weights.version}, {"weights", weights.percent}};
    out["score_unit"] = "1/10000 point of 100: sum of floor(weight x value x 10000 / max of the figure)";
  }
  return out;
}

}  // namespace xyd::projections::ranking

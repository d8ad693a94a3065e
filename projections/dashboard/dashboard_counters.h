// The rows one dashboard event touches, through the batch's view and the projection's counter
// cache: flow counters, stock changes, cohort rows and state rows. Internal to the dashboard
// projection; lives for one apply() on the applying thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "projections/dashboard/dashboard_keys.h"
#include "projections/dashboard/dashboard_projection.h"

namespace xyd::projections::dashboard {

class Counters {
 public:
  Counters(ViewWriter& view, DashboardProjection::CounterCache& cache, bool& complete)
      : view_(view), cache_(cache), complete_(complete) {}

  // Adds `delta` to the flow `figure` under every scope of `region` × every period of `date` (""
  // or a malformed date: all time only); the totals also under the day, each of `dims` (and the
  // child region when `by_region`) under all, year and month.
  Status add(std::string_view figure, std::string_view region, std::string_view date, Counter delta,
             const std::vector<std::string>& dims, bool by_region);
  // Changes the stock `figure` by `delta` on `date` (nothing for a malformed date) under every
  // scope of `region`: its total, each of `dims` and (when `by_region`) the child region, in the
  // year, month and day of the date.
  Status stock(std::string_view figure, std::string_view region, std::string_view date, Counter delta,
               const std::vector<std::string>& dims, bool by_region);
  // Moves `delta` orders accepted on `accepted` (under all, its year and month) to the cohort
  // row of their first drawdown dated `first_drawdown`.
  Status cohort(std::string_view region, std::string_view accepted, std::string_view first_drawdown, int64_t delta);

  Result<nlohmann::json> row(std::string_view kind, std::string_view id);
  void put_row(std::string_view kind, std::string_view id, const nlohmann::json& row) {
    view_.put(state_key(kind, id), row.dump());
  }
  void put(const std::string& key, const std::string& value) { view_.put(key, value); }

 private:
  Status bump(std::string key, Counter delta);

  static constexpr size_t kMaxCachedCounters = 1 << 20;
  ViewWriter& view_;
  DashboardProjection::CounterCache& cache_;
  bool& complete_;  // every counter row of the view is in the cache (a build from empty)
};

inline std::string dim(std::string_view kind, std::string_view value) {
  return std::string(kind) + std::string(value);
}

// Institution and product events (dashboard_institutions.cc): institutions, active products and
// product publications, each counted where and as its institution then was.
Status apply_institution(Counters& counters, const std::string& name, const std::string& id, const std::string& time,
                         const nlohmann::json& data);
Status apply_product(Counters& counters, const std::string& name, const std::string& id, const std::string& time,
                     const nlohmann::json& data);

}  // namespace xyd::projections::dashboard

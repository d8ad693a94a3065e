// The dashboard projection (数据中心): the counters behind the government dashboard of
// shared/DOMAIN.md ("Read side"), for the whole country, a province or a city, over all time, a
// year, a month or a day, from the account, enterprise, institution, product, demand and
// application events (the queries over them: dashboard_query.h). Called by its version's applying
// thread only.
//
// Design. Every figure is an additive counter row "<count> <amount>" keyed by
//   c <scope> <period> <figure> <dim>
// where scope is "CN", a province "NN0000" or a city "NNNN00"; period "all", "YYYY", "YYYY-MM" or
// (totals only, for the "today new" figures) "YYYY-MM-DD"; figure one of dashboard_keys.h; dim ""
// for the total or "region/<child>", "industry/<A-T>", "itype/<type>", "ptype/<type>",
// "kind/<account kind>" for a distribution. An event adds to its country, province and city
// scopes × the all-time, year, month (and day) periods of the date it counts under, so a query
// reads the rows of one scope and period only, and a rebuild is the same fold from empty. A
// counter that falls back to 0 0 is erased. Beside them:
//   t <scope> <figure> <period>   demand and loan per year and month (the trend), "<count> <amount>"
//   d <scope> <inverted date> <application> <loan>   each disbursement, newest first (dynamics)
//   k <scope> <Y|M|D> <period> <figure> <dim>   a stock figure's change in that year, month or day
//   o <scope> <acceptance period> <first drawdown date>   the cohort of the loan success rate
//   s <kind> <id>   what later events need: app (region, industry, institution type, intended
//                   amount, docking?, first drawdown date), demand, ent, inst (type, region,
//                   products waiting for it), prod
//
// Which date and place (DOMAIN.md): credit under granted_at, loans under disbursed_at, bad debt
// under the write-off's as_of (business dates); registrations, submissions, demands published,
// acceptances, certifications under the event's time as a China Standard Time date. Application
// and loan figures count under the region and industry copied into ApplicationSubmitted and its
// institution's type; demands under their own region; enterprises and accounts under their region;
// products and institutions under the institution's region.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "projections/dashboard/dashboard_keys.h"
#include "projections/projection.h"

namespace xyd::projections::dashboard {

ProjectionSpec dashboard_spec();

class DashboardProjection final : public Projection {
 public:
  Status apply(ViewWriter& view, const EventContext& event) override;
  void begin(bool view_was_empty) override { view_was_empty_ = view_was_empty; }
  // Drops the counter cache when a batch was not committed (its values may not be in the view).
  void batch_done(bool committed) override {
    if (!committed) {
      counters_.forget();
      view_was_empty_ = false;
    }
  }
  void end_batch(ViewWriter& view) override { counters_.flush(view); }

  // The counter rows as this projection last bumped them, so a bump needs no read of the view (a
  // rebuild bumps ~40 counters per event) and a batch writes each bumped counter once, at its end;
  // capped, then flushed, forgotten and read again from the view.
  struct CounterCache {
    struct Entry {
      Counter value;
      bool dirty = false;  // bumped since the view last had it
    };
    std::unordered_map<std::string, Entry> rows;
    std::vector<std::pair<const std::string, Entry>*> dirty;  // map nodes: stable across rehashes
    // Writes the dirty counters into `view` (a counter back at 0 0 is erased).
    void flush(ViewWriter& view);
    void forget() {
      rows.clear();
      dirty.clear();
    }
  };

 private:
  CounterCache counters_;
  bool view_was_empty_ = false;  // a build from empty: a counter not in the cache does not exist
};

}  // namespace xyd::projections::dashboard

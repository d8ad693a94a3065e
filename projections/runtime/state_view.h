// StateView: the live state projection as the API reads it: one aggregate's current state, the
// aggregates of a type, and a bounded wait until an aggregate reaches a version (read-your-writes:
// a command route waits for the view to show what it just wrote before it answers). Any thread.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "aggregates/command.h"
#include "projections/runtime/runtime.h"

namespace xyd::projections::runtime {

class StateView {
 public:
  explicit StateView(const ProjectionRuntime& runtime) : runtime_(runtime) {}

  // The aggregate's state; nullopt when the view has no event of it.
  Result<std::optional<domain::AggregateState>> get(const std::string& type, const std::string& id) const;
  // Visits the aggregates of a type in id order while `visit` returns true.
  [[nodiscard]] Status scan(const std::string& type,
                            const std::function<bool(const std::string& id, const domain::AggregateState&)>& visit,
                            const std::string& from_id = "") const;
  // The account manager's open orders (assigned, not yet terminal); 0 for none.
  Result<int64_t> open_orders(const std::string& manager) const;
  // Waits until the aggregate is at `version` or later; timeout (with what the view shows) after `limit`.
  [[nodiscard]] Status wait_for(const std::string& type, const std::string& id, int64_t version,
                                std::chrono::milliseconds limit) const;

 private:
  const ProjectionRuntime& runtime_;
};

}  // namespace xyd::projections::runtime

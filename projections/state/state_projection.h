// The state projection: the current state of every aggregate (version and fields), as each
// aggregate's own apply() makes it, for every partition, and each account manager's count of
// open orders (load/<manager>). It is the replicated reference view of
// docs/DECISIONS.md: GET of an aggregate, access checks on queries, authentication (is the account
// still active), and the cross-aggregate facts a command carries in its context all read it.
// Called by its version's applying thread only; the query functions by any reader.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "aggregates/command.h"
#include "projections/projection.h"

namespace xyd::projections::state {

ProjectionSpec state_spec();

// The row key of an aggregate: "<type>/<id>".
std::string state_key(std::string_view type, std::string_view id);

// The current state of one aggregate; nullopt when it has no event in the view.
Result<std::optional<domain::AggregateState>> read_state(const ViewReader& view, const std::string& type,
                                                         const std::string& id);

// The open orders of an account manager: applications assigned to it and not yet in a terminal
// status (row "load/<manager>", kept as each application event moves an order between managers
// or ends it), so dispatch reads one row per manager instead of scanning the orders.
std::string load_key(std::string_view manager);
Result<int64_t> read_open_orders(const ViewReader& view, const std::string& manager);

// Visits the aggregates of one type in id order, from the first id >= `from_id`, while `visit`
// returns true.
[[nodiscard]] Status scan_states(
    const ViewReader& view, const std::string& type, const std::string& from_id,
    const std::function<bool(const std::string& id, const domain::AggregateState&)>& visit);

}  // namespace xyd::projections::state

// The events of the Demand (融资需求) aggregate (shared/DOMAIN.md): their names, and each one's
// data fields with their kinds, required or optional. The catalog (events/catalog.h) is made from
// these declarations, and deciders and projections name events by these constants. Pure; any thread.
#pragma once

#include "events/schema/field.h"

namespace xyd::events::demand {

inline constexpr char kDemandPublished[] = "DemandPublished";
inline constexpr char kDemandClaimed[] = "DemandClaimed";
inline constexpr char kDemandAssigned[] = "DemandAssigned";
inline constexpr char kDemandClosed[] = "DemandClosed";

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::demand

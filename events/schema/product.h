// The events of the Product (金融产品) aggregate (shared/DOMAIN.md): their names, and each one's
// data fields with their kinds, required or optional. The catalog (events/catalog.h) is made from
// these declarations, and deciders and projections name events by these constants. Pure; any thread.
#pragma once

#include "events/schema/field.h"

namespace xyd::events::product {

inline constexpr char kProductPublished[] = "ProductPublished";
inline constexpr char kProductUpdated[] = "ProductUpdated";
inline constexpr char kProductDisabled[] = "ProductDisabled";
inline constexpr char kProductEnabled[] = "ProductEnabled";
inline constexpr char kProductWithdrawn[] = "ProductWithdrawn";

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::product

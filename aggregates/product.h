// The Product aggregate (金融产品, shared/DOMAIN.md): an institution's financing product with its
// amount, rate and term ranges, service regions (GB/T 2260 prefix scoping), docking mode and
// admission rules; published, updated, disabled/enabled, withdrawn (terminal). Pure; any thread.
#pragma once

#include "aggregates/aggregate.h"

namespace xyd::domain {

using ProductAggregate = DomainAggregate<struct ProductTag>;

// Whether a product's service regions cover `region` (a province code covers its cities and
// counties, a city code its counties).
bool serves_region(const nlohmann::json& service_regions, const std::string& region);

}  // namespace xyd::domain

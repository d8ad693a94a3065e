// The Demand aggregate (融资需求, shared/DOMAIN.md): a financing demand an enterprise publishes,
// claimed by an account manager or assigned by an institution admin, closed as converted,
// withdrawn or expired (terminal). Pure; any thread.
#pragma once

#include "aggregates/aggregate.h"
#include "aggregates/decide_table.h"

namespace xyd::domain {

using DemandAggregate = DomainAggregate<struct DemandTag>;

// Whether context.managers (the institution's managers: [{account, enabled, open_orders}]) has
// `manager` enabled; refused "manager-enabled" naming `field` otherwise. Shared with applications.
[[nodiscard]] Status check_enabled_manager(const nlohmann::json& context, const std::string& manager,
                                           const std::string& field);

}  // namespace xyd::domain

// The Enterprise aggregate (企业主体, shared/DOMAIN.md): registration, certification by the
// versioned certification rule set (or a system admin's review), profile changes, the
// government whitelist, risk signals, followers and credit scores. Its id is "ent-" + USCC, so
// one writer keeps each USCC unique. Pure; any thread.
#pragma once

#include <string>

#include "aggregates/aggregate.h"
#include "aggregates/decide_table.h"

namespace xyd::domain {

// "ent-" + the unified social credit code.
std::string enterprise_id_for_uscc(const std::string& uscc);

using EnterpriseAggregate = DomainAggregate<struct EnterpriseTag>;

// Certification commands (enterprise_certification.cc).
Decision submit_certification(const AggregateState& state, const Command& command);
Decision review_certification(const AggregateState& state, const Command& command);

}  // namespace xyd::domain

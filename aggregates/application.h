// The Application aggregate (订单 / 进件, shared/DOMAIN.md), the centre of the platform: an
// enterprise's application for a product, screened by the versioned screening rule set and
// dispatched to the least-loaded manager in the same decision, then accepted, granted credit,
// disbursed in one or more loans, repaid, overdue, written off or settled. State keeps each
// loan's outstanding principal. Split by concern: application_submit.cc (submission, screening,
// dispatch), application_handling.cc (manager, acceptance, ending), application_loans.cc
// (credit, loans, repayments). Pure; any thread.
#pragma once

#include "aggregates/aggregate.h"

namespace xyd::domain {

using ApplicationAggregate = DomainAggregate<struct ApplicationTag>;

// Order statuses: submitted screened assigned accepted credit_granted disbursed overdue, and the
// terminal ones settled bad_debt terminated withdrawn credit_declined.
bool is_terminal_application_status(const std::string& status);

}  // namespace xyd::domain

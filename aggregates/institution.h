// The Institution aggregate (金融机构, shared/DOMAIN.md): onboarding, updates, suspension and
// removal, and its account managers (each enabled or disabled). Its id is the institution id the
// caller gives ("inst-..."). Pure; any thread.
#pragma once

#include "aggregates/aggregate.h"

namespace xyd::domain {

using InstitutionAggregate = DomainAggregate<struct InstitutionTag>;

}  // namespace xyd::domain

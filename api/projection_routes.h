// The operator's projection routes and the reads of the loan-delinquency view. Registered once
// at start-up; handlers run on the HTTP threads and only start work (a rebuild runs in the
// projection runtime, its progress in GET).
//   GET    /api/v1/ops/projections                  every projection: live version, lag, rule-set version, rebuild
//   GET    /api/v1/ops/projections/{name}           one of them
//   POST   /api/v1/ops/projections/{name}/rebuild   builds a new version beside the live one (202)
//   DELETE /api/v1/ops/projections/{name}/rebuild   abandons that build
//   GET    /api/v1/risk/loans                       loans by delinquency class (?class= &limit &cursor)
//   GET    /api/v1/risk/loans/{loan_number}         one loan's class, the rule and rule-set version behind it
#pragma once

#include "api/router.h"
#include "projections/runtime/runtime.h"

namespace xyd::api {

void add_projection_routes(Router& router, projections::runtime::ProjectionRuntime& runtime);

}  // namespace xyd::api

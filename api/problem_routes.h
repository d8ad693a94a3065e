// GET /problems and GET /problems/{kind}: the pages the problem documents' `type` URIs lead to,
// one per problem type, as HTML or JSON by Accept. Open routes; handlers run on request threads.
#pragma once

#include "api/router.h"

namespace xyd::api {

void add_problem_routes(Router& router);

}  // namespace xyd::api

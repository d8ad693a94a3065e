// The product routes of the financing lifecycle (api/README.md lists them). Registered once at
// start-up; handlers run on any request thread.
#pragma once

#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

void add_product_routes(Router& router, ApiServices& services);

}  // namespace xyd::api

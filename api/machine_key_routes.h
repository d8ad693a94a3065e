// Machine identities for connectors: an institution's API keys (several active during rotation;
// the key is shown once, stored hashed) and its webhook signing secrets, managed by the
// institution's admin or a system admin; data-source keys, managed by a system admin. Handlers run
// on request threads.
#pragma once

#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

void add_machine_key_routes(Router& router, ApiServices& services);

}  // namespace xyd::api

// Account routes: self-registration (enterprise users, individuals) and creation by an
// administrator (POST /api/v1/accounts; an initial password goes to the new account's phone and
// must be changed at first login), reading and listing accounts within the caller's scope, and
// approval, rejection, enabling and disabling. Handlers run on request threads.
#pragma once

#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

void add_account_routes(Router& router, ApiServices& services);

// A random initial password (16 characters of an unambiguous alphabet): what an administrator's
// new account, or `xyd admin create`, starts with.
std::string initial_password();

}  // namespace xyd::api

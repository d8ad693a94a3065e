// The account routes: POST /api/v1/accounts registers an account (its password, if any, hashed
// into the CredentialStore, never into the log). Registered once at start-up.
#pragma once

#include "aggregates/processor/command_gateway.h"
#include "api/credential_store.h"
#include "api/router.h"

namespace xyd::api {

void add_account_routes(Router& router, domain::CommandGateway& gateway, CredentialStore& credentials);

}  // namespace xyd::api

// Session routes: log in with phone and password or a one-time code sent by SMS
// (POST /api/v1/sessions, POST /api/v1/sessions/codes), who am I and log out
// (GET / DELETE /api/v1/sessions/current), and changing a password
// (PUT /api/v1/accounts/{id}/password), which ends the account's other sessions. Every login,
// successful or not, is an event of the account (the login log); failures are rate-limited per
// phone and per client address. Handlers run on request threads.
#pragma once

#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

void add_session_routes(Router& router, ApiServices& services);

}  // namespace xyd::api

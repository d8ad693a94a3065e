// How a request's credentials become a Principal: a session token (`Authorization: Bearer
// xyds_...`: the session must be live, its account active in the reference view and its password
// unchanged since login, so disabling an account or changing its password ends its sessions at
// once), a connector's machine key (`Authorization: ApiKey xydk_...` or `X-Api-Key`), or the local
// operator's token (`Authorization: Bearer <data>/operator-token`). Stateless; any request thread.
#pragma once

#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

Authenticator make_authenticator(ApiServices& services);

// A fresh random operator token, written to `path` (mode 0600) for local tools to read.
Result<std::string> write_operator_token(const std::string& path);
// The operator token a running server wrote to `path`; not_found when there is none.
Result<std::string> read_operator_token(const std::string& path);

}  // namespace xyd::api

// The API side of access: every query names its action and is checked against the role x action
// matrix (aggregates/access.h) with the subject it reads, and personal data (phone, ID numbers) is
// masked for every role that does not need it. Stateless; any request thread.
#pragma once

#include <string>

#include "aggregates/access.h"
#include "aggregates/command.h"
#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

// Refuses (403) unless the request's principal may do `action` on `subject`.
[[nodiscard]] Status allow(const Request& request, const std::string& action, const domain::Subject& subject = {});

// A handler that first checks the principal may do `action` at all (routes with no object).
Handler guarded(std::string action, Handler handler);

// The current state of an aggregate the principal may read with `action`: 404 when the view does
// not have it, 403 when it is outside the principal's scope.
Result<domain::AggregateState> readable_state(ApiServices& services, const Request& request, const std::string& type,
                                              const std::string& id, const std::string& action);

// Whether the principal sees personal data unmasked: the person itself (`owner`), a system admin,
// the platform.
bool sees_personal_data(const Request& request, const std::string& owner = "");

// Masks, in place and at any depth, the members that hold personal data: phone numbers (138****8000)
// and identity numbers (first 6 and last 4 kept).
void mask_personal_data(nlohmann::json& value);

}  // namespace xyd::api

// One pagination style on every list: the request pages on with `?cursor=` (the deprecated
// `?after=` is still read for one release), the answer carries `next_cursor` (and the deprecated
// `next_after`, the same value) and a `Link: <...>; rel="next"` header (RFC 8288). Pure; any thread.
#pragma once

#include <string>

#include "api/router.h"

namespace xyd::api {

// The cursor a list request starts after: ?cursor=, else ?after=, else empty (the first page).
std::string page_cursor(const Request& request);
// The name of the parameter page_cursor read ("cursor", or "after" when only that was sent), for
// the field of a refusal.
std::string page_cursor_field(const Request& request);

// For a list answer (a JSON object with `items` and `next_cursor` or `next_after`): both names
// with the same value, and a Link rel="next" to the same path and query with the cursor of the
// next page, when there is one. Leaves other answers alone.
void link_next_page(const Request& request, Response& response);

}  // namespace xyd::api

// The API's own description: the OpenAPI 3.1 document (api/openapi/openapi.json, built into the
// library) at GET /api/v1/openapi.json, and a page rendering it at GET /docs with the Swagger UI
// files that ops/setup.sh installs from npm into the build folder (read once at start-up, served
// from memory). Built at start-up; the handlers only read, on any request thread.
#pragma once

#include <string>
#include <string_view>

#include "api/router.h"

namespace xyd::api {

// The OpenAPI document's text, exactly as in the source tree.
std::string_view openapi_document();

// GET /api/v1/openapi.json, GET /docs and GET /docs/{file}, all open. `renderer_dir` is the
// swagger-ui-dist folder; when its files are missing the API still serves, and /docs answers 503
// naming what to run. Returns whether the renderer was found.
bool add_openapi_routes(Router& router, const std::string& renderer_dir);

}  // namespace xyd::api

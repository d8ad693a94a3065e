// RFC 9457 problem documents: how every refusal leaves the HTTP API. Pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "events/result.h"

namespace xyd::api {

// The HTTP status an error kind maps to (400, 404, 409, 422, 503, 504, 500).
int http_status(Errc code);
// {type, title, status, detail, field, rule} for an error.
nlohmann::json problem(const Error& error, const std::string& instance = {});

}  // namespace xyd::api

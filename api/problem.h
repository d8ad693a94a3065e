// RFC 9457 problem documents: how every refusal leaves the HTTP API, and the pages their `type`
// URIs lead to (GET /problems/{kind}, served by xyd itself). Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/router.h"
#include "events/result.h"

namespace xyd::api {

// The HTTP status an error kind maps to (400, 404, 409, 422, 503, 504, 500).
int http_status(Errc code);
// The status of one error: its kind's, except the rules with a status of their own
// (allowed-method 405, acceptable-media-type 406, max-size 413).
int http_status(const Error& error);
// {type, title, status, detail, field, rule} for an error; `type` is "/problems/<kind>", a page
// of this server (relative, so it resolves on whatever host the client reached).
nlohmann::json problem(const Error& error, const std::string& instance = {});
// The answer carrying that document: its status, application/problem+json, and
// WWW-Authenticate on a 401.
Response problem_response(const Error& error, const std::string& instance);

// What a problem type's page says: its kind (the last segment of the type URI), the status, the
// title, what it means and what to do about it.
struct ProblemPage {
  std::string kind;
  int status = 0;
  std::string title;
  std::string meaning;
  std::string what_to_do;
};
// Every problem type the server emits, one page each.
const std::vector<ProblemPage>& problem_pages();
// The page of an error's type.
const ProblemPage& problem_page(const Error& error);

}  // namespace xyd::api

// How an HTTP request becomes a command and its outcome a response, the same way for every
// command route: the Idempotency-Key (scoped by route), the body hash that makes a reused key with
// another body a 422, the caller as the command's actor, the wait for the outcome and then for the
// reference view to show it (read-your-writes), and the mapping of refusals to problem documents
// (400 malformed, 403 forbidden, 404 unknown, 409 conflict or in flight, 422 business rule, 503,
// 504). Stateless; any request thread.
#pragma once

#include <string>

#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

struct CommandRoute {
  std::string scope;             // scopes idempotency keys: "account.register"
  std::string name;              // command name: "RegisterAccount"
  std::string aggregate_type;    // "account"
  int created_status = 200;      // 201 for a route that creates the aggregate
  bool read_your_writes = true;  // wait for the reference view to show the write (not for records
                                 // nobody reads back at once, e.g. the login log)
};

// One command as a route builds it.
struct CommandCall {
  std::string command_id;  // from command_id_for()
  std::string aggregate_id;
  nlohmann::json body = nlohmann::json::object();
  std::string body_hash;                              // empty: the SHA-256 of body
  nlohmann::json context = nlohmann::json::object();  // facts from the reference view
  events::Actor actor;                                // empty: the request's principal
};

// The command id for a request: scope + Idempotency-Key, or a fresh id without the header.
Result<std::string> command_id_for(const Request& request, const std::string& scope);

// Submits the command as the request's principal and turns the outcome into a response: the
// accepted body lists the aggregate, its version and events; a replay carries
// "Idempotency-Replayed: true". Answers once the reference view shows the new version (or its
// wait runs out: the write is durable either way).
Result<Response> run_command(ApiServices& services, const Request& request, const CommandRoute& route,
                             CommandCall call);

// Masks a mobile number as the government screens do: 138****8000.
std::string mask_phone(const std::string& phone);

}  // namespace xyd::api

// How an HTTP request becomes a command and its outcome a response, the same way for every
// command route: the Idempotency-Key (scoped by route), the body hash that makes a reused key with
// another body a 422, the wait for the outcome, and the mapping of refusals to problem documents
// (400 malformed, 404 unknown, 409 conflict or in flight, 422 business rule, 503, 504).
// Stateless; any request thread.
#pragma once

#include <string>

#include "aggregates/processor/command_gateway.h"
#include "api/router.h"

namespace xyd::api {

struct CommandRoute {
  std::string scope;           // scopes idempotency keys: "account.register"
  std::string name;            // command name: "RegisterAccount"
  std::string aggregate_type;  // "account"
  int created_status = 200;    // 201 for a route that creates the aggregate
};

// The command id for a request: scope + Idempotency-Key, or a fresh id without the header.
Result<std::string> command_id_for(const Request& request, const std::string& scope);

// Submits the command and turns the outcome into a response: the accepted body lists the
// aggregate, its version and events; a replay carries "Idempotency-Replayed: true".
Result<Response> run_command(domain::CommandGateway& gateway, const CommandRoute& route, const std::string& command_id,
                             const std::string& aggregate_id, const nlohmann::json& body, const std::string& body_hash);

// Masks a mobile number as the government screens do: 138****8000.
std::string mask_phone(const std::string& phone);

}  // namespace xyd::api

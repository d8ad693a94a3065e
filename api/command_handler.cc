#include "api/command_handler.h"

#include "events/codec.h"

namespace xyd::api {

Result<std::string> command_id_for(const Request& request, const std::string& scope) {
  std::string key = request.header("idempotency-key");
  if (key.empty()) return scope + ":" + events::uuid_v7();
  if (key.size() > 255)
    return make_error(Errc::invalid_argument, "Idempotency-Key has more than 255 characters", "Idempotency-Key",
                      "max-255");
  for (char c : key)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
      return make_error(Errc::invalid_argument, "Idempotency-Key must be printable ASCII without spaces",
                        "Idempotency-Key", "printable-ascii");
  return scope + ":" + key;
}

Result<Response> run_command(ApiServices& services, const Request& request, const CommandRoute& route,
                             CommandCall call) {
  domain::Command command;
  command.id = std::move(call.command_id);
  command.name = route.name;
  command.aggregate_type = route.aggregate_type;
  command.aggregate_id = std::move(call.aggregate_id);
  command.actor = call.actor.role.empty() ? principal_of(request).actor : call.actor;
  command.correlation_id = request.request_id.empty() ? events::uuid_v7() : request.request_id;
  command.body_hash = call.body_hash.empty() ? events::sha256_hex(call.body.dump()) : call.body_hash;
  command.body = std::move(call.body);
  command.context = std::move(call.context);
  XYD_ASSIGN_OR_RETURN(domain::Outcome outcome, services.gateway.submit(command));
  if (!outcome.accepted) {
    Error error = outcome.error.value_or(make_error(Errc::fatal, "the command was refused without a reason"));
    return error;
  }
  // Read-your-writes: the caller's next request (a GET, a token of a just-disabled account) sees it.
  auto shown = route.read_your_writes ? services.state.wait_for(outcome.aggregate_type, outcome.aggregate_id,
                                                                outcome.version, services.sessions.view_wait)
                                      : Status();
  Response response;
  response.status = route.created_status;
  response.body = {{"id", outcome.aggregate_id},
                   {"type", outcome.aggregate_type},
                   {"version", outcome.version},
                   {"events", outcome.events}};
  if (!shown.ok()) response.headers["Warning"] = "199 xyd \"" + shown.error().message + "\"";
  if (outcome.replayed) response.headers["Idempotency-Replayed"] = "true";
  if (route.created_status == 201)
    response.headers["Location"] = "/api/v1/" + outcome.aggregate_type + "s/" + outcome.aggregate_id;
  return response;
}

std::string mask_phone(const std::string& phone) {
  if (phone.size() != 11) return std::string(phone.size(), '*');
  return phone.substr(0, 3) + "****" + phone.substr(7);
}

}  // namespace xyd::api

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

Result<Response> run_command(domain::CommandGateway& gateway, const CommandRoute& route, const std::string& command_id,
                             const std::string& aggregate_id, const nlohmann::json& body,
                             const std::string& body_hash) {
  domain::Command command;
  command.id = command_id;
  command.name = route.name;
  command.aggregate_type = route.aggregate_type;
  command.aggregate_id = aggregate_id;
  command.correlation_id = events::uuid_v7();
  command.body_hash = body_hash;
  command.body = body;
  XYD_ASSIGN_OR_RETURN(domain::Outcome outcome, gateway.submit(command));
  if (!outcome.accepted) {
    Error error = outcome.error.value_or(make_error(Errc::fatal, "the command was refused without a reason"));
    return error;
  }
  Response response;
  response.status = route.created_status;
  response.body = {{"id", outcome.aggregate_id},
                   {"type", outcome.aggregate_type},
                   {"version", outcome.version},
                   {"events", outcome.events}};
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

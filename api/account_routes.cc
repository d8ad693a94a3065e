#include "api/account_routes.h"

#include "aggregates/account.h"
#include "aggregates/identifiers.h"
#include "api/command_handler.h"
#include "events/envelope.h"

namespace xyd::api {
namespace {

// Kinds anyone may register; the others are created by administrators.
bool self_registrable(const std::string& kind) { return kind == "enterprise_user" || kind == "individual"; }

Result<Response> register_account(domain::CommandGateway& gateway, CredentialStore& credentials,
                                  const Request& request) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json body, request.json_body());
  auto phone = body.find("phone");
  if (phone == body.end() || !phone->is_string())
    return make_error(Errc::invalid_argument, "phone is required (a string)", "phone", "required");
  XYD_RETURN_IF_ERROR(domain::check_mobile(phone->get<std::string>()));
  const std::string kind = body.value("kind", "enterprise_user");
  if (!domain::is_account_kind(kind))
    return make_error(Errc::invalid_argument, "kind '" + kind + "' is not a kind of account", "kind", "account-kind");
  if (!self_registrable(kind))
    return make_error(Errc::refused, kind + " accounts are created by an administrator, not by registration", "kind",
                      "self-registration-kinds");
  std::optional<std::string> password;
  if (body.contains("password")) {
    if (!body["password"].is_string())
      return make_error(Errc::invalid_argument, "password must be a string", "password", "string");
    password = body["password"].get<std::string>();
    XYD_RETURN_IF_ERROR(check_password_rule(*password));
  }
  nlohmann::json command_body = {{"phone", *phone}, {"kind", kind}, {"region", body.value("region", "")}};
  for (const char* optional : {"name", "institution"})
    if (body.contains(optional)) command_body[optional] = body[optional];
  // The body hash covers everything but the password, which must not reach the log in any form.
  const std::string body_hash = events::sha256_hex(command_body.dump());
  XYD_ASSIGN_OR_RETURN(std::string command_id, command_id_for(request, "account.register"));
  if (password) XYD_RETURN_IF_ERROR(credentials.set_password(command_id, *password));
  const std::string account_id = domain::account_id_for_phone(phone->get<std::string>());
  CommandRoute route{"account.register", "RegisterAccount", "account", 201};
  XYD_ASSIGN_OR_RETURN(Response response, run_command(gateway, route, command_id, account_id, command_body, body_hash));
  response.body["phone"] = mask_phone(phone->get<std::string>());
  response.body["kind"] = kind;
  return response;
}

}  // namespace

void add_account_routes(Router& router, domain::CommandGateway& gateway, CredentialStore& credentials) {
  router.add("POST", "/api/v1/accounts", [&gateway, &credentials](const Request& request) {
    return register_account(gateway, credentials, request);
  });
}

}  // namespace xyd::api

#include "api/account_routes.h"

#include <sodium.h>

#include "aggregates/account.h"
#include "aggregates/identifiers.h"
#include "api/access_check.h"
#include "api/command_handler.h"
#include "api/resource_routes.h"
#include "events/envelope.h"

namespace xyd::api {
namespace {

Result<std::string> string_field(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string())
    return make_error(Errc::invalid_argument, field + " is required (a string)", field, "required");
  return it->get<std::string>();
}

// The account as a caller sees it: phone masked unless the caller needs it.
nlohmann::json account_view(const Request& request, const std::string& id, const domain::AggregateState& state) {
  nlohmann::json view = state.data;
  view.erase("credential_ref");
  view["id"] = id;
  view["version"] = state.version;
  if (!sees_personal_data(request, id)) mask_personal_data(view);
  return view;
}

// POST /api/v1/accounts without credentials: an enterprise user or individual registers itself,
// with its own password. With credentials: an administrator creates an account of a kind it may
// create; its initial password is sent to the account's phone and must be changed at first login.
Result<Response> post_account(ApiServices& services, const Request& request) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json body, request.json_body());
  XYD_ASSIGN_OR_RETURN(std::string phone, string_field(body, "phone"));
  XYD_RETURN_IF_ERROR(domain::check_mobile(phone));
  const bool by_administrator = request.principal.has_value();
  std::optional<std::string> password;
  if (by_administrator) {
    password = initial_password();
  } else if (body.contains("password")) {
    XYD_ASSIGN_OR_RETURN(password, string_field(body, "password"));
    XYD_RETURN_IF_ERROR(check_password_rule(*password));
  }
  nlohmann::json command_body = {{"phone", phone}, {"kind", body.value("kind", "enterprise_user")},
                                 {"region", body.value("region", "")}};
  for (const char* optional : {"name", "institution"})
    if (body.contains(optional)) command_body[optional] = body[optional];
  const std::string scope = by_administrator ? "account.create" : "account.register";
  XYD_ASSIGN_OR_RETURN(std::string command_id, command_id_for(request, scope));
  // The body hash covers everything but the password, which must not reach the log in any form.
  const std::string body_hash = events::sha256_hex(command_body.dump());
  // A repeated administrator request keeps the password stored the first time.
  auto stored = password ? services.credentials.set_password(command_id, *password) : Status();
  if (!stored.ok() && !(by_administrator && stored.error().code == Errc::refused)) return stored.error();
  const bool first_time = stored.ok() || !by_administrator;
  CommandRoute route{scope, by_administrator ? "CreateAccount" : "RegisterAccount", "account", 201};
  XYD_ASSIGN_OR_RETURN(Response response,
                       run_command(services, request, route,
                                   {command_id, domain::account_id_for_phone(phone), command_body, body_hash}));
  if (by_administrator && first_time && !response.headers.contains("Idempotency-Replayed")) {
    auto sent = services.sms.send(phone, "xyd: your account was created. Initial password: " + *password +
                                             " (change it when you first log in)");
    response.body["initial_password_sent"] = sent.ok();
  }
  response.body["phone"] = mask_phone(phone);
  response.body["kind"] = command_body["kind"];
  return response;
}

Result<Response> get_account(ApiServices& services, const Request& request) {
  const std::string id = request.params.at("id");
  XYD_ASSIGN_OR_RETURN(auto state, readable_state(services, request, "account", id, "account.read"));
  Response response;
  response.body = account_view(request, id, state);
  return response;
}

// GET /api/v1/accounts?kind=&status=&region=&after=&limit=: the accounts within the caller's scope.
Result<Response> list_accounts(ApiServices& services, const Request& request) {
  return list_page(services, request, "account", "account.list",
                   {field_equals("kind", "kind"), field_equals("status", "status"), region_within("region", "region")},
                   account_view);
}

// POST /api/v1/accounts/{id}/{approve|reject|enable|disable}.
void add_status_route(Router& router, ApiServices& services, const std::string& verb, const std::string& command) {
  router.add("POST", "/api/v1/accounts/{id}/" + verb, [&services, verb, command](const Request& request) -> Result<Response> {
    nlohmann::json body = nlohmann::json::object();
    if (!request.body.empty()) {
      XYD_ASSIGN_OR_RETURN(body, request.json_body());
    }
    nlohmann::json command_body = nlohmann::json::object();
    if (body.contains("reason")) command_body["reason"] = body["reason"];
    XYD_ASSIGN_OR_RETURN(std::string command_id, command_id_for(request, "account." + verb));
    return run_command(services, request, {"account." + verb, command, "account"},
                       {command_id, request.params.at("id"), command_body});
  });
}

}  // namespace

std::string initial_password() {
  static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  std::string password;
  for (int i = 0; i < 16; ++i) password += alphabet[randombytes_uniform(sizeof alphabet - 1)];
  return password;
}

void add_account_routes(Router& router, ApiServices& services) {
  router.add("POST", "/api/v1/accounts", [&services](const Request& r) { return post_account(services, r); },
             Access::open);
  router.add("GET", "/api/v1/accounts", [&services](const Request& r) { return list_accounts(services, r); });
  router.add("GET", "/api/v1/accounts/{id}", [&services](const Request& r) { return get_account(services, r); },
             Access::password_change);
  add_status_route(router, services, "approve", "ApproveAccount");
  add_status_route(router, services, "reject", "RejectAccount");
  add_status_route(router, services, "enable", "EnableAccount");
  add_status_route(router, services, "disable", "DisableAccount");
}

}  // namespace xyd::api

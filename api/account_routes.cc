#include "api/account_routes.h"

#include <sodium.h>

#include "aggregates/account.h"
#include "aggregates/fields.h"
#include "aggregates/identifiers.h"
#include "api/access_check.h"
#include "api/authenticator.h"
#include "api/command_handler.h"
#include "api/resource_routes.h"
#include "events/envelope.h"
#include "events/json_input.h"

namespace xyd::api {
namespace {

// The account as a caller sees it: phone masked unless the caller needs it.
nlohmann::json account_view(const Request& request, const std::string& id, const domain::AggregateState& state) {
  nlohmann::json view = state.data;
  view.erase("credential_ref");
  view["id"] = id;
  view["version"] = state.version;
  if (!sees_personal_data(request, id)) mask_personal_data(view);
  return view;
}

// The command body of a new account, read and checked before any password is hashed: phone, kind
// (self-registration: enterprise_user, the default, or individual), region, name, and an
// institution (administrators only).
Result<nlohmann::json> new_account_body(const nlohmann::json& body, bool by_administrator) {
  XYD_ASSIGN_OR_RETURN(std::string phone, domain::required_string(body, "phone"));
  XYD_RETURN_IF_ERROR(domain::check_mobile(phone));
  XYD_ASSIGN_OR_RETURN(std::optional<std::string> kind, domain::optional_string(body, "kind"));
  if (!kind) kind = "enterprise_user";
  if (!domain::is_account_kind(*kind))
    return make_error(Errc::invalid_argument, "kind '" + *kind + "' is not a kind of account", "kind", "account-kind");
  if (!by_administrator && *kind != "enterprise_user" && *kind != "individual")
    return make_error(Errc::refused, *kind + " accounts are created by an administrator", "kind",
                      "self-registration-kinds");
  XYD_ASSIGN_OR_RETURN(std::string region, domain::required_string(body, "region"));
  XYD_RETURN_IF_ERROR(domain::check_region_format(region));
  nlohmann::json command_body = {{"phone", phone}, {"kind", *kind}, {"region", region}};
  XYD_ASSIGN_OR_RETURN(std::optional<std::string> name, domain::optional_string(body, "name"));
  if (name) command_body["name"] = *name;
  XYD_ASSIGN_OR_RETURN(std::optional<std::string> institution, domain::optional_string(body, "institution"));
  if (institution && !by_administrator)
    return make_error(Errc::invalid_argument, "a self-registered account belongs to no institution", "institution",
                      "not-self-registrable");
  if (institution) command_body["institution"] = *institution;
  return command_body;
}

// Whether a command's error is its refusal (so its password hash must go), not a failure to learn
// the outcome (timeout, unavailable) or the same command still running.
bool refused_for_good(const Error& error) {
  switch (error.code) {
    case Errc::invalid_argument:
    case Errc::not_found:
    case Errc::refused:
    case Errc::forbidden:
    case Errc::unauthenticated:
      return true;
    case Errc::conflict:
      return error.rule != "one-request-in-flight";
    default:
      return false;
  }
}

// Self-registration proves the phone first: the registration code the phone received
// (POST /api/v1/sessions/codes with purpose "registration") must come with the request. A replay
// (same Idempotency-Key) of a registration that created the account needs no new code. Until the
// code is proven, a registered phone is answered like a free one.
Status prove_phone(ApiServices& services, const std::string& phone, const std::string& code,
                   const std::string& command_id) {
  XYD_ASSIGN_OR_RETURN(bool right, services.credentials.consume_code(identity::CodePurpose::registration, phone, code,
                                                                     services.now_ms()));
  XYD_ASSIGN_OR_RETURN(auto account, services.state.get("account", domain::account_id_for_phone(phone)));
  const bool replay = account && events::string_or(account->data, "credential_ref") == command_id;
  if (!right && !replay)
    return make_error(Errc::forbidden,
                      "the registration code is wrong, used or expired: ask for a new one (POST "
                      "/api/v1/sessions/codes with purpose 'registration')",
                      "code", "valid-code");
  if (account && !replay)
    return make_error(Errc::conflict, "phone " + phone + " is already registered: log in, or reset the password",
                      "phone", "unique-phone");
  return Status();
}

// POST /api/v1/accounts without credentials: an enterprise user or individual registers itself,
// with the registration code sent to its phone and optionally its own password. With credentials:
// an administrator creates an account of a kind it may create; its initial password is sent to
// the account's phone and must be changed at first login. Everything is checked before the
// password is hashed, and a refused command's hash is deleted.
Result<Response> post_account(ApiServices& services, const Request& request) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json body, request.json_body());
  const bool by_administrator = request.principal.has_value();
  XYD_ASSIGN_OR_RETURN(nlohmann::json command_body, new_account_body(body, by_administrator));
  const std::string phone = command_body["phone"];
  std::optional<std::string> password;
  std::optional<std::string> code;
  if (by_administrator) {
    password = initial_password();
  } else {
    XYD_ASSIGN_OR_RETURN(password, domain::optional_string(body, "password"));
    if (password) XYD_RETURN_IF_ERROR(identity::check_password_rule(*password));
    XYD_ASSIGN_OR_RETURN(code, domain::optional_string(body, "code"));
    if (!code)
      return make_error(Errc::invalid_argument,
                        "code is required: first POST /api/v1/sessions/codes {phone, purpose: 'registration'}, "
                        "then send the code the phone received",
                        "code", "required");
    if (auto throttled =
            services.limiter.spend(Action::registration, phone, client_address(services, request), services.now_ms()))
      return too_many_response(*throttled, request);
  }
  const std::string scope = by_administrator ? "account.create" : "account.register";
  XYD_ASSIGN_OR_RETURN(std::string command_id, command_id_for(request, scope));
  if (code) XYD_RETURN_IF_ERROR(prove_phone(services, phone, *code, command_id));
  // The body hash covers everything but the password, which must not reach the log in any form.
  const std::string body_hash = events::sha256_hex(command_body.dump());
  // A repeated administrator request keeps the password stored the first time.
  auto stored = password ? services.credentials.set_password(command_id, *password) : Status();
  if (!stored.ok() && !(by_administrator && stored.error().code == Errc::refused)) return stored.error();
  const bool first_time = stored.ok() || !by_administrator;
  CommandRoute route{scope, by_administrator ? "CreateAccount" : "RegisterAccount", "account", 201};
  auto ran =
      run_command(services, request, route, {command_id, domain::account_id_for_phone(phone), command_body, body_hash});
  if (!ran.ok()) {
    if (password && refused_for_good(ran.error()))
      XYD_RETURN_IF_ERROR(services.credentials.forget_password(command_id));
    return ran.error();
  }
  Response response = std::move(ran).value();
  if (by_administrator && first_time && !response.headers.contains("Idempotency-Replayed")) {
    auto sent = services.sms.send(
        phone, "xyd: your account was created. Initial password: " + *password + " (change it when you first log in)");
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
  router.add("POST", "/api/v1/accounts/{id}/" + verb,
             [&services, verb, command](const Request& request) -> Result<Response> {
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
  router.add(
      "POST", "/api/v1/accounts", [&services](const Request& r) { return post_account(services, r); }, Access::open);
  router.add("GET", "/api/v1/accounts", [&services](const Request& r) { return list_accounts(services, r); });
  router.add(
      "GET", "/api/v1/accounts/{id}", [&services](const Request& r) { return get_account(services, r); },
      Access::password_change);
  add_status_route(router, services, "approve", "ApproveAccount");
  add_status_route(router, services, "reject", "RejectAccount");
  add_status_route(router, services, "enable", "EnableAccount");
  add_status_route(router, services, "disable", "DisableAccount");
}

}  // namespace xyd::api

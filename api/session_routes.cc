#include "api/session_routes.h"

#include "aggregates/account.h"
#include "aggregates/fields.h"
#include "aggregates/identifiers.h"
#include "api/access_check.h"
#include "api/authenticator.h"
#include "api/command_handler.h"
#include "events/codec.h"
#include "events/json_input.h"

namespace xyd::api {
namespace {

const events::Actor kPlatform{"", "system", "", ""};

// The login log: one event on the account per attempt. A failure for an unknown phone is sent
// too, and refused (no such account), so a known and an unknown phone cost the same time; the
// limiter counts both. Nobody reads the login log back at once: no wait for the view.
void record_attempt(ApiServices& services, const Request& request, const std::string& account, const std::string& name,
                    nlohmann::json body) {
  body["client_address"] = client_address(services, request);
  const std::string scope = name == "RecordLogin" ? "login" : "login-failure";
  (void)run_command(services, request, {scope, name, "account", 200, /*read_your_writes=*/false},
                    {scope + ":" + events::uuid_v7(), account, std::move(body), "", {}, kPlatform});
}

Error wrong_credentials() {
  return make_error(Errc::unauthenticated, "the phone number or the password (or code) is wrong", "credentials",
                    "valid-credentials");
}

Result<Response> log_in(ApiServices& services, const Request& request) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json body, request.json_body());
  XYD_ASSIGN_OR_RETURN(std::string phone, domain::required_string(body, "phone"));
  XYD_RETURN_IF_ERROR(domain::check_mobile(phone));
  XYD_ASSIGN_OR_RETURN(std::optional<std::string> code, domain::optional_string(body, "code"));
  XYD_ASSIGN_OR_RETURN(std::optional<std::string> password, domain::optional_string(body, "password"));
  const bool with_code = code.has_value();
  if (!with_code && !password)
    return make_error(Errc::invalid_argument, "send phone with password, or phone with code", "password", "required");
  const std::string secret = with_code ? *code : *password;
  const int64_t now = services.now_ms();
  const std::string address = client_address(services, request);
  if (auto locked = services.limiter.locked_out(phone, address, now)) return too_many_response(*locked, request);
  const std::string id = domain::account_id_for_phone(phone);
  XYD_ASSIGN_OR_RETURN(auto account, services.state.get("account", id));
  std::string reason;
  if (!account) {
    // The same argon2 work as for a known phone (a decoy hash), so the time does not tell.
    if (!with_code) (void)services.credentials.verify_password("", secret);
    reason = "unknown phone";
  } else if (with_code) {
    XYD_ASSIGN_OR_RETURN(bool right, services.credentials.consume_login_code(phone, secret, now));
    if (!right) reason = "wrong code";
  } else {
    XYD_ASSIGN_OR_RETURN(
        bool right, services.credentials.verify_password(events::string_or(account->data, "credential_ref"), secret));
    if (!right) reason = "wrong password";
  }
  if (!reason.empty()) {
    services.limiter.failed(phone, address, now);
    // Recorded for an unknown phone too (refused: no such account), so both cost one command.
    record_attempt(services, request, id, "RecordLoginFailure", {{"reason", reason}});
    return wrong_credentials();
  }
  const auto& data = account->data;
  const std::string status = events::string_or(data, "status");
  if (status != "active") {
    record_attempt(services, request, id, "RecordLoginFailure", {{"reason", "account " + status}});
    return make_error(Errc::forbidden,
                      "the account is " + status +
                          (status == "pending" ? ": its province has not approved it yet" : ": ask an administrator"),
                      "status", "account-active");
  }
  services.limiter.succeeded(phone, now);
  const bool restricted = events::bool_or(data, "must_change_password", false);
  // A client may ask for a shorter session than the server's (a shared computer), never a longer one.
  int64_t ttl_ms = services.sessions.ttl.count();
  if (body.contains("ttl_seconds")) {
    XYD_ASSIGN_OR_RETURN(int64_t asked, domain::required_int(body, "ttl_seconds", 1, INT64_MAX / 1000));
    ttl_ms = std::min(ttl_ms, asked * 1000);
  }
  XYD_ASSIGN_OR_RETURN(
      auto opened, services.credentials.open_session(id, events::string_or(data, "credential_ref"), ttl_ms, restricted,
                                                     address, with_code ? "otp" : "password", now));
  const auto& [token, session] = opened;
  record_attempt(services, request, id, "RecordLogin",
                 {{"method", with_code ? "otp" : "password"}, {"session", session.id}});
  Response response;
  response.status = 201;
  response.body = {{"token", token},
                   {"token_type", "Bearer"},
                   {"session_id", session.id},
                   {"expires_at", events::rfc3339_from_ms(session.expires_ms)},
                   {"password_change_required", restricted},
                   {"account",
                    {{"id", id},
                     {"kind", events::string_or(data, "kind")},
                     {"region", events::string_or(data, "region")},
                     {"institution", events::string_or(data, "institution")}}}};
  response.headers["Cache-Control"] = "no-store";
  return response;
}

// POST /api/v1/sessions/codes {phone, purpose?}: sends a one-time code by SMS. "login" (the
// default) to an active account's phone; "registration" to any phone, which proves it before
// POST /api/v1/accounts registers it. The answer (202) is the same whether or not the phone has an
// account, and so are the limits: one code a minute per phone and purpose, a budget per client
// address.
Result<Response> send_code(ApiServices& services, const Request& request) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json body, request.json_body());
  XYD_ASSIGN_OR_RETURN(std::string phone, domain::required_string(body, "phone"));
  XYD_RETURN_IF_ERROR(domain::check_mobile(phone));
  XYD_ASSIGN_OR_RETURN(std::optional<std::string> asked, domain::optional_string(body, "purpose"));
  const std::string purpose = asked.value_or("login");
  if (purpose != "login" && purpose != "registration")
    return make_error(Errc::invalid_argument, "purpose is 'login' (the default) or 'registration'", "purpose",
                      "one-of");
  const int64_t now = services.now_ms();
  // Each purpose has its own budget per phone (registering, then logging in with a code, is fine).
  const std::string address = client_address(services, request);
  if (auto throttled = services.limiter.spend(Action::code_send, purpose + "/" + phone, address, now))
    return too_many_response(*throttled, request);
  const int64_t ttl = services.sessions.code_ttl.count();
  const std::string validity =
      " (valid " + std::to_string(ttl / 60000) + " minutes; nobody from xyd will ask you for it)";
  if (purpose == "registration") {
    // Sent whether or not the phone is registered: only its owner learns which (from the 409).
    XYD_ASSIGN_OR_RETURN(std::string code,
                         services.credentials.issue_code(identity::CodePurpose::registration, phone, ttl, now));
    XYD_RETURN_IF_ERROR(services.sms.send(phone, "xyd registration code: " + code + validity));
  } else {
    XYD_ASSIGN_OR_RETURN(auto account, services.state.get("account", domain::account_id_for_phone(phone)));
    if (account && events::string_or(account->data, "status") == "active") {
      XYD_ASSIGN_OR_RETURN(std::string code,
                           services.credentials.issue_code(identity::CodePurpose::login, phone, ttl, now));
      XYD_RETURN_IF_ERROR(services.sms.send(phone, "xyd login code: " + code + validity));
    }
  }
  Response response;
  response.status = 202;
  response.body = {{"phone", mask_phone(phone)},
                   {"purpose", purpose},
                   {"detail", purpose == "registration" ? "a registration code is on its way"
                                                        : "if this phone has an active account, a code is on its way"},
                   {"expires_in_seconds", ttl / 1000}};
  return response;
}

Result<Response> current(const Request& request) {
  const auto& p = principal_of(request);
  Response response;
  response.body = {{"account", p.actor.account},
                   {"role", p.actor.role},
                   {"institution", p.actor.institution},
                   {"region", p.actor.region},
                   {"kind", p.kind},
                   {"session_id", p.session_id},
                   {"password_change_required", p.restricted}};
  return response;
}

Result<Response> log_out(ApiServices& services, const Request& request) {
  const auto& p = principal_of(request);
  if (p.kind != "session")
    return make_error(Errc::invalid_argument, "only a session can be logged out; revoke a key instead", "authorization",
                      "session-only");
  XYD_RETURN_IF_ERROR(services.credentials.revoke_session(p.session_id));
  Response response;
  response.status = 204;
  response.raw = " ";
  return response;
}

// PUT /api/v1/accounts/{id}/password {current_password, new_password}: the account itself only.
Result<Response> change_password(ApiServices& services, const Request& request) {
  const auto& p = principal_of(request);
  const std::string id = request.params.at("id");
  if (p.kind != "session" || p.actor.account != id)
    return make_error(Errc::forbidden, "only the account itself changes its password, from one of its sessions", "id",
                      "own-account");
  XYD_ASSIGN_OR_RETURN(nlohmann::json body, request.json_body());
  XYD_ASSIGN_OR_RETURN(std::string current_password, domain::required_string(body, "current_password"));
  XYD_ASSIGN_OR_RETURN(std::string next, domain::required_string(body, "new_password"));
  if (auto rule = identity::check_password_rule(next); !rule.ok())
    return make_error(Errc::invalid_argument, rule.error().message, "new_password", rule.error().rule);
  XYD_ASSIGN_OR_RETURN(bool right, services.credentials.verify_password(p.credential, current_password));
  if (!right)
    return make_error(Errc::forbidden, "current_password is wrong", "current_password", "matches-current-password");
  if (next == current_password)
    return make_error(Errc::invalid_argument, "the new password must differ from the current one", "new_password",
                      "differs-from-current");
  XYD_ASSIGN_OR_RETURN(std::string command_id, command_id_for(request, "account.password"));
  XYD_RETURN_IF_ERROR(services.credentials.set_password(command_id, next));
  XYD_ASSIGN_OR_RETURN(Response response,
                       run_command(services, request, {"account.password", "ChangePassword", "account"},
                                   {command_id, id, nlohmann::json::object(), events::sha256_hex(command_id)}));
  XYD_RETURN_IF_ERROR(services.credentials.update_session_credential(p.session_id, command_id));
  XYD_ASSIGN_OR_RETURN(size_t ended, services.credentials.revoke_sessions_of(id, p.session_id));
  response.body["other_sessions_ended"] = ended;
  return response;
}

}  // namespace

void add_session_routes(Router& router, ApiServices& services) {
  router.add(
      "POST", "/api/v1/sessions", [&services](const Request& r) { return log_in(services, r); }, Access::open);
  router.add(
      "POST", "/api/v1/sessions/codes", [&services](const Request& r) { return send_code(services, r); }, Access::open);
  router.add(
      "GET", "/api/v1/sessions/current", [](const Request& r) { return current(r); }, Access::password_change);
  router.add(
      "DELETE", "/api/v1/sessions/current", [&services](const Request& r) { return log_out(services, r); },
      Access::password_change);
  router.add(
      "PUT", "/api/v1/accounts/{id}/password", [&services](const Request& r) { return change_password(services, r); },
      Access::password_change);
}

}  // namespace xyd::api

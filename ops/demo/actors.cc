#include "ops/demo/actors.h"

#include <fstream>

namespace xyd::ops::demo {
namespace {

using nlohmann::json;

const std::string kSmsMarker = "Initial password: ";

struct Login {
  std::string account, token;
  bool must_change = false;
};

// POST /api/v1/sessions; a wrong password is a 401 the caller may recover from.
Result<Login> log_in(Caller& caller, const std::string& step, const std::string& phone, const std::string& password) {
  XYD_ASSIGN_OR_RETURN(HttpReply reply, caller.raw({"POST", "/api/v1/sessions",
                                                    json{{"phone", phone}, {"password", password}}, "", ""}));
  if (!reply.ok()) return Caller::refusal(step, reply);
  Login login;
  login.token = reply.body.value("token", "");
  login.must_change = reply.body.value("password_change_required", false);
  if (reply.body.contains("account") && reply.body["account"].is_object())
    login.account = reply.body["account"].value("id", "");
  if (login.token.empty()) return make_error(Errc::fatal, step + ": the login answered no token: " + reply.text);
  return login;
}

// Logs in with the initial password, changes it to the plan's, logs in again.
Result<Session> first_login(Caller& caller, const std::string& step, const std::string& account_id,
                            const AccountPlan& account, const std::string& initial) {
  XYD_ASSIGN_OR_RETURN(Login login, log_in(caller, step + " (first login)", account.phone, initial));
  if (login.must_change) {
    XYD_RETURN_IF_ERROR(caller.run("password-" + account.phone, "PUT", "/api/v1/accounts/" + account_id + "/password",
                                   json{{"current_password", initial}, {"new_password", account.password}},
                                   login.token));
    XYD_ASSIGN_OR_RETURN(login, log_in(caller, step + " (login)", account.phone, account.password));
  }
  return Session{account_id, login.token};
}

}  // namespace

std::string initial_password_from_sms(const std::string& data_dir, const std::string& phone) {
  std::ifstream in(data_dir + "/sms.log");
  std::string line, found;
  while (std::getline(in, line)) {
    if (line.find("\t" + phone + "\t") == std::string::npos) continue;
    auto at = line.find(kSmsMarker);
    if (at != std::string::npos) found = line.substr(at + kSmsMarker.size(), 16);
  }
  return found;
}

Result<Session> create_staff(Caller& caller, const std::string& data_dir, const std::string& creator_token,
                             const AccountPlan& account) {
  const std::string step = "account " + account.kind + " " + account.phone;
  json body = {{"phone", account.phone}, {"kind", account.kind}, {"region", account.region}, {"name", account.name}};
  if (!account.institution.empty()) body["institution"] = account.institution;
  XYD_ASSIGN_OR_RETURN(HttpReply created,
                       caller.command("account-" + account.phone, "POST", "/api/v1/accounts", body, creator_token));
  const std::string id = created.body.value("id", "");
  if (created.replayed) {
    // Created by an earlier run: normally its password is the plan's already.
    XYD_ASSIGN_OR_RETURN(HttpReply reply,
                         caller.raw({"POST", "/api/v1/sessions",
                                     json{{"phone", account.phone}, {"password", account.password}}, "", ""}));
    if (reply.ok()) {
      const std::string token = reply.body.value("token", "");
      if (!reply.body.value("password_change_required", false)) return Session{id, token};
    } else if (reply.status != 401) {
      return Caller::refusal(step + " (login)", reply);
    }
  }
  const std::string initial = initial_password_from_sms(data_dir, account.phone);
  if (initial.empty())
    return make_error(Errc::not_found, step + ": no initial password for " + account.phone + " in " + data_dir +
                                           "/sms.log: run the demo with the server's --data folder");
  return first_login(caller, step, id, account, initial);
}

Result<Session> register_user(Caller& caller, SmsLog& sms, const AccountPlan& account) {
  const std::string step = "register " + account.kind + " " + account.phone;
  // The phone is proven first: a registration code to it, read from the server's SMS log. A
  // re-run's code request may be refused (one code a minute per phone): a replay of the earlier
  // registration needs no code.
  XYD_ASSIGN_OR_RETURN(HttpReply sent,
                       caller.raw({"POST", "/api/v1/sessions/codes",
                                   json{{"phone", account.phone}, {"purpose", "registration"}}, "", ""}));
  if (sent.status == 429 && sent.body.value("field", "") == "client_address")
    return make_error(Errc::too_many, step +
                                          ": the server limits registrations per client address: start xyd serve "
                                          "with --address-limit 0 to fill it with the demo");
  const std::string code = sent.status == 202 ? sms.registration_code(account.phone) : "";
  json body = {{"phone", account.phone},       {"kind", account.kind}, {"region", account.region},
               {"password", account.password}, {"name", account.name}, {"code", code}};
  auto created = caller.command("register-" + account.phone, "POST", "/api/v1/accounts", body, "");
  if (!created.ok()) {
    // Registered by an earlier run (a repeated self-registration is refused): log in instead.
    auto again = log_in(caller, step + " (login)", account.phone, account.password);
    if (!again.ok()) return created.error();
    return Session{again->account, again->token};
  }
  XYD_ASSIGN_OR_RETURN(Login login, log_in(caller, step + " (login)", account.phone, account.password));
  return Session{login.account.empty() ? created->body.value("id", "") : login.account, login.token};
}

}  // namespace xyd::ops::demo

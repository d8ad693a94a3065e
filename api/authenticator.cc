#include "api/authenticator.h"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace xyd::api {
namespace {

Error unauthenticated(const std::string& message, const std::string& rule) {
  return make_error(Errc::unauthenticated, message, "authorization", rule);
}

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<Principal> session_principal(ApiServices& services, const std::string& token) {
  XYD_ASSIGN_OR_RETURN(Session session, services.credentials.find_session(token, services.now_ms()));
  XYD_ASSIGN_OR_RETURN(auto account, services.state.get("account", session.account));
  if (!account) return unauthenticated("the session's account is unknown", "account-exists");
  const auto& data = account->data;
  const std::string status = data.value("status", "");
  if (status != "active")
    return unauthenticated("the account is " + status + ": its sessions no longer work", "account-active");
  if (data.value("credential_ref", "") != session.credential_ref)
    return unauthenticated("the password changed after this login: log in again", "token-revoked");
  Principal p;
  p.actor = {session.account, data.value("kind", ""), data.value("institution", ""), data.value("region", "")};
  p.kind = "session";
  p.session_id = session.id;
  p.credential = session.credential_ref;
  p.restricted = session.restricted;
  return p;
}

Result<Principal> key_principal(ApiServices& services, const std::string& key) {
  XYD_ASSIGN_OR_RETURN(MachineKey found, services.credentials.find_machine_key(key, services.now_ms()));
  if (!found.institution.empty()) {
    XYD_ASSIGN_OR_RETURN(auto institution, services.state.get("institution", found.institution));
    const std::string status = institution ? institution->data.value("status", "active") : "active";
    if (status != "active")
      return unauthenticated("institution " + found.institution + " is " + status + ": its keys do not work",
                             "institution-active");
  }
  Principal p;
  p.actor = {"key:" + found.key_id, found.role, found.institution, ""};
  p.kind = "machine_key";
  p.credential = found.key_id;
  return p;
}

}  // namespace

Authenticator make_authenticator(ApiServices& services) {
  return [&services](const Request& request) -> Result<Principal> {
    const std::string header = request.header("authorization");
    if (header.empty() && !request.header("x-api-key").empty())
      return key_principal(services, request.header("x-api-key"));
    if (header.empty())
      return unauthenticated("log in (POST /api/v1/sessions) and send Authorization: Bearer <token>", "authenticated");
    auto space = header.find(' ');
    const std::string scheme = header.substr(0, space), value = space == std::string::npos ? "" : header.substr(space + 1);
    if (scheme == "ApiKey") return key_principal(services, value);
    if (scheme != "Bearer" || value.empty())
      return unauthenticated("Authorization must be 'Bearer <token>' or 'ApiKey <key>'", "authorization-scheme");
    if (!services.operator_token.empty() && same_secret(value, services.operator_token)) {
      Principal p;
      p.actor = {"operator", "system", "", ""};
      p.kind = "operator";
      return p;
    }
    return session_principal(services, value);
  };
}

Result<std::string> write_operator_token(const std::string& path) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  const std::string token = std::string("xydo_") + hex;
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return make_error(Errc::unavailable, "cannot write the operator token to " + temporary);
    ::chmod(temporary.c_str(), 0600);
    out << token << "\n";
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return make_error(Errc::unavailable, "cannot move the operator token into " + path);
  return token;
}

Result<std::string> read_operator_token(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token) || token.empty())
    return make_error(Errc::not_found, "no operator token at " + path + ": is xyd serve running on this data folder?",
                      "operator-token", "exists");
  return token;
}

}  // namespace xyd::api

#include "api/machine_key_routes.h"

#include "api/access_check.h"
#include "events/codec.h"

namespace xyd::api {
namespace {

nlohmann::json key_json(const identity::MachineKey& key) {
  nlohmann::json j = {{"key_id", key.key_id},           {"role", key.role},
                      {"institution", key.institution}, {"created_at", events::rfc3339_from_ms(key.created_ms)},
                      {"created_by", key.created_by},   {"active", key.revoked_ms == 0}};
  if (key.revoked_ms) j["revoked_at"] = events::rfc3339_from_ms(key.revoked_ms);
  return j;
}

// The institution of the path, which must exist and be within the caller's scope.
Result<std::string> managed_institution(ApiServices& services, const Request& request) {
  const std::string id = request.params.at("id");
  auto institution = readable_state(services, request, "institution", id, "machine_key.manage");
  if (!institution.ok()) return institution.error();
  return id;
}

Result<Response> no_content() {
  Response response;
  response.status = 204;
  response.raw = " ";
  return response;
}

Result<Response> created(nlohmann::json body) {
  Response response;
  response.status = 201;
  response.body = std::move(body);
  response.headers["Cache-Control"] = "no-store";
  return response;
}

}  // namespace

void add_machine_key_routes(Router& router, ApiServices& services) {
  router.add("POST", "/api/v1/institutions/{id}/api-keys", [&services](const Request& request) -> Result<Response> {
    XYD_ASSIGN_OR_RETURN(std::string institution, managed_institution(services, request));
    XYD_ASSIGN_OR_RETURN(
        auto made, services.credentials.create_machine_key("bank_connector", institution,
                                                           principal_of(request).actor.account, services.now_ms()));
    nlohmann::json body = key_json(made.second);
    body["key"] = made.first;
    body["detail"] = "keep the key now: it is not shown again; send it as 'Authorization: ApiKey <key>'";
    return created(std::move(body));
  });
  router.add("GET", "/api/v1/institutions/{id}/api-keys", [&services](const Request& request) -> Result<Response> {
    XYD_ASSIGN_OR_RETURN(std::string institution, managed_institution(services, request));
    XYD_ASSIGN_OR_RETURN(auto keys, services.credentials.list_machine_keys(institution));
    Response response;
    response.body = {{"items", nlohmann::json::array()}};
    for (const auto& key : keys) response.body["items"].push_back(key_json(key));
    return response;
  });
  router.add("DELETE", "/api/v1/institutions/{id}/api-keys/{key}",
             [&services](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(std::string institution, managed_institution(services, request));
               XYD_RETURN_IF_ERROR(services.credentials.revoke_machine_key(institution, request.params.at("key")));
               return no_content();
             });
  router.add(
      "POST", "/api/v1/institutions/{id}/webhook-secrets", [&services](const Request& request) -> Result<Response> {
        XYD_ASSIGN_OR_RETURN(std::string institution, managed_institution(services, request));
        XYD_ASSIGN_OR_RETURN(auto made, services.credentials.create_webhook_secret(institution, services.now_ms()));
        return created({{"secret_id", made.first},
                        {"secret", made.second},
                        {"detail", "keep the secret now: it is not shown again"}});
      });
  router.add(
      "DELETE", "/api/v1/institutions/{id}/webhook-secrets/{secret}",
      [&services](const Request& request) -> Result<Response> {
        XYD_ASSIGN_OR_RETURN(std::string institution, managed_institution(services, request));
        XYD_RETURN_IF_ERROR(services.credentials.revoke_webhook_secret(institution, request.params.at("secret")));
        return no_content();
      });
  router.add("POST", "/api/v1/data-sources/api-keys", [&services](const Request& request) -> Result<Response> {
    XYD_RETURN_IF_ERROR(domain::authorize(principal_of(request).actor, "machine_key.manage", {}));
    if (principal_of(request).actor.role != "system_admin" && principal_of(request).actor.role != "system")
      return make_error(Errc::forbidden, "only a system admin manages data-source keys", "role", "system-admin-only");
    XYD_ASSIGN_OR_RETURN(auto made, services.credentials.create_machine_key(
                                        "data_source", "", principal_of(request).actor.account, services.now_ms()));
    nlohmann::json body = key_json(made.second);
    body["key"] = made.first;
    body["detail"] = "keep the key now: it is not shown again; send it as 'Authorization: ApiKey <key>'";
    return created(std::move(body));
  });
}

}  // namespace xyd::api

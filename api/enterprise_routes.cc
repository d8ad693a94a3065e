#include "api/enterprise_routes.h"

#include "aggregates/enterprise.h"
#include "api/context_facts.h"
#include "api/resource_routes.h"

namespace xyd::api {

void add_enterprise_routes(Router& router, ApiServices& services) {
  const Resource enterprises{"enterprise", "enterprises"};
  add_create_route(router, services, enterprises, "RegisterEnterprise",
                   [](const nlohmann::json& body, const std::string&) -> Result<std::string> {
                     const std::string uscc = string_at(body, "uscc");
                     if (uscc.empty())
                       return make_error(Errc::invalid_argument, "uscc is required (a string)", "uscc", "required");
                     return domain::enterprise_id_for_uscc(uscc);
                   });
  add_read_routes(router, services, enterprises,
                  {region_within("region", "region"), field_equals("industry", "industry"),
                   field_equals("certification", "certification"), field_equals("owner", "owner")});
  auto certification = [](ApiServices& s, const Request&, const std::string& id, nlohmann::json&) {
    return certification_context(s, id);
  };
  add_command_routes(router, services, enterprises,
                     {
                         {"POST", "/certification", "SubmitCertification", certification},
                         {"POST", "/certification/review", "ReviewCertification", nullptr},
                         {"POST", "/profile-changes", "ChangeEnterpriseProfile", nullptr},
                         {"POST", "/whitelist", "WhitelistEnterprise", nullptr},
                         {"DELETE", "/whitelist", "DelistEnterprise", nullptr},
                         {"POST", "/risk-signals", "RecordRiskSignal", nullptr},
                         {"POST", "/followers", "FollowEnterprise", nullptr},
                         {"DELETE", "/followers/me", "UnfollowEnterprise", nullptr},
                         {"POST", "/credit-scores", "AssessCreditScore", nullptr},
                     });
}

}  // namespace xyd::api

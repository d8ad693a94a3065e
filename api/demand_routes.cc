#include "api/demand_routes.h"

#include "aggregates/decide_table.h"
#include "api/context_facts.h"
#include "api/resource_routes.h"

namespace xyd::api {
namespace {

using nlohmann::json;

// {"enterprise": {"exists", "owner", "industry", "region"}} of the enterprise the demand is for
// (the demand counts in its enterprise's region).
Result<json> publish_context(ApiServices& services, const Request&, const std::string&, json& body) {
  XYD_ASSIGN_OR_RETURN(json facts, enterprise_facts(services, string_at(body, "enterprise")));
  json enterprise = {{"exists", facts["exists"]}};
  for (const char* field : {"owner", "industry", "region"})
    if (facts.contains(field)) enterprise[field] = facts[field];
  return json{{"enterprise", enterprise}};
}

// {"managers": [...]} of the assigning institution: the caller's, or body.institution for a
// platform role.
Result<json> assign_context(ApiServices& services, const Request& request, const std::string&, json& body) {
  const auto& actor = principal_of(request).actor;
  const std::string institution =
      domain::is_platform_role(actor.role) ? string_at(body, "institution") : actor.institution;
  XYD_ASSIGN_OR_RETURN(json managers, manager_facts(services, institution));
  return json{{"managers", managers}};
}

}  // namespace

void add_demand_routes(Router& router, ApiServices& services) {
  const Resource demands{"demand", "demands"};
  add_create_route(router, services, demands, "PublishDemand", id_from_body_or_command("dem-"), publish_context);
  add_read_routes(router, services, demands,
                  {field_equals("status", "status"), region_within("region", "region"),
                   field_equals("enterprise", "enterprise"), field_equals("institution", "institution"),
                   field_equals("manager", "manager"), field_equals("product_type", "product_type")});
  add_command_routes(router, services, demands,
                     {
                         {"POST", "/claim", "ClaimDemand", nullptr},
                         {"POST", "/assign", "AssignDemand", assign_context},
                         {"POST", "/close", "CloseDemand", nullptr},
                     });
}

}  // namespace xyd::api

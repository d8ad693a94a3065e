#include "api/institution_routes.h"

#include "api/resource_routes.h"

namespace xyd::api {

void add_institution_routes(Router& router, ApiServices& services) {
  const Resource institutions{"institution", "institutions"};
  add_create_route(router, services, institutions, "OnboardInstitution", id_from_body_or_command("ins-"));
  add_read_routes(router, services, institutions,
                  {field_equals("type", "type"), region_within("region", "region"), field_equals("status", "status")});
  add_command_routes(router, services, institutions,
                     {
                         {"PATCH", "", "UpdateInstitution", nullptr},
                         {"POST", "/suspend", "SuspendInstitution", nullptr},
                         {"POST", "/resume", "ResumeInstitution", nullptr},
                         {"DELETE", "", "RemoveInstitution", nullptr},
                         {"POST", "/managers", "AddManager", nullptr},
                         {"DELETE", "/managers/{manager}", "RemoveManager", nullptr},
                         {"POST", "/managers/{manager}/enable", "EnableManager", nullptr},
                         {"POST", "/managers/{manager}/disable", "DisableManager", nullptr},
                     });
}

}  // namespace xyd::api

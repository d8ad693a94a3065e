#include "api/application_routes.h"

#include <set>

#include "api/context_facts.h"
#include "api/resource_routes.h"
#include "events/json_input.h"

namespace xyd::api {
namespace {

using nlohmann::json;

Result<json> submit_context(ApiServices& services, const Request&, const std::string&, json& body) {
  return application_context(services, body);
}

// {"managers": [...]} of the order's institution.
Result<json> reassign_context(ApiServices& services, const Request&, const std::string& id, json&) {
  XYD_ASSIGN_OR_RETURN(auto order, services.state.get("application", id));
  XYD_ASSIGN_OR_RETURN(json managers,
                       manager_facts(services, order ? events::string_or(order->data, "institution") : ""));
  return json{{"managers", managers}};
}

// The risk marker (the enterprise's current warnings that the reader may see in the risk feed) on
// every order an institution's user, or a platform role, reads; other callers' answers are unchanged.
ItemDecorator risk_marker_on_orders(ApiServices& services) {
  return [&services](const Request& request, json& item) {
    static const std::set<std::string> roles = {"institution_admin", "account_manager", "system_admin", "auditor",
                                                "system"};
    if (!services.risk_marker || !roles.contains(principal_of(request).actor.role)) return;
    item["risk_marker"] = services.risk_marker(principal_of(request).actor, events::string_or(item, "enterprise"));
  };
}

}  // namespace

void add_application_routes(Router& router, ApiServices& services) {
  const Resource applications{"application", "applications"};
  add_create_route(router, services, applications, "SubmitApplication", id_from_body_or_command("app-"),
                   submit_context);
  add_read_routes(
      router, services, applications,
      {field_equals("institution", "institution"), field_equals("manager", "manager"), field_equals("status", "status"),
       field_equals("enterprise", "enterprise"), field_equals("product", "product"), region_within("region", "region")},
      risk_marker_on_orders(services));
  add_command_routes(router, services, applications,
                     {
                         {"POST", "/reassign", "ReassignManager", reassign_context},
                         {"POST", "/accept", "AcceptApplication", nullptr},
                         {"POST", "/terminate", "TerminateApplication", nullptr},
                         {"POST", "/withdraw", "WithdrawApplication", nullptr},
                         {"POST", "/credit", "GrantCredit", nullptr},
                         {"POST", "/credit-decline", "DeclineCredit", nullptr},
                         {"POST", "/disbursements", "DisburseLoan", nullptr},
                         {"POST", "/repayments", "ReceiveRepayment", nullptr},
                         {"POST", "/overdue", "MarkOverdue", nullptr},
                         {"POST", "/write-offs", "WriteOffLoan", nullptr},
                     });
}

}  // namespace xyd::api

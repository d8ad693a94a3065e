#include "api/audit_routes.h"

#include <set>
#include <string_view>
#include <vector>

#include "api/access_check.h"
#include "api/http_pagination.h"
#include "api/resource_routes.h"
#include "events/catalog.h"
#include "events/schema/account.h"
#include "events/schema/application.h"
#include "events/schema/demand.h"
#include "events/schema/enterprise.h"
#include "events/schema/institution.h"
#include "projections/audit/audit_query.h"
#include "projections/view_names.h"

namespace xyd::api {
namespace {

using projections::audit::AuditQuery;

Result<size_t> page_size(const Request& request) {
  return page_limit(request, projections::audit::kDefaultPageSize, projections::audit::kMaxPageSize);
}

// The filters every audit query takes: ?actor &from &to &cursor &limit.
Status read_filters(const Request& request, AuditQuery& query) {
  query.actor = request.query_or("actor", "");
  query.from = request.query_or("from", "");
  query.to = request.query_or("to", "");
  query.cursor = page_cursor(request);
  XYD_ASSIGN_OR_RETURN(query.limit, page_size(request));
  return Status();
}

Result<Response> answer(const projections::runtime::ViewSource& runtime, const AuditQuery& query,
                        const Request& request) {
  XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader(projections::view::kAudit));
  XYD_ASSIGN_OR_RETURN(auto page, projections::audit::query_audit(*reader, query));
  if (!sees_personal_data(request)) mask_personal_data(page.items);
  Response response;
  response.body = {{"items", std::move(page.items)},
                   {"next_cursor", page.next_cursor.empty() ? nlohmann::json() : nlohmann::json(page.next_cursor)}};
  return response;
}

// The flow logs (流水) of the source documents, each the events it lists; the business-operation
// log is every event in none of the login and account-management logs.
struct FlowLog {
  std::string_view name;
  std::set<std::string> events;
};

const std::vector<FlowLog>& flow_logs() {
  static const std::vector<FlowLog> logs = {
      {"login", {events::account::kLoggedIn, events::account::kLoginFailed}},
      {"account-management",
       {events::account::kAccountRegistered, events::account::kAccountApproved, events::account::kAccountRejected,
        events::account::kAccountEnabled, events::account::kAccountDisabled, events::account::kPasswordChanged,
        events::institution::kManagerAdded, events::institution::kManagerRemoved, events::institution::kManagerEnabled,
        events::institution::kManagerDisabled}},
      // certification rule runs and results (认证规则执行 / 认证结果)
      {"certification",
       {events::enterprise::kCertificationSubmitted, events::enterprise::kCertificationRuleEvaluated,
        events::enterprise::kEnterpriseCertified, events::enterprise::kCertificationRejected}},
      {"risk-screening",
       {events::application::kRiskScreened}},  // risk-screening rule runs: each rule's hit and the verdict
      // data-source calls and what they fed: rule runs name the sources they called
      {"data-sources",
       {events::enterprise::kCertificationRuleEvaluated, events::enterprise::kEnterpriseProfileChanged,
        events::enterprise::kRiskSignalRecorded, events::enterprise::kCreditScoreAssessed}},
      // connector calls: the credit, disbursement and repayment interfaces
      {"connector-calls",
       {events::application::kCreditGranted, events::application::kCreditDeclined, events::application::kLoanDisbursed,
        events::application::kRepaymentReceived, events::application::kLoanOverdue,
        events::application::kLoanWrittenOff, events::application::kLoanSettled}},
      {"approval",  // 进件审批流水
       {events::application::kApplicationSubmitted, events::application::kRiskScreened,
        events::application::kManagerAssigned, events::application::kManagerReassigned,
        events::application::kApplicationAccepted, events::application::kApplicationTerminated,
        events::application::kApplicationWithdrawn, events::application::kCreditGranted,
        events::application::kCreditDeclined}},
      {"reassignment", {events::application::kManagerAssigned, events::application::kManagerReassigned}},  // 调整流水
      {"demand",
       {events::demand::kDemandPublished, events::demand::kDemandClaimed, events::demand::kDemandAssigned,
        events::demand::kDemandClosed}},
  };
  return logs;
}

Result<std::set<std::string>> log_names(const std::string& log) {
  for (const auto& flow : flow_logs())
    if (flow.name == log) return flow.events;
  if (log == "business-operations") {
    std::set<std::string> rest;
    for (const auto& type : events::EventCatalog::standard().types())
      if (!flow_logs()[0].events.contains(type.name) && !flow_logs()[1].events.contains(type.name))
        rest.insert(type.name);
    return rest;
  }
  std::string known;
  for (const auto& flow : flow_logs()) known += std::string(flow.name) + ", ";
  return make_error(Errc::not_found, "no log named " + log + " (" + known + "business-operations)", "log", "known-log");
}

}  // namespace

void add_audit_routes(Router& router, const projections::runtime::ViewSource& runtime,
                      projections::runtime::ChainAuditJob& verification) {
  router.add(
      "GET", "/api/v1/audit/{type}/{id}", guarded("audit.read", [&runtime](const Request& request) -> Result<Response> {
        AuditQuery query;
        query.aggregate_type = request.params.at("type");
        query.aggregate_id = request.params.at("id");
        XYD_RETURN_IF_ERROR(read_filters(request, query));
        XYD_ASSIGN_OR_RETURN(Response response, answer(runtime, query, request));
        if (response.body["items"].empty() && query.cursor.empty() && query.from.empty() && query.to.empty() &&
            query.actor.empty())
          return make_error(Errc::not_found,
                            "no events of " + query.aggregate_type + "/" + query.aggregate_id +
                                " in the audit view (if they were just written, the view may lag a moment: retry)",
                            "id", "known-aggregate");
        return response;
      }));
  router.add("GET", "/api/v1/audit", guarded("audit.read", [&runtime](const Request& request) -> Result<Response> {
               AuditQuery query;
               XYD_RETURN_IF_ERROR(read_filters(request, query));
               return answer(runtime, query, request);
             }));
  router.add("POST", "/api/v1/ops/audit/verify",
             guarded("audit.verify", [&verification](const Request& request) -> Result<Response> {
               std::string type, id;
               if (!request.body.empty()) {
                 XYD_ASSIGN_OR_RETURN(auto body, request.json_body());
                 if (auto aggregate = body.find("aggregate"); aggregate != body.end() && !aggregate->is_null()) {
                   if (!aggregate->is_string())
                     return make_error(Errc::invalid_argument, "aggregate must be a string TYPE/ID", "aggregate",
                                       "type-slash-id");
                   XYD_ASSIGN_OR_RETURN(auto parsed,
                                        projections::runtime::parse_aggregate(aggregate->get<std::string>()));
                   type = parsed.first;
                   id = parsed.second;
                 }
               }
               XYD_RETURN_IF_ERROR(verification.start(type, id));
               Response response;
               response.status = 202;
               response.headers["Location"] = "/api/v1/ops/audit/verify";
               response.body = verification.status();
               return response;
             }));
  router.add("GET", "/api/v1/ops/audit/verify",
             guarded("audit.verify", [&verification](const Request&) -> Result<Response> {
               Response response;
               response.body = verification.status();
               return response;
             }));
  // GET /api/v1/logs: the flow logs there are and the events each holds.
  router.add("GET", "/api/v1/logs", guarded("flow_log.read", [](const Request&) -> Result<Response> {
               Response response;
               response.body["items"] = nlohmann::json::array();
               for (const auto& flow : flow_logs())
                 response.body["items"].push_back({{"log", flow.name}, {"events", flow.events}});
               response.body["items"].push_back({{"log", "business-operations"}, {"events", "every other event"}});
               return response;
             }));
  // GET /api/v1/logs/{log}?from&to&actor&subject=TYPE/ID&limit&cursor
  router.add("GET", "/api/v1/logs/{log}",
             guarded("flow_log.read", [&runtime](const Request& request) -> Result<Response> {
               AuditQuery query;
               XYD_ASSIGN_OR_RETURN(query.names, log_names(request.params.at("log")));
               if (auto subject = request.query_or("subject", ""); !subject.empty()) {
                 XYD_ASSIGN_OR_RETURN(auto parsed, projections::runtime::parse_aggregate(subject));
                 query.aggregate_type = parsed.first;
                 query.aggregate_id = parsed.second;
               }
               XYD_RETURN_IF_ERROR(read_filters(request, query));
               return answer(runtime, query, request);
             }));
}

}  // namespace xyd::api

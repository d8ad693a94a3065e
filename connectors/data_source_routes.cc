#include "connectors/data_source_routes.h"

#include "api/access_check.h"
#include "api/command_handler.h"
#include "connectors/webhook_subscription_routes.h"

namespace xyd::connectors {
namespace {

using api::guarded;
using api::Request;
using api::Response;
using nlohmann::json;

json refusal(const Error& error) {
  return {{"accepted", false}, {"code", errc_name(error.code)}, {"field", error.field}, {"rule", error.rule}};
}

Result<Response> take_record(api::ApiServices& services, DataSourceIntake& intake, const Request& request) {
  const std::string source = request.params.at("source");
  XYD_RETURN_IF_ERROR(check_source_name(source));
  XYD_ASSIGN_OR_RETURN(json record, request.json_body());
  auto prepared = intake.prepare(record, source);
  if (!prepared.ok()) {
    intake.note_call(source, "http", record, refusal(prepared.error()));
    return prepared.error();
  }
  api::CommandRoute route{"data-source." + source, prepared->name, "enterprise", 200};
  api::CommandCall call;
  call.command_id = prepared->command_id;
  call.aggregate_id = prepared->aggregate_id;
  call.body = prepared->body;
  call.body_hash = prepared->body_hash;
  auto response = api::run_command(services, request, route, std::move(call));
  intake.note_call(source, "http", record,
                   response.ok() ? json{{"accepted", true}, {"status", response->status}, {"body", response->body}}
                                 : refusal(response.error()));
  return response;
}

}  // namespace

void add_data_source_routes(api::Router& router, api::ApiServices& services, DataSourceIntake& intake,
                            OutboundStore& store) {
  router.add("POST", "/api/v1/data-sources/{source}/records",
             guarded("data_source.submit",
                     [&services, &intake](const Request& request) { return take_record(services, intake, request); }));
  // A data source's machine key is made by POST /api/v1/data-sources/api-keys (api/machine_key_routes.h).
  router.add("GET", "/api/v1/data-sources/{source}/calls",
             guarded("data_source_log.read", [&store](const Request& request) -> Result<Response> {
               XYD_RETURN_IF_ERROR(check_source_name(request.params.at("source")));
               return flow_log_page(store, request, data_source_scope(request.params.at("source")));
             }));
  router.add("GET", "/api/v1/data-sources/dead-letters",
             guarded("data_source_log.read", [&store](const Request& request) {
               return dead_letter_page(store, request, kDataSourceDeadLetters);
             }));
}

}  // namespace xyd::connectors

#include "connectors/inbound_routes.h"

#include "aggregates/fields.h"
#include "api/access_check.h"
#include "api/http_pagination.h"
#include "api/problem.h"
#include "api/resource_routes.h"
#include "connectors/bank_results_projection.h"
#include "connectors/inbound.h"
#include "connectors/webhook_signature.h"

namespace xyd::connectors {
namespace {

using api::problem_response;
using api::Request;
using api::Response;
using nlohmann::json;

Result<std::string> readable_institution(const Request& request) {
  const std::string institution = request.params.at("institution");
  XYD_RETURN_IF_ERROR(api::allow(request, "connector.read", domain::Subject{"", institution, "", "", ""}));
  return institution;
}

Result<Response> receive(InboundRouteDeps& deps, const Request& request) {
  const std::string institution = request.params.at("institution");
  XYD_ASSIGN_OR_RETURN(auto secrets, deps.services.credentials.webhook_secrets(institution));
  const WebhookHeaders headers{request.header("webhook-id"), request.header("webhook-timestamp"),
                               request.header("webhook-signature")};
  const int64_t now = deps.services.now_ms();
  XYD_RETURN_IF_ERROR(verify_webhook(secrets, headers, request.body, now / 1000));
  Inbound item{"webhook",
               institution,
               request.body,
               "webhook:" + institution + "/" + headers.id,
               {{"webhook_id", headers.id}, {"webhook_timestamp", headers.timestamp}},
               now};
  InboundProcessor processor(deps.services.gateway);
  InboundVerdict verdict = std::move(processor.process({item}).front());
  switch (verdict.kind) {
    case InboundVerdict::Kind::retry: {
      Response response = problem_response(make_error(Errc::unavailable,
                                                      "the result could not be decided now: " + verdict.error.message +
                                                          "; send it again with the same webhook-id",
                                                      "", "retry"),
                                           request.path);
      response.status = verdict.error.code == Errc::timeout ? 504 : 503;
      response.headers["Retry-After"] = "1";
      return response;
    }
    case InboundVerdict::Kind::rejected: {
      // Kept before it is answered: a refusal the bank saw is always in the error view.
      std::vector<log::OutRecord> letter = {to_record(*verdict.dead_letter)};
      XYD_RETURN_IF_ERROR(deps.log.append(letter));
      Response response = problem_response(verdict.error, request.path);
      response.body["dead_letter"] = verdict.dead_letter->id;
      response.body["serial"] = verdict.serial;
      return response;
    }
    case InboundVerdict::Kind::applied:
    case InboundVerdict::Kind::replayed: {
      Response response;
      response.body = {{"serial", verdict.serial},
                       {"outcome", verdict_name(verdict.kind)},
                       {"application", verdict.outcome->aggregate_id},
                       {"version", verdict.outcome->version},
                       {"events", verdict.outcome->events}};
      if (verdict.kind == InboundVerdict::Kind::replayed) response.headers["Idempotency-Replayed"] = "true";
      // Read-your-writes, as every command route: the bank's next GET of the order shows it.
      auto shown = deps.services.state.wait_for("application", verdict.outcome->aggregate_id, verdict.outcome->version,
                                                deps.services.sessions.view_wait);
      if (!shown.ok()) response.headers["Warning"] = "199 xyd \"" + shown.error().message + "\"";
      return response;
    }
  }
  return make_error(Errc::fatal, "unknown verdict");
}

}  // namespace

void add_inbound_routes(api::Router& router, InboundRouteDeps deps) {
  auto shared = std::make_shared<InboundRouteDeps>(deps);
  router.add(
      "POST", "/api/v1/connectors/{institution}/results",
      [shared](const Request& request) { return receive(*shared, request); }, api::Access::open);
  router.add("GET", "/api/v1/connectors/{institution}/results/{serial}",
             [shared](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(std::string institution, readable_institution(request));
               XYD_ASSIGN_OR_RETURN(auto view, shared->views.reader(kBankResultsView));
               XYD_ASSIGN_OR_RETURN(auto row, result_by_serial(*view, institution, request.params.at("serial")));
               if (!row)
                 return make_error(Errc::not_found,
                                   "no result with serial " + request.params.at("serial") + " from " + institution,
                                   "serial", "exists");
               Response response;
               response.body = *row;
               return response;
             });
  router.add("GET", "/api/v1/connectors/{institution}/errors", [shared](const Request& request) -> Result<Response> {
    XYD_ASSIGN_OR_RETURN(std::string institution, readable_institution(request));
    XYD_ASSIGN_OR_RETURN(size_t limit, api::page_limit(request));
    XYD_ASSIGN_OR_RETURN(auto view, shared->views.reader(kBankResultsView));
    Response response;
    XYD_ASSIGN_OR_RETURN(response.body, errors_page(*view, institution, page_cursor(request), limit));
    return response;
  });
  router.add("GET", "/api/v1/connectors/{institution}/reconciliation",
             [shared](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(std::string institution, readable_institution(request));
               const json query = {{"date", request.query_or("date", "")}};
               XYD_ASSIGN_OR_RETURN(std::string date, domain::required_date(query, "date"));
               XYD_ASSIGN_OR_RETURN(auto view, shared->views.reader(kBankResultsView));
               Response response;
               XYD_ASSIGN_OR_RETURN(response.body, reconciliation(*view, institution, date));
               return response;
             });
  router.add("GET", "/api/v1/ops/connectors/inbound",
             api::guarded("ops.read", [shared](const Request&) -> Result<Response> {
               Response response;
               response.body = shared->consumer_stats ? shared->consumer_stats() : json{{"running", false}};
               return response;
             }));
}

}  // namespace xyd::connectors

#include "connectors/webhook_subscription_routes.h"

#include "aggregates/fields.h"
#include "api/access_check.h"
#include "api/http_pagination.h"
#include "api/resource_routes.h"
#include "connectors/webhook_delivery.h"
#include "connectors/webhook_target.h"
#include "events/codec.h"
#include "projections/audit/audit_rows.h"

namespace xyd::connectors {
namespace {

using api::Request;
using api::Response;
using nlohmann::json;

// ?name= as Unix milliseconds (0 when absent), or a 400 naming it.
Result<int64_t> time_query(const Request& request, const std::string& name) {
  const std::string text = request.query_or(name, "");
  if (text.empty()) return int64_t{0};
  auto ms = projections::audit::parse_time_ms(text);
  if (!ms) return make_error(Errc::invalid_argument, name + " must be an RFC 3339 time or a date", name, "rfc3339");
  return *ms;
}

Result<Response> page_response(Result<StorePage> page) {
  if (!page.ok()) return page.error();
  Response response;
  response.body = {{"items", std::move(page->items)},
                   {"next_cursor", page->next_cursor.empty() ? json() : json(page->next_cursor)}};
  return response;
}

// The webhook URL of a PUT body: an absolute http(s) URL of at most 2048 characters whose host
// resolves to allowed addresses only (the delivery worker checks again at every attempt).
Result<std::string> subscription_url(const Request& request, bool allow_loopback) {
  XYD_ASSIGN_OR_RETURN(json body, request.json_body());
  XYD_ASSIGN_OR_RETURN(std::string url, domain::required_string(body, "url"));
  XYD_RETURN_IF_ERROR(domain::as_status(resolve_webhook_target(url, allow_loopback)));
  return url;
}

Result<std::string> institution_of(api::ApiServices& services, const Request& request, const std::string& param,
                                   const std::string& action) {
  const std::string id = request.params.at(param);
  auto state = api::readable_state(services, request, "institution", id, action);
  if (!state.ok()) return state.error();
  return id;
}

}  // namespace

Result<Response> flow_log_page(const OutboundStore& store, const Request& request, const std::string& scope) {
  XYD_ASSIGN_OR_RETURN(int64_t from, time_query(request, "from"));
  XYD_ASSIGN_OR_RETURN(int64_t to, time_query(request, "to"));
  XYD_ASSIGN_OR_RETURN(size_t limit, api::page_limit(request));
  return page_response(store.flow_page(scope, from, to, page_cursor(request), limit));
}

Result<Response> dead_letter_page(const OutboundStore& store, const Request& request, const std::string& scope) {
  XYD_ASSIGN_OR_RETURN(size_t limit, api::page_limit(request));
  return page_response(store.dead_letter_page(scope, page_cursor(request), limit));
}

void add_webhook_subscription_routes(api::Router& router, api::ApiServices& services, OutboundStore& store,
                                     std::function<void()> changed, bool allow_loopback) {
  router.add("PUT", "/api/v1/institutions/{id}/webhook",
             [&services, &store, changed, allow_loopback](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(std::string institution, institution_of(services, request, "id", "webhook.manage"));
               XYD_ASSIGN_OR_RETURN(std::string url, subscription_url(request, allow_loopback));
               json subscription = {{"institution", institution},
                                    {"url", url},
                                    {"status", "active"},
                                    {"updated_at", events::rfc3339_from_ms(services.now_ms())},
                                    {"updated_by", api::principal_of(request).actor.account}};
               OutboundStore::Batch batch;
               batch.put_subscription(institution, subscription);
               XYD_RETURN_IF_ERROR(store.write(batch));
               if (changed) changed();
               Response response;
               response.body = subscription;
               return response;
             });
  router.add("GET", "/api/v1/institutions/{id}/webhook",
             [&services, &store](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(std::string institution, institution_of(services, request, "id", "webhook.read"));
               XYD_ASSIGN_OR_RETURN(auto subscription, store.subscription(institution));
               if (!subscription)
                 return make_error(Errc::not_found, institution + " has no webhook subscription", "id", "subscribed");
               Response response;
               response.body = *subscription;
               return response;
             });
  router.add("DELETE", "/api/v1/institutions/{id}/webhook",
             [&services, &store, changed](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(std::string institution, institution_of(services, request, "id", "webhook.manage"));
               XYD_ASSIGN_OR_RETURN(auto subscription, store.subscription(institution));
               if (!subscription)
                 return make_error(Errc::not_found, institution + " has no webhook subscription", "id", "subscribed");
               (*subscription)["status"] = "removed";
               (*subscription)["updated_at"] = events::rfc3339_from_ms(services.now_ms());
               OutboundStore::Batch batch;
               batch.put_subscription(institution, *subscription);
               XYD_RETURN_IF_ERROR(store.write(batch));
               if (changed) changed();
               Response response;
               response.status = 204;
               return response;
             });
  router.add("GET", "/api/v1/connectors/{institution}/deliveries",
             [&services, &store](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(std::string institution,
                                    institution_of(services, request, "institution", "outbound_delivery.read"));
               return flow_log_page(store, request, webhook_scope(institution));
             });
  router.add("GET", "/api/v1/connectors/{institution}/deliveries/dead-letters",
             [&services, &store](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(std::string institution,
                                    institution_of(services, request, "institution", "outbound_delivery.read"));
               return dead_letter_page(store, request, webhook_scope(institution));
             });
}

}  // namespace xyd::connectors

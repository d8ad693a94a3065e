#include "api/projection_routes.h"

#include "api/access_check.h"
#include "api/http_pagination.h"
#include "api/resource_routes.h"
#include "projections/delinquency/delinquency_projection.h"
#include "projections/view_names.h"

namespace xyd::api {

void add_projection_routes(Router& router, projections::runtime::ProjectionRuntime& runtime) {
  router.add("GET", "/api/v1/ops/projections", guarded("ops.read", [&runtime](const Request&) -> Result<Response> {
               Response response;
               nlohmann::json items = nlohmann::json::array();
               for (const auto& status : runtime.status()) items.push_back(status.to_json());
               response.body = {{"items", items}};
               return response;
             }));
  router.add("GET", "/api/v1/ops/projections/{name}",
             guarded("ops.read", [&runtime](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(auto status, runtime.status(request.params.at("name")));
               Response response;
               response.body = status.to_json();
               return response;
             }));
  router.add("POST", "/api/v1/ops/projections/{name}/rebuild",
             guarded("ops.rebuild", [&runtime](const Request& request) -> Result<Response> {
               const std::string name = request.params.at("name");
               XYD_ASSIGN_OR_RETURN(int64_t version, runtime.rebuild(name));
               XYD_ASSIGN_OR_RETURN(auto status, runtime.status(name));
               Response response;
               response.status = 202;
               response.headers["Location"] = "/api/v1/ops/projections/" + name;
               response.body = status.to_json();
               response.body["rebuilding_version"] = version;
               return response;
             }));
  router.add("DELETE", "/api/v1/ops/projections/{name}/rebuild",
             guarded("ops.rebuild", [&runtime](const Request& request) -> Result<Response> {
               const std::string name = request.params.at("name");
               XYD_RETURN_IF_ERROR(runtime.cancel_rebuild(name));
               XYD_ASSIGN_OR_RETURN(auto status, runtime.status(name));
               Response response;
               response.body = status.to_json();
               return response;
             }));
  router.add(
      "GET", "/api/v1/risk/loans", guarded("risk_feed.read", [&runtime](const Request& request) -> Result<Response> {
        XYD_ASSIGN_OR_RETURN(size_t limit, page_limit(request, 50, 500));
        XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader(projections::view::kDelinquency));
        Response response;
        XYD_ASSIGN_OR_RETURN(response.body, projections::delinquency::list_loans(*reader, request.query_or("class", ""),
                                                                                 page_cursor(request), limit));
        return response;
      }));
  router.add("GET", "/api/v1/risk/loans/{loan_number}",
             guarded("risk_feed.read", [&runtime](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader(projections::view::kDelinquency));
               Response response;
               XYD_ASSIGN_OR_RETURN(response.body,
                                    projections::delinquency::get_loan(*reader, request.params.at("loan_number")));
               return response;
             }));
}

}  // namespace xyd::api

#include "api/product_routes.h"

#include "aggregates/product.h"
#include "api/context_facts.h"
#include "api/resource_routes.h"
#include "events/json_input.h"

namespace xyd::api {
namespace {

using nlohmann::json;

// {"institution": {"status"}} of the institution publishing (body.institution, by default the
// caller's own) or of the product's institution.
Result<json> institution_status(ApiServices& services, const std::string& institution) {
  XYD_ASSIGN_OR_RETURN(json facts, institution_facts(services, institution));
  return json{{"institution", {{"status", facts["status"]}}}};
}

Result<json> publish_context(ApiServices& services, const Request& request, const std::string&, json& body) {
  const std::string own = principal_of(request).actor.institution;
  if (!body.contains("institution") && !own.empty()) body["institution"] = own;
  return institution_status(services, string_at(body, "institution"));
}

Result<json> enable_context(ApiServices& services, const Request&, const std::string& id, json&) {
  XYD_ASSIGN_OR_RETURN(auto product, services.state.get("product", id));
  return institution_status(services, product ? events::string_or(product->data, "institution") : "");
}

// ?region=: products serving it.
bool serves_query_region(const Request& request, const json& data) {
  const std::string region = request.query_or("region", "");
  return region.empty() || domain::serves_region(events::array_or_empty(data, "service_regions"), region);
}

}  // namespace

void add_product_routes(Router& router, ApiServices& services) {
  const Resource products{"product", "products"};
  add_create_route(router, services, products, "PublishProduct", id_from_body_or_command("prd-"), publish_context);
  add_read_routes(router, services, products,
                  {field_equals("institution", "institution"), field_equals("type", "product_type"),
                   field_equals("status", "status"), serves_query_region});
  add_command_routes(router, services, products,
                     {
                         {"PATCH", "", "UpdateProduct", nullptr},
                         {"POST", "/disable", "DisableProduct", nullptr},
                         {"POST", "/enable", "EnableProduct", enable_context},
                         {"POST", "/withdraw", "WithdrawProduct", nullptr},
                     });
}

}  // namespace xyd::api

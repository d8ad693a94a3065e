// read_scope (read_routes.h): which region a read covers for the caller.
#include "aggregates/reference.h"
#include "api/access_check.h"
#include "api/read_routes.h"
#include "projections/rule_set.h"

namespace xyd::api {

Result<std::string> read_scope(const Request& request, const std::string& action, const std::string& field) {
  const events::Actor& actor = principal_of(request).actor;
  std::string scope = request.query_or(field, "");
  if (scope.empty()) {
    if (actor.role == "government_city")
      scope = domain::city_of(actor.region);
    else if (actor.role == "government_province")
      scope = domain::province_of(actor.region);
    if (scope.empty()) scope = "CN";
  }
  const auto level = domain::level_of(scope);
  if (scope != "CN" && level != domain::RegionLevel::province && level != domain::RegionLevel::city)
    return make_error(Errc::invalid_argument,
                      field + " " + scope + " is neither CN, a province NN0000 nor a city NNNN00", field, "read-scope");
  domain::Subject subject;
  subject.region = scope;
  auto allowed = allow(request, action, subject);
  if (!allowed.ok()) {
    Error error = allowed.error();
    if (error.rule == "scope-region") {
      error.message = "a " + actor.role + " of " + actor.region + " may read only its own region, not " + scope;
      error.field = field;
    }
    return error;
  }
  return scope;
}

Handler region_read(std::string action, Handler handler) {
  return [action = std::move(action), handler = std::move(handler)](const Request& request) -> Result<Response> {
    if (domain::scope_of(principal_of(request).actor.role, action) == domain::Scope::none)
      return allow(request, action).error();
    return handler(request);
  };
}

Result<projections::ranking::Weights> load_ranking_weights(const std::string& rules_dir, const std::string& ranking) {
  XYD_ASSIGN_OR_RETURN(auto rules, projections::load_rule_set(rules_dir, "ranking"));
  XYD_ASSIGN_OR_RETURN(auto weights, projections::ranking_weights(rules));
  projections::ranking::Weights out;
  out.version = weights.version;
  if (auto it = weights.rankings.find(ranking); it != weights.rankings.end()) out.percent = it->second;
  return out;
}

}  // namespace xyd::api

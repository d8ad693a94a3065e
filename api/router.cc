#include "api/router.h"

#include <set>

#include "events/json_input.h"

namespace xyd::api {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// A path parameter names an aggregate or a row: 1 to 128 bytes of valid UTF-8 without control
// characters (they become ids in the log, keys in the views and text in JSON answers).
Status check_path_parameter(const std::string& name, const std::string& value) {
  auto refuse = [&](const std::string& why) {
    return make_error(Errc::invalid_argument, "the path parameter " + name + " " + why, name, "path-parameter");
  };
  if (value.empty() || value.size() > 128) return refuse("must have 1 to 128 bytes");
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return refuse("must not contain control characters");
  if (!events::is_utf8(value)) return refuse("must be valid UTF-8");
  return Status();
}

}  // namespace

std::string Request::header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

std::string Request::query_or(const std::string& name, const std::string& fallback) const {
  auto found = query.find(name);
  return found == query.end() ? fallback : found->second;
}

Result<nlohmann::json> Request::json_body() const {
  return events::parse_json_object(body, events::kInputLimits, "body");
}

void Router::add(const std::string& method, const std::string& pattern, Handler handler, Access access) {
  for (const auto& route : routes_)
    if (route.method == method && route.pattern == pattern) duplicates_.push_back(method + " " + pattern);
  routes_.push_back({method, pattern, split_path(pattern), std::move(handler), access});
}

bool has_credentials(const Request& request) {
  return !request.header("authorization").empty() || !request.header("x-api-key").empty();
}

const Principal& principal_of(const Request& request) {
  static const Principal anonymous{{"", "anonymous", "", ""}, "anonymous", "", "", false};
  return request.principal ? *request.principal : anonymous;
}

std::string allow_header(const std::vector<std::string>& methods) {
  std::string text;
  for (const auto& method : methods) text += (text.empty() ? "" : ", ") + method;
  return text;
}

Result<Response> Router::dispatch(Request& request) const {
  if (request.method == "OPTIONS") {
    const auto methods = allowed_methods(request.path);
    if (methods.empty()) return make_error(Errc::not_found, "no route for " + request.path, "path", "known-route");
    Response response;
    response.status = 204;
    response.headers["Allow"] = allow_header(methods);
    return response;
  }
  XYD_ASSIGN_OR_RETURN(const Route* route, match(request));
  request.route = route->pattern;
  for (const auto& [name, value] : request.params) XYD_RETURN_IF_ERROR(check_path_parameter(name, value));
  if (route->access != Access::open || has_credentials(request)) {
    if (!authenticator_)
      return make_error(Errc::unauthenticated, "this server has no authentication configured", "authorization",
                        "authenticated");
    XYD_ASSIGN_OR_RETURN(Principal principal, authenticator_(request));
    if (principal.restricted && route->access == Access::authenticated)
      return make_error(Errc::forbidden,
                        "this account must change its initial password first: PUT /api/v1/accounts/" +
                            principal.actor.account + "/password with current_password and new_password",
                        "password", "first-login-password-change");
    request.principal = std::move(principal);
  }
  return route->handler(request);
}

bool Router::matches(const Route& route, const std::vector<std::string>& parts,
                     std::map<std::string, std::string>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& segment = route.segments[i];
    if (segment.size() > 2 && segment.front() == '{' && segment.back() == '}') {
      if (params) (*params)[segment.substr(1, segment.size() - 2)] = parts[i];
    } else if (segment != parts[i]) {
      return false;
    }
  }
  return true;
}

Result<const Router::Route*> Router::match(Request& request) const {
  const auto parts = split_path(request.path);
  const std::string& method = request.method == "HEAD" ? std::string("GET") : request.method;
  bool path_known = false;
  for (const auto& route : routes_) {
    std::map<std::string, std::string> params;
    if (!matches(route, parts, &params)) continue;
    path_known = true;
    if (route.method != method) continue;
    request.params = std::move(params);
    return &route;
  }
  if (path_known)
    return make_error(Errc::invalid_argument,
                      request.method + " is not allowed on " + request.path +
                          "; allowed: " + allow_header(allowed_methods(request.path)),
                      "method", "allowed-method");
  return make_error(Errc::not_found, "no route for " + request.method + " " + request.path, "path", "known-route");
}

std::vector<std::string> Router::allowed_methods(const std::string& path) const {
  const auto parts = split_path(path);
  std::set<std::string> methods;
  for (const auto& route : routes_) {
    if (!matches(route, parts, nullptr)) continue;
    methods.insert(route.method);
    if (route.method == "GET") methods.insert("HEAD");
  }
  if (!methods.empty()) methods.insert("OPTIONS");
  return {methods.begin(), methods.end()};
}

std::vector<std::string> Router::route_list() const {
  std::vector<std::string> list;
  for (const auto& route : routes_) {
    std::string line = route.method + " ";
    for (const auto& segment : route.segments) line += "/" + segment;
    list.push_back(route.segments.empty() ? line + "/" : line);
  }
  return list;
}

}  // namespace xyd::api

// Router: maps METHOD + path pattern ("/api/v1/audit/{type}/{id}") to a handler. Handlers are
// plain functions of a Request to a Result<Response>; an Error becomes an RFC 9457 problem
// document. Built once at start-up, then read by every request thread (immutable while serving).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/result.h"

namespace xyd::api {

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;   // from the pattern's {names}
  std::map<std::string, std::string> query;    // decoded query string
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // raw body (JSON for most routes)
  std::string client_address;

  std::string header(const std::string& lower_case_name) const;
  std::string query_or(const std::string& name, const std::string& fallback) const;
  // The body parsed as a JSON object, or a 400 naming the body.
  Result<nlohmann::json> json_body() const;
};

struct Response {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
  std::string raw;  // sent instead of body when not empty (CSV, text)
};

using Handler = std::function<Result<Response>(const Request&)>;

class Router {
 public:
  void add(const std::string& method, const std::string& pattern, Handler handler);
  // The handler for a request, filling request.params; a 404 or 405 problem when none matches.
  Result<const Handler*> match(Request& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" matches one segment
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace xyd::api

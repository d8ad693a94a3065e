// Router: maps METHOD + path pattern ("/api/v1/audit/{type}/{id}") to a handler, and makes sure
// who calls it is known first: every route needs an authenticated principal unless added as
// public, and a session restricted to its first-login password change reaches only the routes
// that allow it. Handlers are plain functions of a Request to a Result<Response>; an Error becomes
// an RFC 9457 problem document. Built once at start-up, then read by every request thread
// (immutable while serving).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/envelope.h"
#include "events/result.h"

namespace xyd::api {

// Who is calling: an account's session, a connector's machine key, or the local operator.
struct Principal {
  events::Actor actor;      // account id, role (account kind or machine role), institution, region
  std::string kind;         // "session" | "machine_key" | "operator"
  std::string session_id;   // for a session
  std::string credential;   // the session's credential reference or the key's id
  bool restricted = false;  // a first-login session: it may only change its password
};

struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> params;   // from the pattern's {names}
  std::map<std::string, std::string> query;    // decoded query string
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;                            // raw body (JSON for most routes)
  std::string client_address;
  std::optional<Principal> principal;  // set by the router before the handler runs
  std::string route;                   // the matched route's pattern, set by the router ("" = none)
  std::string request_id;              // X-Request-Id (checked) or generated; commands' correlation id
  std::string traceparent;             // the W3C traceparent answered (the caller's trace, our span)

  std::string header(const std::string& lower_case_name) const;
  std::string query_or(const std::string& name, const std::string& fallback) const;
  // The body parsed as a JSON object, or a 400 naming the body.
  Result<nlohmann::json> json_body() const;
};

// Where a streamed body goes (exports, Server-Sent Events). Owned by the thread that writes it.
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  // Sends a chunk; false once the client has gone or the server is stopping (then stop writing).
  // Blocks while more than a few megabytes are waiting for a slow client (back-pressure).
  virtual bool write(std::string_view chunk) = 0;
  // Whether the client is still there (for a writer that waits between chunks, e.g. SSE).
  virtual bool open() const = 0;
};

struct Response {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
  std::string content_type = "application/json";
  std::map<std::string, std::string> headers;
  std::string raw;  // sent instead of body when not empty (CSV, text)
  // When set, the body is streamed instead: called once on a thread of its own after the status
  // and headers are sent (chunked); the body ends when it returns. For exports and SSE.
  std::function<void(BodyWriter&)> stream;
};

using Handler = std::function<Result<Response>(const Request&)>;
// Who is calling, from the request's credentials: unauthenticated (401) when they are missing
// or invalid.
using Authenticator = std::function<Result<Principal>(const Request&)>;

// Who may reach a route at all (what they may do there is the handler's access check).
enum class Access {
  authenticated,    // any principal with a full session, key or operator token
  password_change,  // also a restricted first-login session (change password, log out, whoami)
  open,             // anyone; credentials, when sent, must be valid and give the principal
};

class Router {
 public:
  void add(const std::string& method, const std::string& pattern, Handler handler,
           Access access = Access::authenticated);
  void set_authenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }
  // Matches the route (filling request.params), authenticates as the route requires (filling
  // request.principal) and runs the handler; 404 for an unknown path, 405 (rule allowed-method)
  // for a method the path does not have, 401/403 when the caller may not reach the route. HEAD
  // runs the GET route (the server drops the body); OPTIONS answers 204 with Allow on a known path.
  Result<Response> dispatch(Request& request) const;
  // The methods a path answers ("GET", "HEAD", "OPTIONS", "POST", ...), sorted; empty when no
  // route matches it. The Allow header of 405 and OPTIONS.
  std::vector<std::string> allowed_methods(const std::string& path) const;
  // Every route as "METHOD /pattern/{name}", in the order added (for tests and tools).
  std::vector<std::string> route_list() const;
  // Routes added twice ("METHOD /pattern"): a programming error the server refuses to start with
  // (the second would never be reached).
  const std::vector<std::string>& duplicate_routes() const { return duplicates_; }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" matches one segment
    Handler handler;
    Access access = Access::authenticated;
  };
  static bool matches(const Route& route, const std::vector<std::string>& parts,
                      std::map<std::string, std::string>* params);
  Result<const Route*> match(Request& request) const;
  std::vector<Route> routes_;
  std::vector<std::string> duplicates_;
  Authenticator authenticator_;
};

// The Allow header's value for a list of methods ("GET, HEAD, OPTIONS").
std::string allow_header(const std::vector<std::string>& methods);
// Whether the request carries credentials (an Authorization or X-Api-Key header).
bool has_credentials(const Request& request);
// The principal of an authenticated request (the router guarantees it on non-open routes).
const Principal& principal_of(const Request& request);

}  // namespace xyd::api

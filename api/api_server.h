// ApiServer: the HTTP front end (cpprestsdk). Turns each request into an api::Request, runs the
// Router's handler, and answers JSON, or an RFC 9457 problem document for any Error. Requests
// run on cpprestsdk's thread pool; the router is immutable once the server starts.
#pragma once

#include <memory>
#include <string>

#include "api/http_response.h"
#include "api/request_observer.h"
#include "api/router.h"
#include "events/event_log.h"
#include "events/result.h"

namespace xyd::api {

struct ServerInfo {
  std::string version;
  std::string commit;      // the commit built ("-dirty" when built with uncommitted changes)
  std::string build_time;  // RFC 3339 UTC
  std::string node;
};

struct ServerLimits {
  size_t max_body_bytes = 1 << 20;  // larger bodies get 413
};

class ApiServer {
 public:
  // address: "http://127.0.0.1:8080" (or "http://127.0.0.1:0": any free port).
  ApiServer(std::string address, Router router, ServerLimits limits = {});
  ~ApiServer();
  // Called around every dispatched request (request ids, access log, metrics); set before start().
  void set_observer(std::shared_ptr<RequestObserver> observer);
  // Listens on the address; port 0 lets the kernel choose a free port, which address() and port()
  // name once start() succeeded.
  [[nodiscard]] Status start();
  void stop();
  const std::string& address() const;
  int port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The router's answer to `request` (its body read), or the problem document of its refusal, 5xx
// saying nothing internal (the details go to the log with an id); a handler that throws is a 500.
// Any request thread.
Response respond(const Router& router, Request& request);
// `response` as it goes on the wire: Allow on a 405, then the HTTP semantics of http_response.h.
WireResponse finalize_for(const Router& router, const Request& request, Response response);
// Both: what ApiServer sends for `request`, without the socket (in-process route tests call it).
WireResponse answer(const Router& router, Request& request);

// GET /healthz (200 while the process serves, as /livez; the body names the log's backend and
// whether it answers) and GET /api/v1/version.
void add_health_routes(Router& router, log::EventLog& log, ServerInfo info);

}  // namespace xyd::api

#include "api/api_server.h"

#include <cpprest/http_listener.h>

#include <algorithm>
#include <cctype>

#include "api/problem.h"

namespace xyd::api {

using web::http::http_request;

namespace {

void send(const http_request& request, const Response& response) {
  web::http::http_response reply(static_cast<web::http::status_code>(response.status));
  for (const auto& [name, value] : response.headers) reply.headers().add(name, value);
  reply.set_body(response.raw.empty() ? response.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                      : response.raw,
                 response.content_type);
  request.reply(reply).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {  // the client went away; nothing to do
    }
  });
}

Response problem_response(const Error& error, const std::string& path) {
  Response r;
  r.status = http_status(error.code);
  r.body = problem(error, path);
  r.content_type = "application/problem+json";
  if (r.status == 401) r.headers["WWW-Authenticate"] = "Bearer realm=\"xyd\"";
  return r;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

struct ApiServer::Impl {
  std::string address;
  Router router;
  ServerLimits limits;
  web::http::experimental::listener::http_listener listener;

  Impl(std::string a, Router r, ServerLimits l)
      : address(std::move(a)), router(std::move(r)), limits(l), listener(address) {}

  Response handle(const http_request& incoming, const std::string& body) {
    Request request;
    request.method = incoming.method();
    request.path = web::uri::decode(incoming.relative_uri().path());
    for (const auto& [name, value] : web::uri::split_query(incoming.relative_uri().query()))
      request.query[web::uri::decode(name)] = web::uri::decode(value);
    for (const auto& [name, value] : incoming.headers()) request.headers[lower(name)] = value;
    request.body = body;
    request.client_address = incoming.remote_address();
    try {
      auto response = router.dispatch(request);
      if (!response.ok()) return problem_response(response.error(), request.path);
      return std::move(response).value();
    } catch (const std::exception& e) {
      return problem_response(make_error(Errc::fatal, std::string("internal error: ") + e.what()), request.path);
    }
  }
};

ApiServer::ApiServer(std::string address, Router router, ServerLimits limits)
    : impl_(std::make_unique<Impl>(std::move(address), std::move(router), limits)) {
  impl_->listener.support([this](http_request request) {
    auto length = request.headers().content_length();
    if (length > impl_->limits.max_body_bytes) {
      Response r = problem_response(make_error(Errc::invalid_argument,
                                               "the body has " + std::to_string(length) + " bytes; the limit is " +
                                                   std::to_string(impl_->limits.max_body_bytes),
                                               "body", "max-size"),
                                    request.relative_uri().path());
      r.status = 413;
      r.body["status"] = 413;
      send(request, r);
      return;
    }
    request.extract_utf8string(true).then([this, request](pplx::task<std::string> body_task) {
      std::string body;
      try {
        body = body_task.get();
      } catch (const std::exception& e) {
        send(request, problem_response(make_error(Errc::invalid_argument, std::string("unreadable body: ") + e.what(),
                                                  "body", "utf-8"),
                                       request.relative_uri().path()));
        return;
      }
      send(request, impl_->handle(request, body));
    });
  });
}

ApiServer::~ApiServer() { stop(); }

Status ApiServer::start() {
  try {
    impl_->listener.open().wait();
  } catch (const std::exception& e) {
    return make_error(Errc::unavailable, "cannot listen on " + impl_->address + ": " + e.what() +
                                             " (is the port taken? choose another with --http or XYD_HTTP)");
  }
  return Status();
}

void ApiServer::stop() {
  try {
    impl_->listener.close().wait();
  } catch (...) {
  }
}

const std::string& ApiServer::address() const { return impl_->address; }

void add_health_routes(Router& router, log::EventLog& log, ServerInfo info) {
  router.add("GET", "/healthz", [&log, info](const Request&) -> Result<Response> {
    auto ping = log.ping();
    Response r;
    r.status = ping.ok() ? 200 : 503;
    r.body = {
        {"status", ping.ok() ? "ok" : "degraded"},
        {"version", info.version},
        {"node", info.node},
        {"log", {{"backend", log.backend()}, {"where", log.where()}, {"reachable", ping.ok()}}},
    };
    if (!ping.ok()) r.body["log"]["error"] = ping.error().message;
    return r;
  }, Access::open);
  router.add("GET", "/api/v1/version", [&log, info](const Request&) -> Result<Response> {
    Response r;
    r.body = {{"version", info.version}, {"log_backend", log.backend()}};
    return r;
  }, Access::open);
}

}  // namespace xyd::api

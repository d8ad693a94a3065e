#include "api/api_server.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

#include "api/http_response.h"
#include "api/port_reservation.h"
#include "api/problem.h"
#include "events/codec.h"

namespace xyd::api {

using web::http::http_request;

namespace {

// What the server's streamed bodies share: whether it is stopping, and how many are running
// (stop() waits for them). Guarded by its mutex.
struct StreamRegistry {
  std::mutex mutex;
  std::condition_variable idle;
  int running = 0;
  std::atomic<bool> stopping{false};
};

// A streamed body's writer: chunks go into cpprestsdk's producer/consumer buffer, which the
// listener sends chunked. Owned by the stream's thread.
class BufferWriter final : public BodyWriter {
 public:
  BufferWriter(concurrency::streams::producer_consumer_buffer<uint8_t> buffer, std::shared_ptr<std::atomic<bool>> gone,
               const StreamRegistry& registry)
      : buffer_(std::move(buffer)), gone_(std::move(gone)), registry_(registry) {}
  bool open() const override { return !gone_->load() && !registry_.stopping.load(); }
  bool write(std::string_view chunk) override {
    constexpr size_t kMaxWaiting = 4 << 20;  // back-pressure: a slow client holds at most this much
    while (open() && buffer_.in_avail() > kMaxWaiting) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (!open()) return false;
    try {
      buffer_.putn_nocopy(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()).wait();
      buffer_.sync().wait();
    } catch (...) {
      gone_->store(true);
      return false;
    }
    return true;
  }

 private:
  concurrency::streams::producer_consumer_buffer<uint8_t> buffer_;
  std::shared_ptr<std::atomic<bool>> gone_;
  const StreamRegistry& registry_;
};

// The wire response's status and headers, Content-Type included.
web::http::http_response reply_head(const WireResponse& response) {
  web::http::http_response reply(static_cast<web::http::status_code>(response.status));
  for (const auto& [name, value] : response.headers) reply.headers().add(name, value);
  return reply;
}

void send_stream(const http_request& request, const WireResponse& response, StreamRegistry& registry) {
  web::http::http_response reply = reply_head(response);
  concurrency::streams::producer_consumer_buffer<uint8_t> buffer;
  reply.set_body(buffer.create_istream(), reply.headers().content_type());
  auto gone = std::make_shared<std::atomic<bool>>(false);
  {
    std::lock_guard lock(registry.mutex);
    ++registry.running;
  }
  std::thread([request, buffer, gone, stream = response.stream, &registry]() mutable {
    BufferWriter writer(buffer, gone, registry);
    try {
      stream(writer);
    } catch (...) {  // a failing stream ends its body early; the client sees a truncated response
    }
    try {
      buffer.close(std::ios_base::out).wait();
    } catch (...) {
    }
    std::lock_guard lock(registry.mutex);
    if (--registry.running == 0) registry.idle.notify_all();
  }).detach();
  request.reply(reply).then([gone](pplx::task<void> t) {
    gone->store(true);
    try {
      t.get();
    } catch (...) {  // the client went away
    }
  });
}

// The body of an answer to HEAD: cpprestsdk has no way to send headers alone with a length
// other than 0 (a missing body makes it write Content-Length: 0), so the answer gets the length a
// GET would have (or chunked framing for a stream) and a body that fails at its first read, which
// makes the listener end the connection after the headers; Connection: close says so.
void set_headers_only(web::http::http_response& reply, const WireResponse& response) {
  if (!response.stream && response.body.empty()) return;  // Content-Length: 0 is then the truth
  if (!response.stream) reply.headers().add(web::http::header_names::content_length, response.body.size());
  reply.headers().add(web::http::header_names::connection, "close");
  concurrency::streams::producer_consumer_buffer<uint8_t> nothing;
  reply.set_body(nothing.create_istream(), reply.headers().content_type());
  nothing.close(std::ios_base::in, std::make_exception_ptr(std::runtime_error("HEAD: no body"))).wait();
}

void send(const http_request& request, const WireResponse& response) {
  web::http::http_response reply = reply_head(response);
  if (response.head)
    set_headers_only(reply, response);
  else if (!response.body.empty())
    reply.set_body(std::vector<uint8_t>(response.body.begin(), response.body.end()));
  request.reply(reply).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {  // the client went away; nothing to do
    }
  });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// What a 5xx says: a generic sentence by kind and an id; the server log holds the id with the
// details (an exception's text, a broker's address), which never reach the client.
Error public_error(const Error& error, const std::string& path) {
  if (http_status(error) < 500) return error;
  const std::string id = events::uuid_v7();
  std::cerr << "xyd api: error " << id << " on " << path << ": " << error.to_string() << std::endl;
  const char* what = error.code == Errc::unavailable ? "the service is unavailable for a moment; retry later"
                     : error.code == Errc::timeout   ? "the request timed out; retry with the same Idempotency-Key"
                                                     : "an internal error occurred";
  return make_error(error.code, std::string(what) + " (error id " + id + "; the server log has the details)");
}

// A refusal as it leaves: 5xx say nothing internal.
Response public_problem(const Error& error, const std::string& path) {
  return problem_response(public_error(error, path), path);
}

// The request as the router sees it, without its body (read later, within the limit).
Request request_of(const http_request& incoming) {
  Request request;
  request.method = incoming.method();
  request.path = web::uri::decode(incoming.relative_uri().path());
  for (const auto& [name, value] : web::uri::split_query(incoming.relative_uri().query()))
    request.query[web::uri::decode(name)] = web::uri::decode(value);
  for (const auto& [name, value] : incoming.headers()) request.headers[lower(name)] = value;
  request.client_address = incoming.remote_address();
  return request;
}

// Reads a request body chunk by chunk as it arrives, counting the bytes actually read whatever
// the framing (Content-Length or chunked): past the limit it keeps draining the rest (so memory
// stays bounded and the connection can answer) and reports the body as too large.
struct BodyReader : std::enable_shared_from_this<BodyReader> {
  using Done = std::function<void(Result<std::string>)>;
  http_request request;
  size_t limit;
  Done done;
  std::string body;
  size_t total = 0;
  std::vector<uint8_t> chunk = std::vector<uint8_t>(64 * 1024);

  BodyReader(http_request r, size_t l, Done d) : request(std::move(r)), limit(l), done(std::move(d)) {}

  void next() {
    auto self = shared_from_this();
    request.body().streambuf().getn(chunk.data(), chunk.size()).then([self](pplx::task<size_t> read) {
      size_t n = 0;
      try {
        n = read.get();
      } catch (...) {
        self->done(make_error(Errc::invalid_argument, "the request body could not be read to its end", "body",
                              "complete-body"));
        return;
      }
      if (n == 0) {
        if (self->total > self->limit)
          self->done(make_error(
              Errc::invalid_argument,
              "the body has " + std::to_string(self->total) + " bytes; the limit is " + std::to_string(self->limit),
              "body", "max-size"));
        else
          self->done(std::move(self->body));
        return;
      }
      self->total += n;
      if (self->total <= self->limit)
        self->body.append(reinterpret_cast<const char*>(self->chunk.data()), n);
      else
        std::string().swap(self->body);
      self->next();
    });
  }
};

}  // namespace

Response respond(const Router& router, Request& request) {
  try {
    auto response = router.dispatch(request);
    if (!response.ok()) return public_problem(response.error(), request.path);
    return std::move(response).value();
  } catch (const std::exception& e) {
    return public_problem(make_error(Errc::fatal, std::string("a handler threw: ") + e.what()), request.path);
  } catch (...) {
    return public_problem(make_error(Errc::fatal, "a handler threw an exception of unknown type"), request.path);
  }
}

WireResponse finalize_for(const Router& router, const Request& request, Response response) {
  if (response.status == 405) response.headers["Allow"] = allow_header(router.allowed_methods(request.path));
  return finalize_response(request, std::move(response), std::chrono::system_clock::now());
}

WireResponse answer(const Router& router, Request& request) {
  Response response = respond(router, request);
  return finalize_for(router, request, std::move(response));
}

struct ApiServer::Impl {
  std::string address;
  Router router;
  ServerLimits limits;
  std::unique_ptr<web::http::experimental::listener::http_listener> listener;  // made by start()
  StreamRegistry streams;
  std::shared_ptr<RequestObserver> observer;

  Impl(std::string a, Router r, ServerLimits l) : address(std::move(a)), router(std::move(r)), limits(l) {}

  // Every answer leaves through here: the HTTP semantics of http_response.h, Allow on a 405, then
  // the bytes (or the stream; never for HEAD).
  void reply(const http_request& incoming, const Request& request, Response response) {
    WireResponse wire = finalize_for(router, request, std::move(response));
    if (wire.stream && !wire.head)
      send_stream(incoming, wire, streams);
    else
      send(incoming, wire);
  }

  void serve(const http_request& incoming) {
    auto request = std::make_shared<Request>(request_of(incoming));
    auto reader = std::make_shared<BodyReader>(
        incoming, limits.max_body_bytes, [this, incoming, request](Result<std::string> body) {
          // A body refused (too large, cut off) is observed too:
          // its request id, access line and metrics.
          const auto started = std::chrono::steady_clock::now();
          if (observer) observer->started(*request);
          Response response;
          if (body.ok()) {
            request->body = std::move(*body);
            response = respond(router, *request);
          } else {
            response = public_problem(body.error(), request->path);
          }
          if (observer) observer->finished(*request, response, std::chrono::steady_clock::now() - started);
          reply(incoming, *request, std::move(response));
        });
    reader->next();
  }
};

ApiServer::ApiServer(std::string address, Router router, ServerLimits limits)
    : impl_(std::make_unique<Impl>(std::move(address), std::move(router), limits)) {}

ApiServer::~ApiServer() {
  stop();
}

void ApiServer::set_observer(std::shared_ptr<RequestObserver> observer) {
  impl_->observer = std::move(observer);
}

Status ApiServer::start() {
  // Port 0: the kernel picks a free port, held by a reservation until the listener has bound it
  // too (cpprestsdk cannot say which port it bound), and the address names it from then on.
  auto reservation = PortReservation::reserve_if_any(impl_->address);
  if (!reservation.ok()) return reservation.error();
  if (*reservation) impl_->address = (*reservation)->address();
  try {
    impl_->listener = std::make_unique<web::http::experimental::listener::http_listener>(impl_->address);
    // cpprestsdk answers OPTIONS and TRACE itself unless they have handlers of their own.
    impl_->listener->support([this](http_request request) { impl_->serve(request); });
    impl_->listener->support(web::http::methods::OPTIONS, [this](http_request request) { impl_->serve(request); });
    impl_->listener->support(web::http::methods::TRCE, [this](http_request request) { impl_->serve(request); });
    impl_->listener->open().wait();
  } catch (const std::exception& e) {
    impl_->listener.reset();
    return make_error(Errc::unavailable, "cannot listen on " + impl_->address + ": " + e.what() +
                                             " (is the port taken? choose another with --http or XYD_HTTP, or port 0)");
  }
  return Status();
}

void ApiServer::stop() {
  impl_->streams.stopping.store(true);
  {
    std::unique_lock lock(impl_->streams.mutex);
    impl_->streams.idle.wait_for(lock, std::chrono::seconds(10), [this] { return impl_->streams.running == 0; });
  }
  if (!impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (...) {
  }
  impl_->listener.reset();
}

const std::string& ApiServer::address() const {
  return impl_->address;
}

int ApiServer::port() const {
  return web::uri(impl_->address).port();
}

void add_health_routes(Router& router, log::EventLog& log, ServerInfo info) {
  router.add(
      "GET", "/healthz",
      [&log, info](const Request& request) -> Result<Response> {
        auto ping = log.ping();
        Response r;
        // 200 while the process serves: reads go on with the log down (writes answer 503 by
        // themselves), so a liveness probe on it must not restart the node; "status" tells.
        r.status = 200;
        r.body = {
            {"status", ping.ok() ? "ok" : "degraded"},
            {"version", info.version},
            {"node", info.node},
            {"log", {{"backend", log.backend()}, {"reachable", ping.ok()}}},
        };
        // Where the log lives and why it fails are for the platform's own staff, never anonymous callers.
        const bool staff = request.principal &&
                           (request.principal->kind == "operator" || request.principal->actor.role == "system_admin");
        if (staff) {
          r.body["log"]["where"] = log.where();
          if (!ping.ok()) r.body["log"]["error"] = ping.error().message;
        }
        return r;
      },
      Access::open);
  router.add(
      "GET", "/api/v1/version",
      [&log, info](const Request&) -> Result<Response> {
        Response r;
        r.body = {{"version", info.version},
                  {"commit", info.commit},
                  {"build_time", info.build_time},
                  {"log_backend", log.backend()}};
        return r;
      },
      Access::open);
}

}  // namespace xyd::api

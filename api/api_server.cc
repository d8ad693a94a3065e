#include "api/api_server.h"

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <functional>
#include <iostream>
#include <thread>
#include <vector>

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

void send_stream(const http_request& request, const Response& response, StreamRegistry& registry) {
  web::http::http_response reply(static_cast<web::http::status_code>(response.status));
  for (const auto& [name, value] : response.headers) reply.headers().add(name, value);
  concurrency::streams::producer_consumer_buffer<uint8_t> buffer;
  reply.set_body(buffer.create_istream(), response.content_type);
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

// What a 5xx says: a generic sentence by kind and an id; the server log holds the id with the
// details (an exception's text, a broker's address), which never reach the client.
Error public_error(const Error& error, const std::string& path) {
  if (http_status(error.code) < 500) return error;
  const std::string id = events::uuid_v7();
  std::cerr << "xyd api: error " << id << " on " << path << ": " << error.to_string() << std::endl;
  const char* what = error.code == Errc::unavailable ? "the service is unavailable for a moment; retry later"
                     : error.code == Errc::timeout   ? "the request timed out; retry with the same Idempotency-Key"
                                                     : "an internal error occurred";
  return make_error(error.code, std::string(what) + " (error id " + id + "; the server log has the details)");
}

Response problem_response(const Error& error, const std::string& path) {
  Response r;
  r.status = http_status(error.code);
  r.body = problem(public_error(error, path), path);
  r.content_type = "application/problem+json";
  if (r.status == 401) r.headers["WWW-Authenticate"] = "Bearer realm=\"xyd\"";
  if (r.status == 503) r.headers["Retry-After"] = "5";  // a log outage: writes fail fast, retry in a while
  return r;
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
          self->done(make_error(Errc::invalid_argument,
                                "the body has " + std::to_string(self->total) + " bytes; the limit is " +
                                    std::to_string(self->limit),
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
  StreamRegistry streams;

  void reply(const http_request& request, const Response& response) {
    if (response.stream)
      send_stream(request, response, streams);
    else
      send(request, response);
  }

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
      return problem_response(make_error(Errc::fatal, std::string("a handler threw: ") + e.what()), request.path);
    } catch (...) {
      return problem_response(make_error(Errc::fatal, "a handler threw an exception of unknown type"), request.path);
    }
  }
};

ApiServer::ApiServer(std::string address, Router router, ServerLimits limits)
    : impl_(std::make_unique<Impl>(std::move(address), std::move(router), limits)) {
  impl_->listener.support([this](http_request request) {
    auto reader = std::make_shared<BodyReader>(request, impl_->limits.max_body_bytes,
                                               [this, request](Result<std::string> body) {
                                                 if (!body.ok()) {
                                                   Response r = problem_response(body.error(),
                                                                                 request.relative_uri().path());
                                                   if (body.error().rule == "max-size") {
                                                     r.status = 413;
                                                     r.body["status"] = 413;
                                                     r.body["title"] = "The request body is too large";
                                                   }
                                                   send(request, r);
                                                   return;
                                                 }
                                                 impl_->reply(request, impl_->handle(request, *body));
                                               });
    reader->next();
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
  impl_->streams.stopping.store(true);
  {
    std::unique_lock lock(impl_->streams.mutex);
    impl_->streams.idle.wait_for(lock, std::chrono::seconds(10), [this] { return impl_->streams.running == 0; });
  }
  try {
    impl_->listener.close().wait();
  } catch (...) {
  }
}

const std::string& ApiServer::address() const { return impl_->address; }

void add_health_routes(Router& router, log::EventLog& log, ServerInfo info) {
  router.add("GET", "/healthz", [&log, info](const Request& request) -> Result<Response> {
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
    const bool staff = request.principal && (request.principal->kind == "operator" ||
                                             request.principal->actor.role == "system_admin");
    if (staff) {
      r.body["log"]["where"] = log.where();
      if (!ping.ok()) r.body["log"]["error"] = ping.error().message;
    }
    return r;
  }, Access::open);
  router.add("GET", "/api/v1/version", [&log, info](const Request&) -> Result<Response> {
    Response r;
    r.body = {{"version", info.version}, {"log_backend", log.backend()}};
    return r;
  }, Access::open);
}

}  // namespace xyd::api

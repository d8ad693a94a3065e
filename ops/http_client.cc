#include "ops/http_client.h"

#include <cpprest/http_client.h>

namespace xyd::ops {

struct HttpClient::Impl {
  web::http::client::http_client client;
  Impl(const std::string& base, std::chrono::seconds timeout)
      : client(base, [&] {
          web::http::client::http_client_config config;
          config.set_timeout(timeout);
          return config;
        }()) {}
};

std::string Problem::to_string() const {
  std::string text = std::to_string(status);
  if (!rule.empty()) text += " " + rule;
  if (!field.empty()) text += " (" + field + ")";
  return text + ": " + detail;
}

Errc errc_of_status(int status) {
  switch (status) {
    case 400:
      return Errc::invalid_argument;
    case 401:
      return Errc::unauthenticated;
    case 403:
      return Errc::forbidden;
    case 404:
      return Errc::not_found;
    case 409:
      return Errc::conflict;
    case 429:
      return Errc::too_many;
    case 503:
      return Errc::unavailable;
    default:
      return status == 422 ? Errc::refused : Errc::fatal;
  }
}

HttpClient::HttpClient(std::string base, std::chrono::seconds timeout)
    : base_(std::move(base)), impl_(std::make_unique<Impl>(base_, timeout)) {}

HttpClient::~HttpClient() = default;

Result<HttpReply> HttpClient::call(const HttpCall& call) const {
  try {
    web::http::http_request request(call.method);
    request.set_request_uri(call.path);
    if (!call.token.empty()) request.headers().add("Authorization", "Bearer " + call.token);
    if (!call.idempotency_key.empty()) request.headers().add("Idempotency-Key", call.idempotency_key);
    for (const auto& [name, value] : call.headers) request.headers().add(name, value);
    if (!call.raw_body.empty())
      request.set_body(call.raw_body, "application/json");
    else if (!call.body.is_null())
      request.set_body(call.body.dump(), "application/json");
    auto response = impl_->client.request(request).get();
    HttpReply reply;
    reply.status = response.status_code();
    reply.text = response.extract_utf8string(true).get();
    reply.body = nlohmann::json::parse(reply.text, nullptr, false);
    if (reply.body.is_discarded()) reply.body = nullptr;
    auto replayed = response.headers().find("Idempotency-Replayed");
    reply.replayed = replayed != response.headers().end() && replayed->second == "true";
    if (reply.status >= 400) {
      reply.problem.status = reply.status;
      if (reply.body.is_object()) {
        reply.problem.detail = reply.body.value("detail", reply.text);
        reply.problem.field = reply.body.value("field", "");
        reply.problem.rule = reply.body.value("rule", "");
      } else {
        reply.problem.detail = reply.text;
      }
    }
    return reply;
  } catch (const std::exception& e) {
    return make_error(Errc::unavailable, "cannot reach xyd serve at " + base_ + " (" + e.what() +
                                             "); start it, or point --http (XYD_HTTP) at it");
  }
}

}  // namespace xyd::ops

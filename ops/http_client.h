// HttpClient: a small JSON-over-HTTP client for the xyd tools that talk to a running `xyd serve`
// (rebuild, projections, demo): one call = method, path, optional JSON body, optional bearer token
// and Idempotency-Key; the answer is the status, the JSON body, whether it was an idempotent
// replay, and the RFC 9457 problem when the server refused. A transport failure (no server, a
// timeout) is the only Error. One HttpClient may be shared by threads; each call is independent.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "events/result.h"

namespace xyd::ops {

// A refusal as the server described it (RFC 9457): {status, detail, field, rule}.
struct Problem {
  int status = 0;
  std::string detail;
  std::string field;
  std::string rule;

  // "409 unique-id (id): the enterprise already exists"
  std::string to_string() const;
};

struct HttpReply {
  int status = 0;
  nlohmann::json body;    // the parsed JSON body (null when there was none or it was not JSON)
  std::string text;       // the raw body
  bool replayed = false;  // Idempotency-Replayed: true
  Problem problem;        // filled when status >= 400

  bool ok() const { return status >= 200 && status < 300; }
};

struct HttpCall {
  std::string method = "GET";
  std::string path;
  nlohmann::json body = nullptr;               // sent as application/json when not null
  std::string token;                           // "Authorization: Bearer <token>" when not empty
  std::string idempotency_key;                 // "Idempotency-Key" when not empty
  std::map<std::string, std::string> headers;  // any others ("Authorization: ApiKey ...", webhook-*)
  std::string raw_body;                        // sent as is (application/json) when not empty, instead of body
};

class HttpClient {
 public:
  // `base`: "http://127.0.0.1:8080".
  explicit HttpClient(std::string base, std::chrono::seconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Errc::unavailable when the server cannot be reached or does not answer in time.
  [[nodiscard]] Result<HttpReply> call(const HttpCall& call) const;

  const std::string& base() const { return base_; }

 private:
  struct Impl;
  std::string base_;
  std::unique_ptr<Impl> impl_;
};

// The Errc a refused call maps to (404 not_found, 409 conflict, 400 invalid_argument, ...).
Errc errc_of_status(int status);

}  // namespace xyd::ops

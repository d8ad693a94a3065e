// WebhookReceiver: a local HTTP endpoint (cpprestsdk http_listener) standing in for institutions'
// webhook receivers in the connector suites: each path answers by a script (the status for the
// n-th request to it), checks the Standard Webhooks signature against the secrets it was given,
// and records every request. Its listener threads record; the test thread reads.
#pragma once

#include <chrono>
#include <cpprest/http_listener.h>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/port_reservation.h"

namespace xyd::test {

struct ReceivedHook {
  std::string path;
  std::string id, timestamp, signature;
  nlohmann::json message;
  bool signature_ok = false;
  int answered = 0;
  std::chrono::steady_clock::time_point at;
};

class WebhookReceiver {
 public:
  WebhookReceiver();  // listens on 127.0.0.1, on a port the kernel chooses
  ~WebhookReceiver();
  std::string url(const std::string& path) const;
  // How `path` answers its n-th request (0-based), and the secrets it verifies with.
  void script(const std::string& path, std::function<int(int n)> answer, std::vector<std::string> secrets);
  std::vector<ReceivedHook> received(const std::string& path) const;

 private:
  void handle(web::http::http_request request);
  std::unique_ptr<api::PortReservation> reservation_;  // until the listener holds the port
  int port_;
  web::http::experimental::listener::http_listener listener_;
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::string, std::function<int(int)>> answers_;
  std::map<std::string, std::vector<std::string>> secrets_;
  std::map<std::string, std::vector<ReceivedHook>> received_;
};

// Whether `header` ("v1,<sig> v1,<sig>") holds a valid signature of id.timestamp.body with any secret
// (an independent implementation: OpenSSL HMAC-SHA256, base64, constant-time compare).
bool verify_standard_webhook(const std::vector<std::string>& secrets, const std::string& id,
                             const std::string& timestamp, const std::string& body, const std::string& header);

}  // namespace xyd::test

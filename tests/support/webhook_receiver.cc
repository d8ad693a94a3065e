#include "tests/support/webhook_receiver.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <sstream>
#include <stdexcept>

namespace xyd::test {
namespace {

std::string decode_base64(const std::string& text) {
  std::string out(text.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return {};
  size_t pad = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string header_of(const web::http::http_request& request, const std::string& name) {
  auto found = request.headers().find(name);
  return found == request.headers().end() ? std::string() : found->second;
}

std::unique_ptr<api::PortReservation> reserve_loopback_port() {
  auto reserved = api::PortReservation::reserve_if_any("http://127.0.0.1:0/");
  if (!reserved.ok() || !*reserved)
    throw std::runtime_error("WebhookReceiver: no loopback port: " + reserved.error().to_string());
  return std::move(*reserved);
}

}  // namespace

bool verify_standard_webhook(const std::vector<std::string>& secrets, const std::string& id,
                             const std::string& timestamp, const std::string& body, const std::string& header) {
  const std::string content = id + "." + timestamp + "." + body;
  std::istringstream parts(header);
  std::string part;
  while (parts >> part) {
    if (!part.starts_with("v1,")) continue;
    const std::string presented = decode_base64(part.substr(3));
    for (const auto& secret : secrets) {
      const std::string key = decode_base64(secret.substr(6));  // after "whsec_"
      unsigned char mac[EVP_MAX_MD_SIZE];
      unsigned int length = 0;
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac, &length);
      if (presented.size() == length && CRYPTO_memcmp(presented.data(), mac, length) == 0) return true;
    }
  }
  return false;
}

WebhookReceiver::WebhookReceiver()
    : reservation_(reserve_loopback_port()), port_(reservation_->port()), listener_(reservation_->address()) {
  listener_.support(web::http::methods::POST, [this](web::http::http_request request) { handle(std::move(request)); });
  listener_.open().wait();
  reservation_.reset();
}

WebhookReceiver::~WebhookReceiver() {
  listener_.close().wait();
}

std::string WebhookReceiver::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void WebhookReceiver::script(const std::string& path, std::function<int(int)> answer,
                             std::vector<std::string> secrets) {
  std::lock_guard lock(mutex_);
  answers_[path] = std::move(answer);
  secrets_[path] = std::move(secrets);
}

std::vector<ReceivedHook> WebhookReceiver::received(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto found = received_.find(path);
  return found == received_.end() ? std::vector<ReceivedHook>{} : found->second;
}

void WebhookReceiver::handle(web::http::http_request request) {
  ReceivedHook hook;
  hook.path = request.relative_uri().path();
  hook.at = std::chrono::steady_clock::now();
  const std::string body = request.extract_string().get();
  hook.id = header_of(request, "webhook-id");
  hook.timestamp = header_of(request, "webhook-timestamp");
  hook.signature = header_of(request, "webhook-signature");
  hook.message = nlohmann::json::parse(body, nullptr, false);
  int status = 404;
  {
    std::lock_guard lock(mutex_);
    hook.signature_ok = verify_standard_webhook(secrets_[hook.path], hook.id, hook.timestamp, body, hook.signature);
    auto& got = received_[hook.path];
    if (auto answer = answers_.find(hook.path); answer != answers_.end())
      status = answer->second(static_cast<int>(got.size()));
    hook.answered = status;
    got.push_back(hook);
  }
  request.reply(static_cast<web::http::status_code>(status)).wait();
}

}  // namespace xyd::test

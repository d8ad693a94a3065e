#include "connectors/webhook_delivery_policy.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

namespace xyd::connectors {
namespace {

std::string base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<size_t>(std::max(written, 0)));
  return out;
}

// The HMAC key of a secret: the base64-decoded part after "whsec_" (Standard Webhooks).
std::string signing_key(const std::string& secret) {
  static const std::string prefix = "whsec_";
  if (!secret.starts_with(prefix)) return secret;
  const std::string encoded = secret.substr(prefix.size());
  if (encoded.empty() || encoded.size() % 4 != 0) return secret;
  std::string key(encoded.size() / 4 * 3 + 1, '\0');
  const int decoded =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(key.data()),
                      reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  if (decoded < 0) return secret;
  size_t padding = 0;
  for (auto it = encoded.rbegin(); it != encoded.rend() && *it == '='; ++it) ++padding;
  key.resize(static_cast<size_t>(decoded) - padding);
  return key;
}

}  // namespace

std::string webhook_signature(const std::string& secret, const std::string& id, int64_t timestamp_s,
                              const std::string& body) {
  const std::string key = signing_key(secret);
  const std::string content = id + "." + std::to_string(timestamp_s) + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &length);
  return base64(mac, length);
}

std::map<std::string, std::string> webhook_headers(const std::vector<std::string>& secrets, const std::string& id,
                                                   int64_t timestamp_s, const std::string& body) {
  std::string signatures;
  for (const auto& secret : secrets)
    signatures +=
        (signatures.empty() ? "" : " ") + std::string("v1,") + webhook_signature(secret, id, timestamp_s, body);
  return {{"webhook-id", id}, {"webhook-timestamp", std::to_string(timestamp_s)}, {"webhook-signature", signatures}};
}

int64_t backoff_ceiling_ms(const RetryPolicy& policy, int attempt) {
  int64_t ceiling = std::max<int64_t>(policy.base_delay_ms, 0);
  for (int i = 1; i < attempt && ceiling < policy.max_delay_ms; ++i) ceiling *= 2;
  return std::min(ceiling, policy.max_delay_ms);
}

int64_t backoff_ms(const RetryPolicy& policy, int attempt, double unit) {
  const double clamped = std::clamp(unit, 0.0, 1.0);
  return static_cast<int64_t>(clamped * static_cast<double>(backoff_ceiling_ms(policy, attempt)));
}

}  // namespace xyd::connectors

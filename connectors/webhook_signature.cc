#include "connectors/webhook_signature.h"

#include <sodium.h>

#include <cstring>
#include <sstream>

#include "events/numbers.h"

namespace xyd::connectors {
namespace {

Error refuse(const std::string& header, const std::string& rule, const std::string& message) {
  return make_error(Errc::unauthenticated, message, header, rule);
}

Result<std::string> decode_base64(const std::string& text) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return make_error(Errc::invalid_argument, "not base64", "secret", "base64");
  out.resize(length);
  return out;
}

std::string encode_base64(const unsigned char* bytes, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Result<std::string> mac(const std::string& secret, const std::string& id, const std::string& timestamp,
                        const std::string& body) {
  if (sodium_init() < 0) return make_error(Errc::fatal, "libsodium could not be initialised");
  XYD_ASSIGN_OR_RETURN(std::string key, decode_base64(secret.starts_with("whsec_") ? secret.substr(6) : secret));
  const std::string message = id + "." + timestamp + "." + body;
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

bool printable(const std::string& text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return false;
  return true;
}

}  // namespace

Result<std::string> sign_webhook(const std::string& secret, const std::string& id, int64_t timestamp,
                                 const std::string& body) {
  XYD_ASSIGN_OR_RETURN(std::string digest, mac(secret, id, std::to_string(timestamp), body));
  return "v1," + encode_base64(reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
}

Status verify_webhook(const std::vector<std::string>& secrets, const WebhookHeaders& headers, const std::string& body,
                      int64_t now_seconds) {
  if (headers.id.empty()) return refuse("webhook-id", "required", "the webhook-id header is required");
  if (headers.id.size() > 255 || !printable(headers.id))
    return refuse("webhook-id", "id-format", "webhook-id is 1 to 255 printable characters");
  if (headers.timestamp.empty())
    return refuse("webhook-timestamp", "required", "the webhook-timestamp header is required");
  const auto parsed = whole_number(headers.timestamp, INT64_MIN, INT64_MAX);
  if (!parsed) return refuse("webhook-timestamp", "timestamp-format", "webhook-timestamp is Unix seconds");
  const int64_t timestamp = *parsed;
  if (timestamp < now_seconds - kWebhookToleranceSeconds || timestamp > now_seconds + kWebhookToleranceSeconds)
    return refuse("webhook-timestamp", "timestamp-tolerance",
                  "webhook-timestamp is more than five minutes away from now: a stale or replayed delivery");
  if (headers.signature.empty())
    return refuse("webhook-signature", "required", "the webhook-signature header is required");
  if (secrets.empty())
    return refuse("webhook-signature", "no-webhook-secret", "the institution has no active webhook secret");
  std::vector<std::string> presented;
  std::istringstream words(headers.signature);
  for (std::string word; words >> word;) {
    if (!word.starts_with("v1,")) continue;  // other versions are not ours to check
    auto bytes = decode_base64(word.substr(3));
    if (bytes.ok() && bytes->size() == crypto_auth_hmacsha256_BYTES) presented.push_back(*bytes);
  }
  if (presented.empty())
    return refuse("webhook-signature", "signature-format", "webhook-signature holds no \"v1,<base64>\" signature");
  bool matched = false;
  for (const auto& secret : secrets) {
    auto expected = mac(secret, headers.id, headers.timestamp, body);
    if (!expected.ok()) continue;
    for (const auto& candidate : presented)  // every pair is compared: no early exit on a match
      matched |= sodium_memcmp(candidate.data(), expected->data(), expected->size()) == 0;
  }
  if (!matched)
    return refuse("webhook-signature", "signature-mismatch",
                  "no signature matches an active webhook secret of the institution");
  return Status();
}

}  // namespace xyd::connectors

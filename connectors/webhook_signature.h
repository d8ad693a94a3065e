// Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-id`,
// `webhook-timestamp` (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
// "<id>.<timestamp>.<body>">` (several, space-separated, during a key rotation), keyed with the
// bytes of a secret "whsec_<base64>". Verification accepts a timestamp within five minutes of
// now and any signature matching any active secret, compared in constant time. Pure (libsodium's
// HMAC and constant-time compare); any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/result.h"

namespace xyd::connectors {

inline constexpr int64_t kWebhookToleranceSeconds = 300;

// "v1,<base64>" for the message, with `secret` ("whsec_..." or raw base64).
Result<std::string> sign_webhook(const std::string& secret, const std::string& id, int64_t timestamp,
                                 const std::string& body);

// The three Standard Webhooks headers of one delivery. Plain value.
struct WebhookHeaders {
  std::string id, timestamp, signature;  // as received ("" when absent)
};

// Verifies a delivery against the institution's active secrets at `now_seconds`. Refusals are
// unauthenticated (401) naming the header and the rule: webhook-id `required` / `id-format`,
// webhook-timestamp `required` / `timestamp-format` / `timestamp-tolerance`, webhook-signature
// `required` / `signature-format` / `signature-mismatch`, or `no-webhook-secret` when the
// institution has none.
[[nodiscard]] Status verify_webhook(const std::vector<std::string>& secrets, const WebhookHeaders& headers,
                                    const std::string& body, int64_t now_seconds);

}  // namespace xyd::connectors

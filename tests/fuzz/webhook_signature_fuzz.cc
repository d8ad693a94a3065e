// Webhook signature headers (connectors/webhook_signature.h): the three Standard Webhooks headers
// and the body as a bank's webhook would send them, verified against two secrets. Only a
// signature made with one of the secrets over that id, timestamp and body is accepted; any
// other answer is a 401 naming the header and the rule.
#include <fuzzer/FuzzedDataProvider.h>

#include "connectors/webhook_signature.h"
#include "tests/fuzz/fuzz_check.h"

using namespace xyd;

namespace {
const std::vector<std::string> kSecrets = {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                           "whsec_c2Vjb25kIHNlY3JldCBvZiB0aGUgZnV6eg=="};
constexpr int64_t kNow = 1798761600;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider input(data, size);
  connectors::WebhookHeaders headers;
  headers.id = input.ConsumeRandomLengthString(256);
  headers.timestamp = input.ConsumeRandomLengthString(64);
  const bool sign = input.ConsumeBool();
  headers.signature = input.ConsumeRandomLengthString(512);
  const std::string body = input.ConsumeRemainingBytesAsString();
  if (sign) {  // a real signature of the (fuzzed) id and body, so the later checks are reached
    auto signed_by = connectors::sign_webhook(kSecrets[1], headers.id, kNow, body);
    FUZZ_CHECK(signed_by.ok(), "signing with a valid secret failed");
    headers.timestamp = std::to_string(kNow);
    headers.signature = headers.signature.substr(0, 16) + " " + *signed_by;
  }
  auto verified = connectors::verify_webhook(kSecrets, headers, body, kNow);
  if (!verified.ok()) {
    FUZZ_CHECK(verified.error().code == Errc::unauthenticated, "a refused delivery is not a 401");
    FUZZ_CHECK(!verified.error().field.empty() && !verified.error().rule.empty(), "a refusal names no header or rule");
  }
  // Any secret text, as an administrator could paste it.
  (void)connectors::sign_webhook(headers.signature, headers.id, kNow, body);
  return 0;
}

// One webhook POST over a socket of its own: connects to an address resolve_webhook_target
// checked (never a fresh resolution), over TLS when the URL is https (the certificate verified
// against the URL's host, SNI sent), sends the signed message with `Connection: close`, and reads
// at most 64 KiB of the answer: the status line and headers decide, the rest is cut off. The whole
// exchange is bounded by one deadline. No redirect is followed. Blocks the calling thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "connectors/webhook_target.h"

namespace xyd::connectors {

constexpr size_t kMaxWebhookAnswerBytes = 64 * 1024;

struct WebhookAnswer {
  int status = 0;  // 0: no answer
  // Empty, or the coarse class of what went wrong: connect-failed, timeout, tls-failed,
  // bad-answer (closed or garbled before a status line), too-large (more than the limit: cut off;
  // a status read before the cut still counts). Never an address, a port or a library's text.
  std::string error;
  int64_t latency_ms = 0;
};

WebhookAnswer post_webhook(const WebhookTarget& target, const std::string& body,
                           const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout,
                           size_t max_answer_bytes = kMaxWebhookAnswerBytes);

}  // namespace xyd::connectors

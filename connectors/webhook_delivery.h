// WebhookDelivery: the worker that POSTs queued outbound messages (OutboundFollower queues them) to
// each institution's subscribed URL, signed with the institution's webhook secrets (Standard
// Webhooks). One institution's deliveries go strictly one after another, in queue order (so each
// application's order holds); 2xx = delivered; 410 Gone disables the subscription and dead-letters
// what was queued; any other answer (or none) is retried with exponential backoff and full jitter
// until the attempt cap, then dead-lettered (RocksDB and xyd.dlq). Every attempt is a flow-log
// entry (event, URL, status, latency, attempt, next retry, and a coarse error class: never an
// exception's text, an address or a port). Every attempt resolves the URL again and checks each
// address against the public-address policy (webhook_target.h), then POSTs to the checked address,
// reading at most 64 KiB of the answer (webhook_http.h). Owns one worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "connectors/outbound_store.h"
#include "connectors/webhook_delivery_policy.h"
#include "connectors/webhook_http.h"
#include "events/event_log.h"

namespace xyd::connectors {

// The flow-log and dead-letter scope of an institution's webhook deliveries.
inline std::string webhook_scope(const std::string& institution) {
  return "webhook/" + institution;
}

struct WebhookOptions {
  RetryPolicy retry;
  std::chrono::milliseconds timeout{5000};  // per POST
  std::chrono::milliseconds tick{100};      // how often the queue is looked at when idle
  bool allow_loopback = false;              // --webhooks-allow-loopback: tests' local receivers
  size_t max_answer_bytes = kMaxWebhookAnswerBytes;
  // The institution's active webhook secrets, newest first (identity/credential_store.h).
  std::function<Result<std::vector<std::string>>(const std::string& institution)> secrets;
};

class WebhookDelivery {
 public:
  WebhookDelivery(log::EventLog& log, OutboundStore& store, WebhookOptions options);
  ~WebhookDelivery();
  WebhookDelivery(const WebhookDelivery&) = delete;
  WebhookDelivery& operator=(const WebhookDelivery&) = delete;

  void start();
  void stop();
  // Wakes the worker (a subscription changed).
  void poke();

 private:
  void run();
  // Tries the institution's next due delivery; whether it made an attempt.
  Result<bool> deliver_next(const std::string& institution, int64_t now_ms);
  Status dead_letter_all(const std::string& institution, const std::string& why, int64_t now_ms);
  Status dead_letter(OutboundStore::Batch& batch, const std::string& institution, const QueuedDelivery& item,
                     const Error& reason, int64_t now_ms);
  // One signed POST of `body` to the subscription's URL, after the address check.
  WebhookAnswer post_signed(const std::string& institution, const std::string& url, const std::string& event_id,
                            const std::string& body, int64_t now_ms);

  log::EventLog& log_;
  OutboundStore& store_;
  WebhookOptions options_;
  std::mt19937_64 random_;  // worker thread only
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;  // guards poked_
  std::condition_variable wake_;
  bool poked_ = false;
  std::thread thread_;
};

}  // namespace xyd::connectors

#include "connectors/webhook_delivery.h"

#include <algorithm>
#include <iostream>

#include "connectors/dlq_writer.h"
#include "events/codec.h"
#include "events/json_input.h"
#include "ops/telemetry/metrics.h"

namespace xyd::connectors {
namespace {

using nlohmann::json;

int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The coarse class of an attempt that went wrong (empty when it did not): the transport's class,
// or http-3xx / http-4xx / http-5xx by the status.
std::string error_class(const WebhookAnswer& answer) {
  if (!answer.error.empty()) return answer.error;
  if (answer.status >= 300 && answer.status < 600) return "http-" + std::to_string(answer.status / 100) + "xx";
  if (answer.status != 0 && (answer.status < 200 || answer.status >= 300)) return "bad-answer";
  return "";
}

// The flow-log entry of one attempt.
json attempt_entry(const json& message, const std::string& url, const WebhookAnswer& answer, int attempt, int64_t at_ms,
                   const std::string& outcome) {
  json entry = {{"event_id", events::string_or(message, "event_id")},
                {"type", events::string_or(message, "type")},
                {"application", events::string_or(message, "application")},
                {"url", url},
                {"status", answer.status},
                {"latency_ms", answer.latency_ms},
                {"attempt", attempt},
                {"at", events::rfc3339_from_ms(at_ms)},
                {"at_ms", at_ms},
                {"outcome", outcome},
                {"next_retry_at", nullptr}};
  if (const std::string error = error_class(answer); !error.empty()) entry["error"] = error;
  return entry;
}

}  // namespace

WebhookDelivery::WebhookDelivery(log::EventLog& log, OutboundStore& store, WebhookOptions options)
    : log_(log), store_(store), options_(std::move(options)), random_(std::random_device()()) {}

WebhookDelivery::~WebhookDelivery() {
  stop();
}

void WebhookDelivery::start() {
  thread_ = std::thread([this] { run(); });
}

void WebhookDelivery::stop() {
  stopping_ = true;
  poke();
  if (thread_.joinable()) thread_.join();
}

void WebhookDelivery::poke() {
  {
    std::lock_guard lock(mutex_);
    poked_ = true;
  }
  wake_.notify_all();
}

void WebhookDelivery::run() {
  while (!stopping_) {
    auto institutions = store_.queued_institutions();
    if (!institutions.ok()) std::cerr << "xyd webhooks: " << institutions.error().message << std::endl;
    bool busy = false;  // something was attempted: look again at once
    for (const auto& institution : institutions.ok() ? *institutions : std::vector<std::string>{}) {
      if (stopping_) break;
      auto attempted = deliver_next(institution, now_unix_ms());
      if (!attempted.ok())
        std::cerr << "xyd webhooks: " << institution << ": " << attempted.error().message << std::endl;
      busy = busy || (attempted.ok() && *attempted);
    }
    std::unique_lock lock(mutex_);
    if (!busy) wake_.wait_for(lock, options_.tick, [&] { return poked_ || stopping_.load(); });
    poked_ = false;
  }
}

Result<bool> WebhookDelivery::deliver_next(const std::string& institution, int64_t now_ms) {
  XYD_ASSIGN_OR_RETURN(auto subscription, store_.subscription(institution));
  if (!subscription || subscription->value("status", "") != "active") {
    const std::string why =
        subscription ? "the subscription is " + subscription->value("status", "") : "no subscription";
    XYD_RETURN_IF_ERROR(dead_letter_all(institution, why, now_ms));
    return false;
  }
  XYD_ASSIGN_OR_RETURN(auto head, store_.queued(institution, 1));
  if (head.empty()) return false;
  QueuedDelivery item = head.front();
  if (events::int_or(item.record, "next_at") > now_ms) return false;

  const json& message = item.record["message"];
  const std::string url = subscription->value("url", "");
  const int attempt = static_cast<int>(std::clamp<int64_t>(events::int_or(item.record, "attempt"), 0, 1000)) + 1;
  const std::string body = message.dump();
  const WebhookAnswer result = post_signed(institution, url, events::string_or(message, "event_id"), body, now_ms);
  telemetry::metrics().webhook_attempt(result.status >= 200 && result.status < 300);

  OutboundStore::Batch batch;
  const uint64_t seq = store_.next_seq();
  if (result.status >= 200 && result.status < 300) {
    batch.flow(webhook_scope(institution), now_ms, seq,
               attempt_entry(message, url, result, attempt, now_ms, "delivered"));
    batch.remove(item.key);
  } else if (result.status == 410) {
    batch.flow(webhook_scope(institution), now_ms, seq, attempt_entry(message, url, result, attempt, now_ms, "gone"));
    (*subscription)["status"] = "disabled";
    (*subscription)["disabled_reason"] = "the receiver answered 410 Gone";
    (*subscription)["disabled_at"] = events::rfc3339_from_ms(now_ms);
    batch.put_subscription(institution, *subscription);
    XYD_RETURN_IF_ERROR(dead_letter(
        batch, institution, item,
        make_error(Errc::refused, "the receiver answered 410 Gone: delivery stopped", "url", "gone-stops-delivery"),
        now_ms));
  } else if (attempt >= options_.retry.max_attempts) {
    batch.flow(webhook_scope(institution), now_ms, seq,
               attempt_entry(message, url, result, attempt, now_ms, "dead_letter"));
    const std::string why =
        result.status ? "the receiver answered " + std::to_string(result.status) : "no answer (" + result.error + ")";
    XYD_RETURN_IF_ERROR(dead_letter(
        batch, institution, item,
        make_error(Errc::unavailable, "not delivered after " + std::to_string(attempt) + " attempts; last: " + why,
                   "url", "attempt-cap"),
        now_ms));
  } else {
    const int64_t wait = backoff_ms(options_.retry, attempt, std::uniform_real_distribution<double>(0, 1)(random_));
    json entry = attempt_entry(message, url, result, attempt, now_ms, "retry");
    entry["next_retry_at"] = events::rfc3339_from_ms(now_ms + wait);
    entry["next_retry_ms"] = now_ms + wait;
    batch.flow(webhook_scope(institution), now_ms, seq, entry);
    json record = item.record;
    record["attempt"] = attempt;
    record["next_at"] = now_ms + wait;
    batch.replace(item.key, record);
  }
  XYD_RETURN_IF_ERROR(store_.write(batch));
  return true;
}

Status WebhookDelivery::dead_letter(OutboundStore::Batch& batch, const std::string& institution,
                                    const QueuedDelivery& item, const Error& reason, int64_t now_ms) {
  DeadLetterRecord letter{events::string_or(events::object_or_empty(item.record, "message"), "event_id"),
                          "webhook",
                          institution,
                          reason,
                          item.record["message"],
                          now_ms};
  XYD_RETURN_IF_ERROR(write_dead_letter(log_, letter));  // before it leaves the queue: nothing is lost
  batch.dead_letter(webhook_scope(institution), store_.next_seq(), to_json(letter));
  batch.remove(item.key);
  return Status();
}

Status WebhookDelivery::dead_letter_all(const std::string& institution, const std::string& why, int64_t now_ms) {
  XYD_ASSIGN_OR_RETURN(auto items, store_.queued(institution, 256));
  if (items.empty()) return Status();
  OutboundStore::Batch batch;
  for (const auto& item : items)
    XYD_RETURN_IF_ERROR(
        dead_letter(batch, institution, item,
                    make_error(Errc::refused, "not delivered: " + why, "subscription", "active-subscription"), now_ms));
  return store_.write(batch);
}

WebhookAnswer WebhookDelivery::post_signed(const std::string& institution, const std::string& url,
                                           const std::string& event_id, const std::string& body, int64_t now_ms) {
  WebhookAnswer answer;
  auto secrets =
      options_.secrets ? options_.secrets(institution) : Result<std::vector<std::string>>(std::vector<std::string>{});
  if (!secrets.ok() || secrets->empty()) {
    answer.error = "no-secret";  // the institution has no active webhook secret to sign with
    return answer;
  }
  // Resolved and checked again at every attempt: the name may point elsewhere since it was subscribed.
  auto target = resolve_webhook_target(url, options_.allow_loopback);
  if (!target.ok()) {
    answer.error = target.error().rule == "public-address" ? "refused-address"
                   : target.error().rule == "resolvable"   ? "unresolvable"
                                                           : "bad-url";
    return answer;
  }
  return post_webhook(*target, body, webhook_headers(*secrets, event_id, now_ms / 1000, body), options_.timeout,
                      options_.max_answer_bytes);
}

}  // namespace xyd::connectors

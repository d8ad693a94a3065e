#include "ops/demo/caller.h"

#include <thread>

namespace xyd::ops::demo {

Result<HttpReply> Caller::raw(const HttpCall& call) {
  for (int attempt = 0;; ++attempt) {
    counters_.calls.fetch_add(1, std::memory_order_relaxed);
    auto reply = client_.call(call);
    const bool retry = !reply.ok() || reply->status == 503;
    if (!retry || attempt >= 4) return reply;
    std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
  }
}

Error Caller::refusal(const std::string& step, const HttpReply& reply) {
  const Problem& p = reply.problem;
  std::string message = step + ": " + std::to_string(p.status) + " " + p.detail;
  if (!p.field.empty() || !p.rule.empty()) message += " (field " + p.field + ", rule " + p.rule + ")";
  return make_error(errc_of_status(p.status), message, p.field, p.rule);
}

Result<HttpReply> Caller::command(const std::string& step, const std::string& method, const std::string& path,
                                  const nlohmann::json& body, const std::string& token) {
  counters_.commands.fetch_add(1, std::memory_order_relaxed);
  auto reply = raw({method, path, body, token, key(step)});
  if (!reply.ok()) return make_error(reply.error().code, step + ": " + reply.error().message);
  if (!reply->ok()) return refusal(step, *reply);
  if (reply->replayed) counters_.replays.fetch_add(1, std::memory_order_relaxed);
  return reply;
}

}  // namespace xyd::ops::demo

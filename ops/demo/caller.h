// Caller: how the demo talks to `xyd serve`: one REST call with a bearer token and an
// Idempotency-Key derived from the seed and the step ("demo-<seed>-<step>"), so a re-run with the
// same seed against the same installation replays instead of duplicating. A refusal (4xx/5xx
// problem) becomes an Error naming the step and the problem's detail, field and rule; a replay
// is counted, not an error. Transport failures and 503 are retried a few times with the same key.
// One Caller per worker thread; the counters it adds to are shared (atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "ops/http_client.h"

namespace xyd::ops::demo {

struct CallCounters {
  std::atomic<uint64_t> calls{0};
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> replays{0};
};

class Caller {
 public:
  Caller(const HttpClient& client, CallCounters& counters, uint64_t seed)
      : client_(client), counters_(counters), seed_(seed) {}

  // A command: POST/PUT/DELETE with an Idempotency-Key for `step`; 2xx or the refusal as Error.
  [[nodiscard]] Result<HttpReply> command(const std::string& step, const std::string& method, const std::string& path,
                                          const nlohmann::json& body, const std::string& token);
  // The same, for when only success matters.
  [[nodiscard]] Status run(const std::string& step, const std::string& method, const std::string& path,
                           const nlohmann::json& body, const std::string& token) {
    auto reply = command(step, method, path, body, token);
    return reply.ok() ? Status() : Status(reply.error());
  }
  // Any call (a GET, a login); the reply as it came, refusals included (only transport errors fail).
  [[nodiscard]] Result<HttpReply> raw(const HttpCall& call);
  // The reply's refusal as an Error naming the step.
  static Error refusal(const std::string& step, const HttpReply& reply);

  std::string key(const std::string& step) const { return "demo-" + std::to_string(seed_) + "-" + step; }
  uint64_t seed() const { return seed_; }

 private:
  const HttpClient& client_;
  CallCounters& counters_;
  uint64_t seed_;
};

}  // namespace xyd::ops::demo

// The pure parts of outbound webhook delivery: the Standard Webhooks signature of a message
// (webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256(id.timestamp.body)>,
// one signature per active secret during a rotation) and the retry schedule (exponential
// backoff with full jitter, a cap on the delay, a cap on the attempts). No I/O; any thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace xyd::connectors {

// The base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" with a secret "whsec_<base64 key>" (the key
// is the decoded part; a secret without the prefix is used as it is).
std::string webhook_signature(const std::string& secret, const std::string& id, int64_t timestamp_s,
                              const std::string& body);

// The three headers of a signed POST: webhook-signature lists "v1,<sig>" for every secret,
// space-separated (receivers accept any).
std::map<std::string, std::string> webhook_headers(const std::vector<std::string>& secrets, const std::string& id,
                                                   int64_t timestamp_s, const std::string& body);

struct RetryPolicy {
  int64_t base_delay_ms = 1000;   // the first retry waits up to this
  int64_t max_delay_ms = 300000;  // no wait is longer
  int max_attempts = 8;           // after this many failed attempts: dead letter
};

// The upper bound of the wait after failed attempt number `attempt` (1, 2, ...):
// min(max_delay, base_delay * 2^(attempt-1)).
int64_t backoff_ceiling_ms(const RetryPolicy& policy, int attempt);
// Full jitter: a wait drawn uniformly from [0, ceiling] with `unit` in [0, 1).
int64_t backoff_ms(const RetryPolicy& policy, int attempt, double unit);

}  // namespace xyd::connectors

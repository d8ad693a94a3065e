// LoginLimiter: slows password guessing and the abuse of the open identity routes. Failed logins
// are counted per phone and per client address in a sliding window; reaching the maximum locks
// that phone or address out for a while. Code sends and registrations spend a budget per phone
// and per client address in a sliding window of their own. In memory only (a restart forgets
// it), one per server. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/router.h"
#include "events/result.h"

namespace xyd::api {

// How many actions of one kind a phone or an address may take within `window`; max 0: unlimited.
struct Budget {
  int max = 0;
  std::chrono::milliseconds window{3600 * 1000};
};

struct LimiterOptions {
  int max_failures_per_phone = 5;
  int max_failures_per_address = 20;
  std::chrono::milliseconds window{15 * 60 * 1000};
  std::chrono::milliseconds lockout{15 * 60 * 1000};
  // One-time codes sent: one a minute per phone (the caller keys it by purpose too), whether or
  // not the phone has an account, so the answer never tells; 30 an hour per address.
  Budget code_sends_per_phone{1, std::chrono::minutes(1)};
  Budget code_sends_per_address{30, std::chrono::hours(1)};
  // Registration attempts (right code or not): 5 an hour per phone, 20 an hour per address.
  Budget registrations_per_phone{5, std::chrono::hours(1)};
  Budget registrations_per_address{20, std::chrono::hours(1)};
  // Memory bound: past this many tracked phones (or addresses) in one table, entries with nothing
  // left in their window and no lockout are dropped.
  size_t prune_above = 100000;
};

// The actions that spend a budget.
enum class Action { code_send, registration };

// A refusal for a limit reached: too_many naming the field ("phone" or "client_address") and the
// rule, and the whole seconds after which a retry may succeed (the Retry-After header).
struct Throttle {
  Error error;
  int64_t retry_after_s = 1;
};

// A 429 problem document with Retry-After, for a route handler to return.
Response too_many_response(const Throttle& throttle, const Request& request);

// Counts failed logins and spent budgets and answers whether a phone or address may go on.
// Thread-safe.
class LoginLimiter {
 public:
  explicit LoginLimiter(LimiterOptions options);

  // The lockout of the phone or the address (rule "login-lockout", the message says in how many
  // seconds to retry); nullopt when neither is locked out. An empty phone or address is not tracked.
  std::optional<Throttle> locked_out(const std::string& phone, const std::string& address, int64_t now_ms) const;
  // The same as a Status.
  [[nodiscard]] Status check(const std::string& phone, const std::string& address, int64_t now_ms) const;
  // A failed login: counted for the phone and for the address; the one that reaches its maximum
  // within the window is locked out for `lockout`, after which it starts from zero.
  void failed(const std::string& phone, const std::string& address, int64_t now_ms);
  // A successful login clears the phone's failures (not the address's: one good account must not
  // reset the count of an address that guesses others).
  void succeeded(const std::string& phone, int64_t now_ms);
  // Spends one `action` of the phone's and of the address's budgets, or neither: the refusal (rule
  // "code-send-rate" or "registration-rate") when either budget is spent within its window.
  std::optional<Throttle> spend(Action action, const std::string& phone, const std::string& address, int64_t now_ms);

 private:
  struct Entry {
    std::deque<int64_t> times_ms;  // failures (or spendings) within the window, oldest first
    int64_t locked_until_ms = 0;
  };
  using Table = std::unordered_map<std::string, Entry>;

  std::optional<Throttle> check_one(const Table& table, const std::string& id, const char* field, int64_t now_ms) const;
  void fail_one(Table& table, const std::string& id, int max_failures, int64_t now_ms);
  std::optional<Throttle> full(Table& table, const std::string& id, const Budget& budget, const char* field,
                               const char* rule, int64_t now_ms);
  void prune(Table& table, int64_t window_ms, int64_t now_ms);

  const LimiterOptions options_;
  mutable std::mutex mutex_;
  Table phones_;
  Table addresses_;
  Table sends_by_phone_, sends_by_address_;
  Table registrations_by_phone_, registrations_by_address_;
};

}  // namespace xyd::api

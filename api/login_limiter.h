// LoginLimiter: slows password guessing. Failed logins are counted per phone and per client address
// in a sliding window; reaching the maximum locks that phone or address out for a while. In memory
// only (a restart forgets it), one per server. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "events/result.h"

namespace xyd::api {

struct LimiterOptions {
  int max_failures_per_phone = 5;
  int max_failures_per_address = 20;
  std::chrono::milliseconds window{15 * 60 * 1000};
  std::chrono::milliseconds lockout{15 * 60 * 1000};
  // Memory bound: past this many tracked phones (or addresses), entries with no failure within the
  // window and no lockout are dropped.
  size_t prune_above = 100000;
};

// Counts failed logins and answers whether a phone or address is locked out. Thread-safe.
class LoginLimiter {
 public:
  explicit LoginLimiter(LimiterOptions options);

  // too_many (field "phone" or "client_address", rule "login-lockout", the message says in how many
  // seconds to retry) while the phone or the address is locked out. An empty phone or address is not
  // tracked.
  [[nodiscard]] Status check(const std::string& phone, const std::string& address, int64_t now_ms) const;
  // A failed login: counted for the phone and for the address; the one that reaches its maximum
  // within the window is locked out for `lockout`, after which it starts from zero.
  void failed(const std::string& phone, const std::string& address, int64_t now_ms);
  // A successful login clears the phone's failures (not the address's: one good account must not
  // reset the count of an address that guesses others).
  void succeeded(const std::string& phone, int64_t now_ms);

 private:
  struct Entry {
    std::deque<int64_t> failures_ms;  // within the window, oldest first; at most the maximum
    int64_t locked_until_ms = 0;
  };
  using Table = std::unordered_map<std::string, Entry>;

  Status check_one(const Table& table, const std::string& id, const char* field, int64_t now_ms) const;
  void fail_one(Table& table, const std::string& id, int max_failures, int64_t now_ms);
  void prune(Table& table, int64_t now_ms);

  const LimiterOptions options_;
  mutable std::mutex mutex_;
  Table phones_;
  Table addresses_;
};

}  // namespace xyd::api

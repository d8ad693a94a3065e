#include "api/login_limiter.h"

#include <string_view>

namespace xyd::api {

LoginLimiter::LoginLimiter(LimiterOptions options) : options_(options) {}

Status LoginLimiter::check_one(const Table& table, const std::string& id, const char* field, int64_t now_ms) const {
  if (id.empty()) return Status();
  auto it = table.find(id);
  if (it == table.end() || it->second.locked_until_ms <= now_ms) return Status();
  int64_t seconds = (it->second.locked_until_ms - now_ms + 999) / 1000;
  return make_error(Errc::too_many,
                    std::string("too many failed logins from this ") + (std::string_view(field) == "phone" ? "phone" : "address") +
                        "; retry in " + std::to_string(seconds) + " s",
                    field, "login-lockout");
}

Status LoginLimiter::check(const std::string& phone, const std::string& address, int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  XYD_RETURN_IF_ERROR(check_one(phones_, phone, "phone", now_ms));
  return check_one(addresses_, address, "client_address", now_ms);
}

void LoginLimiter::fail_one(Table& table, const std::string& id, int max_failures, int64_t now_ms) {
  if (id.empty()) return;
  if (table.size() >= options_.prune_above && !table.contains(id)) prune(table, now_ms);
  Entry& entry = table[id];
  if (entry.locked_until_ms > now_ms) return;  // already locked out: the lockout does not grow
  entry.locked_until_ms = 0;
  const int64_t window_start = now_ms - options_.window.count();
  while (!entry.failures_ms.empty() && entry.failures_ms.front() <= window_start) entry.failures_ms.pop_front();
  entry.failures_ms.push_back(now_ms);
  if (static_cast<int>(entry.failures_ms.size()) >= max_failures) {
    entry.failures_ms.clear();
    entry.locked_until_ms = now_ms + options_.lockout.count();
  }
}

void LoginLimiter::prune(Table& table, int64_t now_ms) {
  const int64_t window_start = now_ms - options_.window.count();
  std::erase_if(table, [&](const auto& item) {
    const Entry& e = item.second;
    return e.locked_until_ms <= now_ms && (e.failures_ms.empty() || e.failures_ms.back() <= window_start);
  });
}

void LoginLimiter::failed(const std::string& phone, const std::string& address, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  fail_one(phones_, phone, options_.max_failures_per_phone, now_ms);
  fail_one(addresses_, address, options_.max_failures_per_address, now_ms);
}

void LoginLimiter::succeeded(const std::string& phone, int64_t now_ms) {
  std::lock_guard lock(mutex_);
  auto it = phones_.find(phone);
  if (it != phones_.end() && it->second.locked_until_ms <= now_ms) phones_.erase(it);
}

}  // namespace xyd::api

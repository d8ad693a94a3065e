#include "api/login_limiter.h"

#include <string_view>

#include "api/problem.h"

namespace xyd::api {
namespace {

int64_t whole_seconds(int64_t ms) {
  return std::max<int64_t>(1, (ms + 999) / 1000);
}

}  // namespace

Response too_many_response(const Throttle& throttle, const Request& request) {
  Response response = problem_response(throttle.error, request.path);
  response.headers["Retry-After"] = std::to_string(throttle.retry_after_s);
  return response;
}

LoginLimiter::LoginLimiter(LimiterOptions options) : options_(options) {}

std::optional<Throttle> LoginLimiter::check_one(const Table& table, const std::string& id, const char* field,
                                                int64_t now_ms) const {
  if (id.empty()) return std::nullopt;
  auto it = table.find(id);
  if (it == table.end() || it->second.locked_until_ms <= now_ms) return std::nullopt;
  int64_t seconds = whole_seconds(it->second.locked_until_ms - now_ms);
  return Throttle{make_error(Errc::too_many,
                             std::string("too many failed logins from this ") +
                                 (std::string_view(field) == "phone" ? "phone" : "address") + "; retry in " +
                                 std::to_string(seconds) + " s",
                             field, "login-lockout"),
                  seconds};
}

std::optional<Throttle> LoginLimiter::locked_out(const std::string& phone, const std::string& address,
                                                 int64_t now_ms) const {
  std::lock_guard lock(mutex_);
  if (auto phone_locked = check_one(phones_, phone, "phone", now_ms)) return phone_locked;
  return check_one(addresses_, address, "client_address", now_ms);
}

Status LoginLimiter::check(const std::string& phone, const std::string& address, int64_t now_ms) const {
  auto throttle = locked_out(phone, address, now_ms);
  return throttle ? Status(throttle->error) : Status();
}

void LoginLimiter::fail_one(Table& table, const std::string& id, int max_failures, int64_t now_ms) {
  if (id.empty()) return;
  if (table.size() >= options_.prune_above && !table.contains(id)) prune(table, options_.window.count(), now_ms);
  Entry& entry = table[id];
  if (entry.locked_until_ms > now_ms) return;  // already locked out: the lockout does not grow
  entry.locked_until_ms = 0;
  const int64_t window_start = now_ms - options_.window.count();
  while (!entry.times_ms.empty() && entry.times_ms.front() <= window_start) entry.times_ms.pop_front();
  entry.times_ms.push_back(now_ms);
  if (static_cast<int>(entry.times_ms.size()) >= max_failures) {
    entry.times_ms.clear();
    entry.locked_until_ms = now_ms + options_.lockout.count();
  }
}

void LoginLimiter::prune(Table& table, int64_t window_ms, int64_t now_ms) {
  const int64_t window_start = now_ms - window_ms;
  std::erase_if(table, [&](const auto& item) {
    const Entry& e = item.second;
    return e.locked_until_ms <= now_ms && (e.times_ms.empty() || e.times_ms.back() <= window_start);
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

// Whether the id's budget is spent (the refusal), after dropping what left the window.
std::optional<Throttle> LoginLimiter::full(Table& table, const std::string& id, const Budget& budget, const char* field,
                                           const char* rule, int64_t now_ms) {
  if (id.empty() || budget.max <= 0) return std::nullopt;
  if (table.size() >= options_.prune_above && !table.contains(id)) prune(table, budget.window.count(), now_ms);
  Entry& entry = table[id];
  const int64_t window_start = now_ms - budget.window.count();
  while (!entry.times_ms.empty() && entry.times_ms.front() <= window_start) entry.times_ms.pop_front();
  if (static_cast<int>(entry.times_ms.size()) < budget.max) return std::nullopt;
  const int64_t seconds = whole_seconds(entry.times_ms.front() - window_start);
  const std::string who = std::string_view(field) == "phone" ? "this phone" : "this address";
  const std::string what = std::string_view(rule) == "code-send-rate" ? "codes sent to " : "registrations from ";
  return Throttle{make_error(Errc::too_many, "too many " + what + who + "; retry in " + std::to_string(seconds) + " s",
                             field, rule),
                  seconds};
}

std::optional<Throttle> LoginLimiter::spend(Action action, const std::string& phone, const std::string& address,
                                            int64_t now_ms) {
  const bool send = action == Action::code_send;
  Table& by_phone = send ? sends_by_phone_ : registrations_by_phone_;
  Table& by_address = send ? sends_by_address_ : registrations_by_address_;
  const Budget& phone_budget = send ? options_.code_sends_per_phone : options_.registrations_per_phone;
  const Budget& address_budget = send ? options_.code_sends_per_address : options_.registrations_per_address;
  const char* rule = send ? "code-send-rate" : "registration-rate";
  std::lock_guard lock(mutex_);
  if (auto refused = full(by_address, address, address_budget, "client_address", rule, now_ms)) return refused;
  if (auto refused = full(by_phone, phone, phone_budget, "phone", rule, now_ms)) return refused;
  if (!address.empty() && address_budget.max > 0) by_address[address].times_ms.push_back(now_ms);
  if (!phone.empty() && phone_budget.max > 0) by_phone[phone].times_ms.push_back(now_ms);
  return std::nullopt;
}

}  // namespace xyd::api

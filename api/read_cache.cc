#include "api/read_cache.h"

namespace xyd::api {

std::string ReadCache::key_of(const Request& request) {
  const events::Actor& actor = principal_of(request).actor;
  std::string key = actor.role + '\n' + actor.region + '\n' + actor.institution + '\n' + request.path;
  for (const auto& [name, value] : request.query) key += '\n' + name + '=' + value;  // std::map: sorted
  return key;
}

Result<Response> ReadCache::answer(const Request& request, const std::function<Result<Response>()>& compute) {
  const std::string key = key_of(request);
  const uint64_t position = position_();  // before the view's snapshot is taken in compute()
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.position == position && now - it->second.at < std::chrono::seconds(1)) {
      Response cached;
      cached.raw = it->second.body;
      return cached;
    }
  }
  XYD_ASSIGN_OR_RETURN(Response response, compute());
  if (response.status != 200 || response.stream || !response.raw.empty()) return response;
  Response out;
  out.raw = response.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out.headers = response.headers;
  if (out.headers.empty()) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= capacity_) entries_.clear();
    entries_[key] = {position, now, out.raw};
  }
  return out;
}

}  // namespace xyd::api

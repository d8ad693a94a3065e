// ReadCache: the JSON answers of the read routes (dashboard, statistics, rankings), kept while
// the projection store has applied nothing new: an entry is valid for the store position it was
// computed at (RocksDB's latest sequence number, read before the view's snapshot, so an entry is
// never older than its position) and for at most one second (the "today" figures follow the
// clock). Keyed by path, query and the caller's role, region and institution (all an answer
// depends on). Only successful JSON answers are kept; exports stream and are never cached.
// Thread-safe: any request thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "api/router.h"

namespace xyd::api {

class ReadCache {
 public:
  explicit ReadCache(std::function<uint64_t()> position, size_t capacity = 4096)
      : position_(std::move(position)), capacity_(capacity) {}

  // The cached answer for this request, or compute() (then kept when it is a 200 JSON answer).
  Result<Response> answer(const Request& request, const std::function<Result<Response>()>& compute);

 private:
  struct Entry {
    uint64_t position = 0;
    std::chrono::steady_clock::time_point at;
    std::string body;
  };
  static std::string key_of(const Request& request);

  std::function<uint64_t()> position_;
  size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace xyd::api

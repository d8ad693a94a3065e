// What every xyd benchmark program shares: run a piece of work on N threads for S seconds and
// report its rate and latency percentiles; read a `--name value` flag. Header-only; used by the
// benchmark's main thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xyd::bench {

struct Figures {
  double per_second = 0;  // units of work (events, commands) per second
  double p50_ms = 0;      // latency of one call of the work
  double p99_ms = 0;
  size_t units = 0;
  size_t failed = 0;  // calls that reported failure
};

inline double percentile(std::vector<double>& sorted_values, double p) {
  if (sorted_values.empty()) return 0;
  return sorted_values[std::min(sorted_values.size() - 1, static_cast<size_t>(p * sorted_values.size()))];
}

// Calls `work(thread, call)` on `threads` threads for `seconds`; work returns the units it did,
// or -1 for a failed call.
template <typename Work>
Figures measure(int threads, double seconds, Work work) {
  using Clock = std::chrono::steady_clock;
  std::atomic<bool> stop{false};
  std::atomic<size_t> units{0}, failed{0};
  std::mutex mutex;
  std::vector<double> latencies;
  std::vector<std::thread> pool;
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      std::vector<double> mine;
      size_t done = 0, refused = 0;
      for (uint64_t call = 0; !stop; ++call) {
        auto begun = Clock::now();
        long n = work(t, call);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begun).count());
        if (n < 0)
          ++refused;
        else
          done += static_cast<size_t>(n);
      }
      units += done;
      failed += refused;
      std::lock_guard lock(mutex);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  return {units / elapsed, percentile(latencies, 0.50), percentile(latencies, 0.99), units, failed};
}

inline std::string flag(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (argv[i] == "--" + name) return argv[i + 1];
  return fallback;
}

}  // namespace xyd::bench

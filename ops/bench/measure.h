// What every xyd benchmark program shares: run a piece of work on N threads for S seconds and
// report its rate and latency percentiles; read a `--name value` flag, as text or as a checked
// whole number; end the run on a failure, with its reason. Header-only; used by the benchmark's
// main thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/numbers.h"
#include "events/result.h"

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

// Ends the benchmark: what it was doing, and why that failed.
[[noreturn]] inline void die(const std::string& what, const Error& error) {
  std::cerr << what << ": " << error.to_string() << std::endl;
  std::exit(1);
}

// A whole-number flag within [min, max]; a bad value ends the run naming the flag and the rule.
inline int64_t number_flag(int argc, char** argv, const std::string& name, int64_t fallback, int64_t min, int64_t max) {
  const std::string text = flag(argc, argv, name, "");
  if (text.empty()) return fallback;
  auto number = read_whole_number(text, min, max, name, "--" + name);
  if (!number.ok()) die("reading the flags", number.error());
  return *number;
}

// A comma-separated list of whole numbers within [min, max] ("1,16,64").
inline std::vector<int64_t> number_list_flag(int argc, char** argv, const std::string& name,
                                             const std::string& fallback, int64_t min, int64_t max) {
  std::vector<int64_t> numbers;
  const std::string text = flag(argc, argv, name, fallback);
  for (size_t begin = 0; begin <= text.size();) {
    const size_t end = std::min(text.find(',', begin), text.size());
    auto number = read_whole_number(std::string_view(text).substr(begin, end - begin), min, max, name, "--" + name);
    if (!number.ok()) die("reading the flags", number.error());
    numbers.push_back(*number);
    begin = end + 1;
  }
  return numbers;
}

}  // namespace xyd::bench

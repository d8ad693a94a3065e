// xyd-bench-commands: the command path in process (gateway -> xyd.commands -> processor -> one
// transaction of events + outcomes -> gateway), commands/s and acknowledgement latency at several
// client concurrencies, with the raw single-record append rate of the same log measured in the
// same run as the reference. Prints a Markdown table.
//   xyd-bench-commands [--backend embedded|kafka] [--brokers HOST:PORT] [--seconds S]
//                      [--concurrency 1,16,64,256] [--dir DIR]
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "aggregates/account.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "ops/bench/bench_write_side.h"
#include "ops/bench/measure.h"

namespace {

using namespace xyd::bench;  // die, flag, number_flag, measure, ... (measure.h)

long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string backend = flag(argc, argv, "backend", "embedded");
  const double seconds = static_cast<double>(number_flag(argc, argv, "seconds", 5, 1, 86400));
  const std::string dir = flag(argc, argv, "dir", "/tmp/xyd-bench-commands");
  const std::vector<int64_t> concurrencies = number_list_flag(argc, argv, "concurrency", "1,16,64,256", 1, 4096);

  std::filesystem::remove_all(dir);
  auto bench =
      start_bench_write_side(backend, dir, flag(argc, argv, "brokers", "127.0.0.1:19092"), "xyd-bench-commands");
  auto& log = bench.log;
  auto& side = bench.side;
  std::mt19937 random(std::random_device{}());
  const std::string run = std::to_string(100 + random() % 900);

  std::printf("Command path in process on the %s log, %.0f s per row.\n\n", backend.c_str(), seconds);
  std::printf(
      "| what | clients | per second | p50 ms | p99 ms | failed | peak RSS MB |\n|---|---|---|---|---|---|---|\n");
  for (const int64_t count : concurrencies) {
    const int clients = static_cast<int>(count);
    const std::string topic = "xyd.dlq";  // reference: one-record appends to a topic nobody reads
    auto raw = measure(clients, seconds, [&](int, uint64_t) -> long {
      std::vector<xyd::log::OutRecord> r = {{topic, "bench", std::string(200, 'x'), {}, {}}};
      return log->append(r).ok() ? 1 : -1;
    });
    std::printf("| reference: raw append, 1 record | %d | %.0f | %.2f | %.2f | %zu | %ld |\n", clients, raw.per_second,
                raw.p50_ms, raw.p99_ms, raw.failed, peak_rss_mb());
    auto commands = measure(clients, seconds, [&](int t, uint64_t n) -> long {
      char phone[16];
      std::snprintf(phone, sizeof phone, "16%s%03d%03llu", run.c_str(), t % 1000,
                    static_cast<unsigned long long>(n % 1000));
      xyd::domain::Command c;
      c.id = std::string("bench:") + phone + ":" + std::to_string(clients);
      c.name = "RegisterAccount";
      c.aggregate_type = "account";
      c.aggregate_id = xyd::domain::account_id_for_phone(phone);
      c.body = {{"phone", phone}, {"kind", "enterprise_user"}, {"region", "440300"}};
      c.body_hash = "bench";
      auto outcome = side->gateway().submit(c);
      return outcome.ok() ? 1 : -1;  // accepted or refused (a phone registered earlier): both ran
    });
    std::printf("| command (register account) | %d | %.0f | %.2f | %.2f | %zu | %ld |\n", clients, commands.per_second,
                commands.p50_ms, commands.p99_ms, commands.failed, peak_rss_mb());
    std::fflush(stdout);
  }
  auto stats = side->processor().stats();
  std::printf("\nprocessor: %llu commands in %llu transactions (%.1f per transaction)\n",
              static_cast<unsigned long long>(stats.commands), static_cast<unsigned long long>(stats.transactions),
              stats.transactions ? double(stats.commands) / stats.transactions : 0.0);
  side.reset();
  log.reset();
  std::filesystem::remove_all(dir);
  return 0;
}

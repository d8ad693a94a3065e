// xyd-bench-log: append throughput and latency of both event logs, with RocksDB's raw synced
// batched-put rate measured in the same run as the reference. Prints a Markdown table.
//   xyd-bench-log [--seconds S] [--backends embedded,kafka] [--brokers HOST:PORT] [--dir DIR]
//                 [--shape THREADS,BATCH]
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/codec.h"
#include "events/log/open_log.h"
#include "ops/bench/measure.h"

namespace {

using namespace xyd::bench;  // die, flag, number_flag, measure, ... (measure.h)

std::string payload() {
  return std::string(200, 'x');
}

void row(const std::string& what, int threads, int batch, const Figures& f) {
  std::printf("| %-44s | %7d | %5d | %12.0f | %8.2f | %8.2f |\n", what.c_str(), threads, batch, f.per_second, f.p50_ms,
              f.p99_ms);
  std::fflush(stdout);
}

Figures raw_rocksdb(const std::string& dir, int threads, int batch, double seconds) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    std::cerr << "raw rocksdb: " << s.ToString() << "\n";
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::atomic<uint64_t> sequence{0};
  const std::string value = payload();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  auto f = measure(threads, seconds, [&](int, uint64_t) -> long {
    rocksdb::WriteBatch wb;
    for (int i = 0; i < batch; ++i) {
      uint64_t n = sequence++;
      char key[16];
      std::snprintf(key, sizeof key, "%015llu", static_cast<unsigned long long>(n));
      wb.Put(key, value);
    }
    auto written = db->Write(sync, &wb);
    if (!written.ok()) std::exit(1);
    return batch;
  });
  db.reset();
  std::filesystem::remove_all(dir);
  return f;
}

Figures log_append(xyd::log::EventLog& log, const std::string& topic, int threads, int batch, double seconds) {
  const std::string value = payload();
  return measure(threads, seconds, [&](int t, uint64_t) -> long {
    std::vector<xyd::log::OutRecord> records;
    records.reserve(batch);
    static thread_local uint64_t n = 0;
    for (int i = 0; i < batch; ++i)
      records.push_back({topic, "agg-" + std::to_string(t) + "-" + std::to_string(n++ % 1000), value, {}, {}});
    auto appended = log.append(records);
    if (!appended.ok()) {
      std::cerr << "append failed: " << appended.error().to_string() << "\n";
      std::exit(1);
    }
    return batch;
  });
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = static_cast<double>(xyd::bench::number_flag(argc, argv, "seconds", 5, 1, 86400));
  const std::string backends = flag(argc, argv, "backends", "embedded,kafka");
  const std::string brokers = flag(argc, argv, "brokers", "127.0.0.1:19092");
  const std::string dir = flag(argc, argv, "dir", "/tmp/xyd-bench-log");

  std::printf("Append benchmark, %.0f s per row, 200-byte events; latency is per append call.\n\n", seconds);
  std::printf("| %-44s | %7s | %5s | %12s | %8s | %8s |\n", "what", "threads", "batch", "events/s", "p50 ms", "p99 ms");
  std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(9, '-').c_str(),
              std::string(7, '-').c_str(), std::string(14, '-').c_str(), std::string(10, '-').c_str(),
              std::string(10, '-').c_str());
  struct Shape {
    int threads, batch;
  };
  std::vector<Shape> shapes = {{1, 1}, {16, 1}, {64, 1}, {1, 100}, {8, 100}};
  if (!flag(argc, argv, "shape", "").empty()) {  // "THREADS,BATCH"
    const auto only = xyd::bench::number_list_flag(argc, argv, "shape", "", 1, 100000);
    if (only.size() != 2)
      xyd::bench::die("reading the flags", xyd::make_error(xyd::Errc::invalid_argument, "--shape is THREADS,BATCH"));
    shapes = {{static_cast<int>(only[0]), static_cast<int>(only[1])}};
  }
  for (const auto& s : shapes)
    row("reference: raw RocksDB synced WriteBatch", s.threads, s.batch,
        raw_rocksdb(dir + "/raw", s.threads, s.batch, seconds));

  if (backends.find("embedded") != std::string::npos) {
    std::filesystem::remove_all(dir + "/embedded");
    xyd::log::LogOptions options;
    options.embedded.path = dir + "/embedded";
    auto log = xyd::log::open_log(options);
    if (!log.ok()) {
      std::cerr << log.error().to_string() << "\n";
      return 1;
    }
    if (auto c = (*log)->create_topics({{"bench", 6}}); !c.ok()) return 1;
    for (const auto& s : shapes)
      row("embedded log append (group commit)", s.threads, s.batch,
          log_append(**log, "bench", s.threads, s.batch, seconds));
    log->reset();
    std::filesystem::remove_all(dir + "/embedded");
  }
  if (backends.find("kafka") != std::string::npos) {
    xyd::log::LogOptions options;
    options.backend = "kafka";
    options.kafka.brokers = brokers;
    options.kafka.transactional_id = "xyd-bench-" + xyd::events::uuid_v7();
    auto log = xyd::log::open_log(options);
    if (!log.ok()) {
      std::cerr << log.error().to_string() << "\n";
      return 1;
    }
    const std::string topic = "bench." + xyd::events::uuid_v7();
    if (auto c = (*log)->create_topics({{topic, 6}}); !c.ok()) {
      std::cerr << c.error().to_string() << "\n";
      return 1;
    }
    std::vector<Shape> kafka_shapes = {{1, 1}, {64, 1}, {1, 500}, {4, 500}, {16, 500}};
    if (!flag(argc, argv, "shape", "").empty()) kafka_shapes = shapes;
    for (const auto& s : kafka_shapes)
      row("kafka log append (transactional, acks=all)", s.threads, s.batch,
          log_append(**log, topic, s.threads, s.batch, seconds));
  }
  return 0;
}

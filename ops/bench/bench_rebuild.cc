// xyd-bench-rebuild: rebuild rate of the audit projection (events/s) over a log of a million
// events and more, on each log, beside the raw RocksDB scan rate of the same records and the
// rate of the log's own reader, measured in the same run; peak memory of each rebuild (run in a
// child process of its own) at two log sizes, to show it does not grow with the log. Prints a
// Markdown table on stdout; progress on stderr.
//   xyd-bench-rebuild [--sizes 500000,1000000] [--aggregates N] [--backends embedded,kafka]
//                     [--brokers HOST:PORT] [--dir DIR] [--partitions N]
#include <rocksdb/db.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "events/catalog.h"
#include "events/codec.h"
#include "events/log/open_log.h"
#include "ops/bench/measure.h"
#include "projections/progress.h"
#include "projections/runtime/runtime.h"
#include "projections/sample_events.h"
#include "projections/view_names.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

using namespace xyd::bench;  // die, flag, number_flag, measure, ... (measure.h)

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

xyd::log::LogOptions log_options(const std::string& backend, const std::string& dir, const std::string& brokers) {
  xyd::log::LogOptions options;
  options.backend = backend;
  options.embedded.path = dir + "/log";
  options.kafka.brokers = brokers;
  options.kafka.client_id = "xyd-bench-rebuild";
  options.kafka.transactional_id = "xyd-bench-rebuild-" + xyd::events::uuid_v7();
  return options;
}

// Appends events until the log holds `target`: aggregates of every type (most of them
// applications), each a chain of events of its type.
void generate(xyd::log::EventLog& log, xyd::projections::ChainedEvents& chains, uint64_t from, uint64_t target,
              uint64_t aggregates) {
  struct Kind {
    std::string type;
    int weight;
    std::vector<std::string> names;
  };
  std::vector<Kind> kinds;
  for (const auto& [type, weight] : std::vector<std::pair<std::string, int>>{{"application", 60},
                                                                             {"enterprise", 15},
                                                                             {"account", 10},
                                                                             {"product", 5},
                                                                             {"demand", 5},
                                                                             {"institution", 5}}) {
    Kind kind{type, weight, {}};
    for (const auto& t : xyd::events::EventCatalog::standard().types())
      if (t.aggregate == type) kind.names.push_back(t.name);
    kinds.push_back(std::move(kind));
  }
  std::mt19937_64 random(from + 7);
  std::vector<xyd::log::OutRecord> batch;
  const auto start = Clock::now();
  xyd::projections::ProgressPrinter printer("generate");
  for (uint64_t n = from; n < target; ++n) {
    const uint64_t aggregate = random() % aggregates;
    int pick = static_cast<int>(aggregate % 100);
    const Kind* kind = &kinds.back();
    for (const auto& k : kinds) {
      if (pick < k.weight) {
        kind = &k;
        break;
      }
      pick -= k.weight;
    }
    const std::string id = kind->type.substr(0, 3) + "-" + std::to_string(aggregate);
    const int64_t version = chains.version_of(kind->type, id);
    const std::string& name = version == 0 ? kind->names.front() : kind->names[1 + random() % (kind->names.size() - 1)];
    xyd::events::Actor actor{"acc-" + std::to_string(aggregate % 5000), "account_manager",
                             "ins-" + std::to_string(aggregate % 300), "440300"};
    auto record = chains.next(kind->type, id, name, nlohmann::json::object(), actor);
    if (!record.ok()) die("building an event", record.error());
    batch.push_back(std::move(record).value());
    if (batch.size() == 2000 || n + 1 == target) {
      auto appended = log.append(batch);
      if (!appended.ok()) die("appending", appended.error());
      batch.clear();
      const double s = seconds_since(start);
      printer.update({n + 1 - from, target - from, (n + 1 - from) / std::max(s, 1e-3), std::nullopt});
    }
  }
  printer.finish({target - from, target - from, (target - from) / std::max(seconds_since(start), 1e-3), 0.0}, "done");
}

// Iterates the embedded log's "records" column family directly: the floor any reader pays.
double raw_rocksdb_scan(const std::string& path, uint64_t& records) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {{rocksdb::kDefaultColumnFamilyName, {}}, {"records", {}}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, families, &handles, &raw);
  if (!s.ok()) die("opening the log for the raw scan", xyd::make_error(xyd::Errc::unavailable, s.ToString()));
  std::unique_ptr<rocksdb::DB> db(raw);
  uint64_t bytes = 0;
  records = 0;
  const auto start = Clock::now();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[1]));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    bytes += it->key().size() + it->value().size();
    ++records;
  }
  const double seconds = seconds_since(start);
  it.reset();
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  if (bytes == 0) std::cerr << "raw scan found nothing" << std::endl;
  return records / seconds;
}

// Reads every partition of the bench's topics through EventLog::reader(), applying nothing.
double reader_scan(xyd::log::EventLog& log, const std::string& prefix, uint64_t expected) {
  std::map<xyd::log::TopicPartition, int64_t> starts;
  for (const auto& type : xyd::events::aggregate_types()) {
    auto count = log.partition_count(prefix + type);
    if (!count.ok()) die("reader scan", count.error());
    for (int32_t p = 0; p < *count; ++p) starts[{prefix + type, p}] = 0;
  }
  auto reader = log.reader();
  if (!reader.ok()) die("reader scan", reader.error());
  if (auto s = (*reader)->assign(starts); !s.ok()) die("reader scan", s.error());
  uint64_t read = 0;
  Clock::time_point start{};
  while (read < expected) {
    auto records = (*reader)->poll(1000ms, 4096);
    if (!records.ok()) die("reader scan", records.error());
    if (read == 0 && !records->empty()) start = Clock::now();  // not the consumer's connection time
    read += records->size();
  }
  return read / seconds_since(start);
}

// The child: rebuilds the audit view from scratch and prints "<events> <seconds>".
int child_rebuild(int argc, char** argv) {
  const std::string backend = flag(argc, argv, "backend", "embedded");
  const std::string dir = flag(argc, argv, "dir", "");
  const std::string prefix = flag(argc, argv, "prefix", "xyd.events.");
  auto log = xyd::log::open_log(log_options(backend, dir, flag(argc, argv, "brokers", "")));
  if (!log.ok()) die("opening the log", log.error());
  xyd::projections::runtime::RuntimeOptions options;
  options.path = flag(argc, argv, "store", "");
  options.only = {xyd::projections::view::kAudit};
  options.worker.topic_namespace = xyd::projections::runtime::namespace_of_events_prefix(prefix);
  fs::remove_all(options.path);
  auto runtime = xyd::projections::runtime::ProjectionRuntime::open(**log, options);
  if (!runtime.ok()) die("opening the projection store", runtime.error());
  const auto start = Clock::now();
  if (auto s = (*runtime)->start(); !s.ok()) die("starting", s.error());
  xyd::projections::ProgressPrinter printer("rebuild audit (" + backend + ")");
  xyd::projections::ProgressFigures last;
  auto live = (*runtime)->wait_live(xyd::projections::view::kAudit, 1, std::chrono::hours(1), [&](const auto& status) {
    const auto& v = status.rebuild ? *status.rebuild : *status.live;
    last = {v.progress.done, v.progress.total, v.progress.rate, v.eta_seconds};
    printer.update(last);
  });
  const double seconds = seconds_since(start);
  if (!live.ok()) die("rebuilding", live.error());
  auto status = (*runtime)->status(xyd::projections::view::kAudit);
  const uint64_t applied = status.ok() && status->live ? status->live->progress.applied : 0;
  printer.finish({applied, applied, applied / seconds, 0.0}, "live");
  (*runtime)->stop();
  std::printf("%llu %.6f\n", static_cast<unsigned long long>(applied), seconds);
  return 0;
}

struct ChildResult {
  uint64_t events = 0;
  double seconds = 0;
  long peak_rss_kb = 0;
  double cpu_seconds = 0;  // user + system, all threads (RocksDB's background threads too)
};

// Runs the rebuild in a fresh process (exec, not just fork: RocksDB and librdkafka keep threads).
ChildResult run_child(const std::vector<std::string>& args) {
  int out[2];
  if (pipe(out) != 0) std::exit(1);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buffer[256];
  ssize_t n;
  while ((n = read(out[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::cerr << "xyd-bench-rebuild: the rebuild child failed" << std::endl;
    std::exit(1);
  }
  ChildResult result;
  std::stringstream in(text);
  in >> result.events >> result.seconds;
  result.peak_rss_kb = usage.ru_maxrss;
  result.cpu_seconds = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--child-rebuild") return child_rebuild(argc, argv);
  std::vector<uint64_t> sizes;
  for (const int64_t size : number_list_flag(argc, argv, "sizes", "500000,1000000", 1, 1'000'000'000))
    sizes.push_back(static_cast<uint64_t>(size));
  const uint64_t largest = sizes.back();
  const auto aggregates = static_cast<uint64_t>(number_flag(
      argc, argv, "aggregates", static_cast<int64_t>(std::max<uint64_t>(largest / 10, 1)), 1, 1'000'000'000));
  const std::string brokers = flag(argc, argv, "brokers", "127.0.0.1:19092");
  const std::string root = flag(argc, argv, "dir", "/tmp/xyd-bench-rebuild");
  const auto partitions = static_cast<int32_t>(number_flag(argc, argv, "partitions", 6, 1, 1000));

  struct Row {
    std::string backend;
    uint64_t events;
    double raw_scan = 0, reader = 0, rebuild = 0, cpu_us = 0;
    long rss_kb = 0;
  };
  std::vector<Row> rows;
  for (const auto& backend : split(flag(argc, argv, "backends", "embedded,kafka"))) {
    const std::string dir = root + "/" + backend;
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string prefix =
        backend == "kafka" ? "bench." + xyd::events::uuid_v7().substr(0, 8) + ".events." : "xyd.events.";
    xyd::projections::ChainedEvents chains(prefix, "/xyd/bench");
    uint64_t generated = 0;
    for (uint64_t size : sizes) {
      Row row{backend, size};
      {
        auto log = xyd::log::open_log(log_options(backend, dir, brokers));
        if (!log.ok()) die("opening the " + backend + " log", log.error());
        std::vector<xyd::log::TopicSpec> topics;
        for (const auto& type : xyd::events::aggregate_types()) topics.push_back({prefix + type, partitions});
        if (auto created = (*log)->create_topics(topics); !created.ok()) die("creating topics", created.error());
        generate(**log, chains, generated, size, aggregates);
        generated = size;
        row.reader = reader_scan(**log, prefix, size);
      }
      if (backend == "embedded") {
        uint64_t records = 0;
        row.raw_scan = raw_rocksdb_scan(dir + "/log", records);
      }
      std::cerr << "rebuilding the audit view over " << size << " events (" << backend << ")..." << std::endl;
      auto child = run_child({argv[0], "--child-rebuild", "--backend", backend, "--dir", dir, "--brokers", brokers,
                              "--prefix", prefix, "--store", dir + "/projections-" + std::to_string(size)});
      row.rebuild = child.events / child.seconds;
      row.rss_kb = child.peak_rss_kb;
      row.cpu_us = child.events > 0 ? 1e6 * child.cpu_seconds / static_cast<double>(child.events) : 0;
      if (child.events != size)
        std::cerr << "note: the rebuild applied " << child.events << " events, the log holds " << size << std::endl;
      rows.push_back(row);
      fs::remove_all(dir + "/projections-" + std::to_string(size));
    }
  }
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("\nAudit projection rebuild: %llu aggregates, %d partitions per topic, %u cores, load average %.1f.\n\n",
              static_cast<unsigned long long>(aggregates), partitions, std::thread::hardware_concurrency(), load[0]);
  std::printf(
      "| log | events | raw RocksDB scan (records/s) | log reader (events/s) | audit rebuild (events/s) | rebuild / "
      "raw scan | rebuild CPU (µs/event, all threads) | rebuild peak RSS (MiB) |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  double raw_reference = 0;
  for (const auto& r : rows) {
    if (r.raw_scan > 0) raw_reference = r.raw_scan;
    const double raw = r.raw_scan > 0 ? r.raw_scan : raw_reference;
    std::printf(
        "| %s | %s | %s | %s | %s | %s | %.1f | %.0f |\n", r.backend.c_str(),
        xyd::projections::with_commas(r.events).c_str(),
        r.raw_scan > 0 ? xyd::projections::with_commas(static_cast<uint64_t>(r.raw_scan)).c_str() : "(embedded's)",
        xyd::projections::with_commas(static_cast<uint64_t>(r.reader)).c_str(),
        xyd::projections::with_commas(static_cast<uint64_t>(r.rebuild)).c_str(),
        raw > 0 ? (std::to_string(static_cast<int>(100 * r.rebuild / raw)) + "%").c_str() : "-", r.cpu_us,
        r.rss_kb / 1024.0);
  }
  return 0;
}

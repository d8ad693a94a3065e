// xyd-bench-outbound: how fast the outbound follower streams application events to
// xyd.out.<institution> (events/s from a full log until its stored position reaches the end,
// appends and the synced RocksDB batch included), on each log. Prints a Markdown table.
//   xyd-bench-outbound [--applications 4000] [--institutions 20] [--backends embedded,kafka]
//                      [--brokers HOST:PORT] [--dir DIR] [--partitions 6]
#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "connectors/outbound_follower.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "events/schema/application.h"
#include "ops/bench/bench_log_open.h"
#include "ops/bench/measure.h"
#include "projections/runtime/subscription_worker.h"
#include "projections/sample_events.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

using namespace xyd::bench;  // die, flag, number_flag, measure, ... (measure.h)

// One run: a fresh log of `applications` applications of five events each, then the follower.
void run(const std::string& backend, const std::string& dir, const std::string& brokers, int applications,
         int institutions, int partitions) {
  auto log = xyd::bench::open_bench_log(backend, dir, brokers, "xyd-bench-outbound");
  const std::string tag = xyd::events::uuid_v7().substr(0, 8);
  if (auto made = log->create_topics(xyd::events::standard_topics(partitions)); !made.ok()) die("topics", made.error());
  xyd::projections::ChainedEvents chains;
  std::vector<xyd::log::OutRecord> batch;
  const std::vector<std::string> names = {
      xyd::events::application::kApplicationSubmitted, xyd::events::application::kRiskScreened,
      xyd::events::application::kManagerAssigned, xyd::events::application::kApplicationAccepted,
      xyd::events::application::kCreditGranted};
  for (int a = 0; a < applications; ++a) {
    const std::string id = "app-" + tag + "-" + std::to_string(a);
    for (const auto& name : names) {
      nlohmann::json data = nlohmann::json::object();
      if (name == xyd::events::application::kApplicationSubmitted)
        data["institution"] = "ins-" + tag + "-" + std::to_string(a % institutions);
      auto record = chains.next("application", id, name, data);
      if (!record.ok()) die("making events", record.error());
      batch.push_back(std::move(record).value());
    }
    if (batch.size() >= 2000 || a + 1 == applications) {
      if (auto appended = log->append(batch); !appended.ok()) die("appending", appended.error());
      batch.clear();
    }
  }
  int64_t total = 0;
  for (int p = 0; p < partitions; ++p) total += *log->end_offset({"xyd.events.application", p});
  auto store = xyd::connectors::OutboundStore::open(dir + "/outbound");
  if (!store.ok()) die("opening the store", store.error());
  xyd::connectors::OutboundOptions outbound;
  outbound.partitions = partitions;
  xyd::connectors::OutboundFollower follower(*log, **store, outbound);
  xyd::projections::runtime::SubscriptionWorker worker(*log, follower.subscription(), {});
  const auto start = Clock::now();
  if (auto started = worker.start(); !started.ok()) die("starting the follower", started.error());
  const int64_t slack = backend == "kafka" ? partitions : 0;  // transaction markers
  while (true) {
    auto offsets = (*store)->offsets(xyd::connectors::OutboundFollower::kName);
    int64_t done = 0;
    if (offsets.ok())
      for (const auto& [tp, next] : *offsets) done += next;
    if (done >= total - slack) break;
    std::this_thread::sleep_for(20ms);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  worker.stop();
  const int64_t events = static_cast<int64_t>(applications) * static_cast<int64_t>(names.size());
  std::cout << "| " << backend << " | " << events << " | " << institutions << " | " << seconds << " | "
            << static_cast<int64_t>(static_cast<double>(events) / seconds) << " |" << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  const int applications = static_cast<int>(number_flag(argc, argv, "applications", 4000, 1, 10'000'000));
  const int institutions = static_cast<int>(number_flag(argc, argv, "institutions", 20, 1, 10'000));
  const int partitions = static_cast<int>(number_flag(argc, argv, "partitions", 6, 1, 1000));
  const std::string brokers = flag(argc, argv, "brokers", "127.0.0.1:19092");
  const std::string base = flag(argc, argv, "dir", (fs::temp_directory_path() / "xyd-bench-outbound").string());
  std::stringstream backends(flag(argc, argv, "backends", "embedded"));
  std::cout << "| log | events | institutions | seconds | events/s to xyd.out.* |\n| --- | --- | --- | --- | --- |"
            << std::endl;
  for (std::string backend; std::getline(backends, backend, ',');) {
    const std::string dir = base + "-" + backend + "-" + xyd::events::uuid_v7().substr(0, 13);
    fs::create_directories(dir);
    run(backend, dir, brokers, applications, institutions, partitions);
    fs::remove_all(dir);
  }
  return 0;
}

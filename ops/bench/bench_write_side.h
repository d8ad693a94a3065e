// The write side a benchmark drives in process: the log of open_bench_log with the xyd topics, and
// a WriteSide on it with its state in `dir`/state. Header-only; the benchmark's main thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aggregates/processor/write_side.h"
#include "events/catalog.h"
#include "ops/bench/bench_log_open.h"

namespace xyd::bench {

struct BenchWriteSide {
  std::unique_ptr<log::EventLog> log;
  std::unique_ptr<domain::WriteSide> side;  // destroyed before the log
};

inline BenchWriteSide start_bench_write_side(const std::string& backend, const std::string& dir,
                                             const std::string& brokers, const std::string& client,
                                             std::chrono::milliseconds outcome_timeout = std::chrono::seconds(10)) {
  BenchWriteSide bench;
  bench.log = open_bench_log(backend, dir, brokers, client);
  if (auto created = bench.log->create_topics(events::standard_topics(6)); !created.ok())
    die("creating the topics", created.error());
  domain::WriteSideOptions options;
  options.state_dir = dir + "/state";
  options.node = "bench";
  options.outcome_timeout = outcome_timeout;
  auto side = domain::WriteSide::start(*bench.log, options);
  if (!side.ok()) die("starting the write side", side.error());
  bench.side = std::move(*side);
  return bench;
}

}  // namespace xyd::bench

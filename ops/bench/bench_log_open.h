// The log a benchmark run writes: a fresh embedded log in `dir`/log, or the Kafka cluster at
// `brokers` with a transactional id of its own (so runs never fence one another). Header-only;
// the benchmark's main thread.
#pragma once

#include <memory>
#include <string>

#include "events/codec.h"
#include "events/log/open_log.h"
#include "ops/bench/measure.h"

namespace xyd::bench {

inline std::unique_ptr<log::EventLog> open_bench_log(const std::string& backend, const std::string& dir,
                                                     const std::string& brokers, const std::string& client) {
  log::LogOptions options;
  options.backend = backend;
  options.embedded.path = dir + "/log";
  options.kafka.brokers = brokers;
  options.kafka.client_id = client;
  options.kafka.transactional_id = client + "-" + events::uuid_v7();
  auto log = log::open_log(options);
  if (!log.ok()) die("opening the " + backend + " log", log.error());
  return std::move(*log);
}

}  // namespace xyd::bench

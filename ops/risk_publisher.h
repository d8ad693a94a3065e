// RiskPublisher: follows the risk view (projections/risk/) in sequence order and appends every
// warning and change to the output topic xyd.risk-warnings for other systems: key = enterprise,
// value = the entry's JSON with its sequence, headers xyd_sequence, xyd_kind and xyd_node. It appends through the log
// (on Kafka: the idempotent, transactional producer, acks=all) and then records what it has
// published in <data>/risk-publisher.json (written to a temporary file, synced, renamed), so a
// restart re-sends at most the batch that was in flight; consumers de-duplicate by sequence.
// Its progress is also committed to the log under kRiskPublisherGroup (Kafka's tools see it).
// Entries that reach the view late (an event of another partition committed after a later one)
// are caught by looking back over a window of sequence time and skipping those already sent.
// Owns one thread; start/stop from the thread that made it.
#pragma once

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "events/event_log.h"
#include "events/resting_offsets.h"
#include "projections/runtime/runtime.h"

namespace xyd::ops {

inline constexpr const char* kRiskWarningsTopic = "xyd.risk-warnings";
// The group its position is committed under: the log offsets of xyd.events.* that every warning
// derived from them has been published for.
inline constexpr const char* kRiskPublisherGroup = "xyd-risk-publisher";

class RiskPublisher {
 public:
  // `node` goes into each record's xyd_node header (which process published it).
  RiskPublisher(log::EventLog& log, const projections::runtime::ProjectionRuntime& runtime, std::string state_path,
                std::string node, std::chrono::milliseconds late_window = std::chrono::seconds(10));
  ~RiskPublisher();
  // Creates the topic and starts following the view.
  [[nodiscard]] Status start(int32_t partitions);
  void stop();

 private:
  void run();
  Status publish_new(const projections::ViewReader& view);
  void load_state();
  Status save_state();

  log::EventLog& log_;
  const projections::runtime::ProjectionRuntime& runtime_;
  std::string state_path_;
  std::string node_;
  uint64_t window_;
  uint64_t cursor_ = 0;          // the greatest sequence published
  std::set<uint64_t> sent_;      // sequences published within the window below the cursor
  log::RestingOffsets resting_;  // the publisher thread's
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace xyd::ops

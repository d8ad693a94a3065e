// RiskPublisher: follows the risk view (projections/risk/) in sequence order and appends every
// warning and change to the output topic xyd.risk-warnings for other systems: key = enterprise,
// value = the entry's JSON with its sequence, headers xyd_sequence, xyd_kind and xyd_node. It
// appends through the log (on Kafka: the idempotent, transactional producer, acks=all) and then
// records what it has published in the projection store (ProjectionStore follower state
// "risk-publisher": its cursor, what it sent within the late window, and the log positions the
// view reflected when everything in it was published), so a restart re-sends at most the batch
// that was in flight; consumers de-duplicate by sequence. An existing <data>/risk-publisher.json
// (where earlier versions kept it) is read once, at start, when the store has no state yet.
// Registered with the runtime as a subscription it runs itself, so `xyd projections` lists it
// with its lag; its positions are also committed to the log under kRiskPublisherGroup. The late
// window and skip rule are the SSE feed's (projections/risk/risk_cursor.h). Owns one thread;
// start/stop from the thread that made it.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "events/event_log.h"
#include "events/resting_offsets.h"
#include "projections/risk/risk_cursor.h"
#include "projections/runtime/runtime.h"

namespace xyd::ops {

inline constexpr const char* kRiskWarningsTopic = "xyd.risk-warnings";
// Its name among the runtime's subscriptions, and the group its position is committed under: the
// log offsets of xyd.events.* that every warning derived from them has been published for.
inline constexpr const char* kRiskPublisherName = "risk-publisher";
inline constexpr const char* kRiskPublisherGroup = "xyd-risk-publisher";

class RiskPublisher {
 public:
  // `legacy_state_path`: <data>/risk-publisher.json; `node` goes into each record's xyd_node
  // header (which process published it).
  RiskPublisher(log::EventLog& log, projections::runtime::ProjectionRuntime& runtime, std::string legacy_state_path,
                std::string node, std::chrono::milliseconds late_window = std::chrono::seconds(10));
  ~RiskPublisher();
  // How the runtime lists it (it runs itself): its stored positions against the risk view's topics.
  static projections::runtime::SubscriptionSpec listed(projections::runtime::ProjectionRuntime& runtime);
  // Creates the topic, loads its state and starts following the view.
  [[nodiscard]] Status start(int32_t partitions);
  void stop();

 private:
  void run();
  Status publish(const std::vector<nlohmann::json>& entries);
  Status load_state();
  Status save_state();

  log::EventLog& log_;
  projections::runtime::ProjectionRuntime& runtime_;
  std::string legacy_state_path_;
  std::string node_;
  std::chrono::milliseconds late_window_;
  std::optional<projections::risk::RiskCursor> cursor_;  // the publisher thread's (after start)
  std::map<log::TopicPartition, int64_t> published_;     // positions stored with the cursor
  log::RestingOffsets resting_;                          // the publisher thread's
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Reads the state a publisher stored (null when none): {published_to, recent, positions}.
Result<std::map<log::TopicPartition, int64_t>> positions_of_state(const nlohmann::json& state);

}  // namespace xyd::ops

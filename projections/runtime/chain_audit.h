// Audit-chain verification over a log: reads every xyd.events.* topic (or the one partition of
// one aggregate) from its beginning up to the end offsets taken when it starts, feeding a
// ChainVerifier, and reports progress on the way. ChainAuditJob runs one verification at a time
// in the background for the REST API. audit_chains runs on the caller's thread; a ChainAuditJob
// may be used from any thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "events/event_log.h"
#include "projections/chain_verifier.h"

namespace xyd::projections::runtime {

struct ChainAuditOptions {
  std::string topic_prefix = "xyd.events.";
  std::string aggregate_type;  // with aggregate_id: only this aggregate
  std::string aggregate_id;
  size_t max_reported = 20;
};

struct ChainAuditProgress {
  uint64_t done = 0;   // records read
  uint64_t total = 0;  // records to read (end offsets at the start, less begin offsets)
  double rate = 0;     // records per second so far
  uint64_t aggregates = 0;
  uint64_t broken_links = 0;
};

// Parses "TYPE/ID" (for --aggregate).
Result<std::pair<std::string, std::string>> parse_aggregate(const std::string& text);

Result<VerifyReport> audit_chains(log::EventLog& log, const ChainAuditOptions& options,
                                  const std::function<void(const ChainAuditProgress&)>& progress = {});

nlohmann::json report_json(const VerifyReport& report);

class ChainAuditJob {
 public:
  explicit ChainAuditJob(log::EventLog& log, std::string topic_prefix = "xyd.events.")
      : log_(log), topic_prefix_(std::move(topic_prefix)) {}
  ~ChainAuditJob();
  // Starts a verification; a conflict while one runs.
  [[nodiscard]] Status start(const std::string& aggregate_type, const std::string& aggregate_id);
  // {state: idle|running|done|failed, progress, report | error}.
  nlohmann::json status() const;

 private:
  log::EventLog& log_;
  std::string topic_prefix_;
  mutable std::mutex mutex_;
  std::string state_ = "idle";
  std::string scope_;
  ChainAuditProgress progress_;
  std::optional<VerifyReport> report_;
  std::string error_;
  std::thread thread_;
};

}  // namespace xyd::projections::runtime

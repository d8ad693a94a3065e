// ProjectionRuntime: runs every projection of a process over the log. For each projection it
// keeps a live version up with the log, and on request builds a new version beside it from the
// start of the log (with the current rule set) while the live one keeps serving and keeping up.
// When the new version has caught up, the live version is held between batches, the new one
// reaches at least its offsets, and a synced catalog write makes the new one live; readers
// switch on their next query and never see a half-built view (guarantee 5). A crash at any
// point leaves each version with rows and offsets that agree: a rebuild resumes where it was
// (or restarts if its rule set was changed meanwhile), and the live version is untouched.
// It also runs the process's subscriptions (subscription.h): side effects applied from the log
// whose positions commit with their own writes; they are listed with the projections (kind
// "subscription"), restarted on failure, and never rebuilt.
// Its methods may be called from any thread; one supervising thread drives rebuilds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "events/event_log.h"
#include "projections/projection.h"
#include "projections/runtime/store.h"
#include "projections/runtime/subscription_worker.h"
#include "projections/runtime/view_source.h"
#include "projections/runtime/worker.h"

namespace xyd::projections::runtime {

struct RuntimeOptions {
  std::string path;               // the projection store, <data>/projections
  std::string rules_dir;          // the rule-set files, ops/rules
  std::vector<std::string> only;  // run only these projections (empty: all)
  WorkerOptions worker;
  // A rebuild writes without RocksDB's write-ahead log (rows and offsets still commit together:
  // a crash loses a suffix of batches, never half of one) and flushes before it goes live.
  bool rebuild_without_wal = true;
  // A rebuild writes level-0 files without compression or compaction (ProjectionStore bulk mode).
  bool rebuild_bulk_mode = true;
  // A rebuild whose lag is at most this many events asks the live version to hold for the swap.
  uint64_t swap_lag = 20000;
};

// One version's state, for the CLI and REST.
struct VersionStatus {
  int64_t version = 0;
  std::string state;             // "live" or "building"; a subscription's: "following"
  std::string rule_set_version;  // empty when the projection reads no rule set
  std::string created_at;
  std::string live_since;
  WorkerProgress progress;
  std::optional<double> eta_seconds;  // while building, when a rate is known
  bool running = false;               // a worker keeps it up now

  nlohmann::json to_json() const;
};

struct ProjectionStatus {
  std::string name;
  std::string kind = "projection";  // or "subscription" (its position and lag are under `live`)
  std::string description;
  std::vector<std::string> topics;    // the full names of the topics it reads
  std::string rule_set;               // the rule set it reads ("" = none)
  std::string rule_set_file_version;  // the version in the rule-set file now
  bool needs_rebuild = false;         // the file differs from what the live version was built with
  std::string note;                   // why, or what is wrong (an unreadable rule set)
  std::optional<VersionStatus> live;
  std::optional<VersionStatus> rebuild;

  nlohmann::json to_json() const;
};

class ProjectionRuntime final : public ViewSource {
 public:
  static Result<std::unique_ptr<ProjectionRuntime>> open(log::EventLog& log, RuntimeOptions options,
                                                         std::vector<ProjectionSpec> specs = standard_projections());
  ~ProjectionRuntime();

  // Starts the workers: each live version, any unfinished rebuild (resumed, or restarted if its
  // rule set file changed since), and a first build of a projection that has no version yet.
  [[nodiscard]] Status start();
  void stop();

  // Starts building a new version of `name` from the start of the log with the current rule set;
  // returns its version number. A conflict if one is being built already.
  Result<int64_t> rebuild(const std::string& name);
  // Abandons the version being built (its rows are dropped).
  [[nodiscard]] Status cancel_rebuild(const std::string& name);

  // Registers a subscription: it runs from now (or from start()) until remove_subscription() or
  // stop(). A conflict if a projection or subscription has its name.
  [[nodiscard]] Status add_subscription(SubscriptionSpec spec);
  // Stops a subscription and forgets it: its owner calls this before its handler goes away.
  void remove_subscription(const std::string& name);

  // Projections first, then subscriptions.
  std::vector<ProjectionStatus> status() const;
  Result<ProjectionStatus> status(const std::string& name) const;

  // A snapshot reader of the live version; unavailable (with the build's progress) before the
  // first version of the projection is live.
  Result<std::unique_ptr<ViewReader>> reader(const std::string& name) const override;
  // The projection store's latest sequence number.
  uint64_t position() const override;
  // Waits until the live version of `name` has caught up with the log (tests, CLI).
  [[nodiscard]] Status wait_caught_up(const std::string& name, std::chrono::milliseconds timeout) const;
  // Waits until `version` of `name` is live; `tick` is called about twice a second with its status.
  [[nodiscard]] Status wait_live(const std::string& name, int64_t version, std::chrono::milliseconds timeout,
                                 const std::function<void(const ProjectionStatus&)>& tick = {}) const;

  // How many batches of `name` (any version) have been committed; wait_commit waits until that
  // count passes `seen` or `timeout` ends, and returns it: readers that follow a view (the risk
  // feed's SSE, its Kafka publisher) wake on progress instead of polling.
  uint64_t commits(const std::string& name) const override;
  uint64_t wait_commit(const std::string& name, uint64_t seen, std::chrono::milliseconds timeout) const override;

  const std::vector<ProjectionSpec>& specs() const { return specs_; }
  ProjectionStore& store() { return *store_; }

 private:
  struct Slot {
    const ProjectionSpec* spec = nullptr;
    std::shared_ptr<VersionHandle> live;
    std::unique_ptr<VersionWorker> live_worker;
    std::shared_ptr<VersionHandle> building;
    std::unique_ptr<VersionWorker> building_worker;
    std::string note;  // the last problem starting a version
    std::chrono::steady_clock::time_point retry_at{};
  };
  struct SubscriptionSlot {
    SubscriptionSpec spec;
    std::unique_ptr<SubscriptionWorker> worker;
    std::string note;  // the last problem starting it
    std::chrono::steady_clock::time_point retry_at{};
  };
  ProjectionRuntime(log::EventLog& log, RuntimeOptions options, std::vector<ProjectionSpec> specs,
                    std::unique_ptr<ProjectionStore> store);
  Slot* slot(const std::string& name);
  const Slot* slot(const std::string& name) const;
  void start_subscription(SubscriptionSlot& slot);
  ProjectionStatus subscription_status(const SubscriptionSlot& slot) const;
  // The log's names of a spec's topics (WorkerOptions::topic).
  std::vector<std::string> log_topics(const std::vector<std::string>& spec_topics) const;
  Result<std::shared_ptr<const RuleSet>> current_rules(const ProjectionSpec& spec) const;
  Status start_worker(Slot& slot, bool building);
  void supervise();
  void supervise_slot(Slot& slot);
  void try_swap(Slot& slot);
  ProjectionStatus status_of(const Slot& slot) const;
  VersionStatus version_status(const Slot& slot, const VersionHandle& version, const VersionWorker* worker) const;

  log::EventLog& log_;
  RuntimeOptions options_;
  std::vector<ProjectionSpec> specs_;
  std::unique_ptr<ProjectionStore> store_;

  // Guards the slots' pointers. Workers are started, swapped and stopped by the supervisor (and
  // by rebuild/cancel) under `control_mutex_`; readers only take `mutex_` for a moment.
  mutable std::mutex mutex_;
  mutable std::mutex control_mutex_;
  std::map<std::string, Slot> slots_;
  std::map<std::string, SubscriptionSlot> subscriptions_;
  bool started_ = false;  // under control_mutex_: subscriptions added now start at once

  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::thread supervisor_;

  mutable std::mutex commit_mutex_;  // guards commits_
  mutable std::condition_variable commit_changed_;
  std::map<std::string, uint64_t> commits_;
};

}  // namespace xyd::projections::runtime

#include "projections/runtime/runtime.h"

#include <iostream>

#include "projections/runtime/rocks_view.h"

namespace xyd::projections::runtime {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

std::string known_names(const std::vector<ProjectionSpec>& specs) {
  std::string names;
  for (const auto& spec : specs) names += (names.empty() ? "" : ", ") + spec.name;
  return names;
}

std::string percent(uint64_t done, uint64_t total) {
  if (total == 0) return "100%";
  return std::to_string(static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total))) + "%";
}

}  // namespace

nlohmann::json VersionStatus::to_json() const {
  nlohmann::json j = {
      {"version", version},
      {"state", state},
      {"rule_set_version", rule_set_version.empty() ? nlohmann::json() : nlohmann::json(rule_set_version)},
      {"created_at", created_at},
      {"live_since", live_since.empty() ? nlohmann::json() : nlohmann::json(live_since)},
      {"running", running},
      {"events_done", progress.done},
      {"events_total", progress.total},
      {"lag", progress.lag},
      {"rate_per_second", static_cast<int64_t>(progress.rate)},
      {"caught_up", progress.caught_up},
      {"events_applied", progress.applied},
      {"events_refused", progress.rejected},
      {"error", progress.error.empty() ? nlohmann::json() : nlohmann::json(progress.error)}};
  if (state == "building")
    j["eta_seconds"] = eta_seconds ? nlohmann::json(static_cast<int64_t>(*eta_seconds + 0.5)) : nlohmann::json();
  return j;
}

nlohmann::json ProjectionStatus::to_json() const {
  return {{"name", name},
          {"kind", kind},
          {"description", description},
          {"topics", topics},
          {"rule_set", rule_set.empty() ? nlohmann::json() : nlohmann::json(rule_set)},
          {"rule_set_file_version",
           rule_set_file_version.empty() ? nlohmann::json() : nlohmann::json(rule_set_file_version)},
          {"needs_rebuild", needs_rebuild},
          {"note", note.empty() ? nlohmann::json() : nlohmann::json(note)},
          {"live", live ? live->to_json() : nlohmann::json()},
          {"rebuild", rebuild ? rebuild->to_json() : nlohmann::json()}};
}

ProjectionRuntime::ProjectionRuntime(log::EventLog& log, RuntimeOptions options, std::vector<ProjectionSpec> specs,
                                     std::unique_ptr<ProjectionStore> store)
    : log_(log), options_(std::move(options)), specs_(std::move(specs)), store_(std::move(store)) {
  options_.worker.committed = [this, next = options_.worker.committed](const std::string& name) {
    {
      std::lock_guard lock(commit_mutex_);
      ++commits_[name];
    }
    commit_changed_.notify_all();
    if (next) next(name);
  };
  for (const auto& spec : specs_) {
    if (!options_.only.empty() &&
        std::find(options_.only.begin(), options_.only.end(), spec.name) == options_.only.end())
      continue;
    slots_[spec.name].spec = &spec;
  }
}

Result<std::unique_ptr<ProjectionRuntime>> ProjectionRuntime::open(log::EventLog& log, RuntimeOptions options,
                                                                   std::vector<ProjectionSpec> specs) {
  for (const auto& name : options.only)
    if (!find_projection(specs, name))
      return make_error(Errc::not_found, "no projection named '" + name + "' (known: " + known_names(specs) + ")",
                        "projection", "known-projection");
  XYD_ASSIGN_OR_RETURN(auto store, ProjectionStore::open(options.path, specs));
  std::unique_ptr<ProjectionRuntime> runtime(
      new ProjectionRuntime(log, std::move(options), std::move(specs), std::move(store)));
  // The catalog's versions, into their slots (one live and one building at most).
  for (auto& [name, slot] : runtime->slots_) {
    for (auto& version : runtime->store_->versions(name)) {
      auto& target = version->info().state == "live" ? slot.live : slot.building;
      if (target) XYD_RETURN_IF_ERROR(runtime->store_->retire(target));  // an older one: superseded
      target = version;
    }
  }
  return runtime;
}

ProjectionRuntime::~ProjectionRuntime() {
  stop();
}

ProjectionRuntime::Slot* ProjectionRuntime::slot(const std::string& name) {
  auto found = slots_.find(name);
  return found == slots_.end() ? nullptr : &found->second;
}

const ProjectionRuntime::Slot* ProjectionRuntime::slot(const std::string& name) const {
  auto found = slots_.find(name);
  return found == slots_.end() ? nullptr : &found->second;
}

Result<std::shared_ptr<const RuleSet>> ProjectionRuntime::current_rules(const ProjectionSpec& spec) const {
  if (spec.rule_set.empty()) return std::shared_ptr<const RuleSet>();
  XYD_ASSIGN_OR_RETURN(RuleSet rules, load_rule_set(options_.rules_dir, spec.rule_set));
  return std::shared_ptr<const RuleSet>(std::make_shared<RuleSet>(std::move(rules)));
}

Status ProjectionRuntime::start_worker(Slot& slot, bool building) {
  auto& version = building ? slot.building : slot.live;
  const bool wal = !(building && options_.rebuild_without_wal);
  XYD_RETURN_IF_ERROR(store_->set_bulk_mode(*version, building && options_.rebuild_bulk_mode));
  auto worker = std::make_unique<VersionWorker>(log_, version, *slot.spec, options_.worker, wal);
  XYD_RETURN_IF_ERROR(worker->start());
  std::lock_guard lock(mutex_);
  (building ? slot.building_worker : slot.live_worker) = std::move(worker);
  return Status();
}

Status ProjectionRuntime::start() {
  {
    std::lock_guard control(control_mutex_);
    for (auto& [name, slot] : slots_) {
      auto rules = current_rules(*slot.spec);
      if (slot.building && slot.spec->rule_set.size() > 0 && rules.ok() &&
          !(slot.building->rules() && (*rules)->same_content(*slot.building->rules()))) {
        // The rule set changed while the build was interrupted: its rows would mix two rule sets.
        std::cerr << "xyd projections: " << name << " v" << slot.building->info().version
                  << " was being built with another rule set: starting that build again" << std::endl;
        XYD_RETURN_IF_ERROR(store_->retire(slot.building));
        std::lock_guard lock(mutex_);
        slot.building.reset();
      }
      if (slot.building && slot.building->info().layout != slot.spec->layout) {
        std::cerr << "xyd projections: " << name << " v" << slot.building->info().version
                  << " was being built in another row layout: starting that build again" << std::endl;
        XYD_RETURN_IF_ERROR(store_->retire(slot.building));
        std::lock_guard lock(mutex_);
        slot.building.reset();
      }
      // A live version this build of xyd would misread is rebuilt beside it; it serves meanwhile.
      const bool stale_layout = slot.live && slot.live->info().layout != slot.spec->layout;
      if (stale_layout && !slot.building && rules.ok()) {
        std::cerr << "xyd projections: " << name << " v" << slot.live->info().version << " is in row layout "
                  << slot.live->info().layout << ", this build writes layout " << slot.spec->layout
                  << ": rebuilding it beside the live one" << std::endl;
        XYD_ASSIGN_OR_RETURN(auto created, store_->create_version(name, *rules, slot.spec->layout));
        std::lock_guard lock(mutex_);
        slot.building = std::move(created);
      }
      if (!slot.live && !slot.building) {
        if (!rules.ok()) {
          slot.note = rules.error().message;
          continue;  // the supervisor retries
        }
        XYD_ASSIGN_OR_RETURN(auto created, store_->create_version(name, *rules, slot.spec->layout));
        std::lock_guard lock(mutex_);
        slot.building = std::move(created);
      }
      for (bool building : {false, true}) {
        if (!(building ? slot.building : slot.live)) continue;
        auto started = start_worker(slot, building);
        if (!started.ok()) {
          slot.note = started.error().message;
          slot.retry_at = Clock::now() + 1s;
        }
      }
    }
  }
  {
    std::lock_guard control(control_mutex_);
    for (auto& [name, subscription] : subscriptions_) start_subscription(subscription);
    started_ = true;
  }
  stopping_ = false;
  supervisor_ = std::thread([this] { supervise(); });
  return Status();
}

void ProjectionRuntime::start_subscription(SubscriptionSlot& slot) {
  if (!slot.spec.handle) return;  // run by its owner: listed only
  auto worker = std::make_unique<SubscriptionWorker>(log_, slot.spec, options_.worker);
  auto started = worker->start();
  slot.note = started.ok() ? std::string() : started.error().message;
  if (!started.ok()) {
    slot.retry_at = Clock::now() + 2s;  // the supervisor tries again
    return;
  }
  std::lock_guard lock(mutex_);
  slot.worker = std::move(worker);
}

Status ProjectionRuntime::add_subscription(SubscriptionSpec spec) {
  std::lock_guard control(control_mutex_);
  if (slots_.contains(spec.name) || subscriptions_.contains(spec.name) || find_projection(specs_, spec.name))
    return make_error(Errc::conflict, "a projection or subscription is named '" + spec.name + "' already",
                      "subscription", "unique-name");
  SubscriptionSlot* added = nullptr;
  {
    std::lock_guard lock(mutex_);
    const std::string name = spec.name;
    added = &subscriptions_[name];
    added->spec = std::move(spec);
  }
  if (started_) start_subscription(*added);
  return Status();
}

void ProjectionRuntime::remove_subscription(const std::string& name) {
  std::lock_guard control(control_mutex_);
  auto found = subscriptions_.find(name);
  if (found == subscriptions_.end()) return;
  std::unique_ptr<SubscriptionWorker> worker;
  {
    std::lock_guard lock(mutex_);
    worker = std::move(found->second.worker);
  }
  worker.reset();  // joins its thread: no batch is handled after this
  std::lock_guard lock(mutex_);
  subscriptions_.erase(found);
}

void ProjectionRuntime::stop() {
  stopping_ = true;
  wake_.notify_all();
  if (supervisor_.joinable()) supervisor_.join();
  std::lock_guard control(control_mutex_);
  started_ = false;
  for (auto& [name, subscription] : subscriptions_) {
    std::unique_ptr<SubscriptionWorker> worker;
    {
      std::lock_guard lock(mutex_);
      worker = std::move(subscription.worker);
    }
    worker.reset();
  }
  for (auto& [name, slot] : slots_) {
    std::unique_ptr<VersionWorker> live, building;
    {
      std::lock_guard lock(mutex_);
      live = std::move(slot.live_worker);
      building = std::move(slot.building_worker);
    }
    building.reset();
    live.reset();
  }
}

void ProjectionRuntime::supervise() {
  while (!stopping_) {
    {
      std::lock_guard control(control_mutex_);
      for (auto& [name, slot] : slots_) {
        if (stopping_) break;
        supervise_slot(slot);
      }
      // A subscription that could not start (its topic missing, its store failing) tries again.
      for (auto& [name, subscription] : subscriptions_)
        if (!stopping_ && subscription.spec.handle && !subscription.worker && Clock::now() >= subscription.retry_at)
          start_subscription(subscription);
    }
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, 100ms, [&] { return stopping_.load(); });
  }
}

void ProjectionRuntime::supervise_slot(Slot& slot) {
  const auto now = Clock::now();
  // A worker that failed is replaced by a new one from the stored offsets.
  for (bool building : {false, true}) {
    auto& version = building ? slot.building : slot.live;
    auto& worker = building ? slot.building_worker : slot.live_worker;
    if (!version || (worker && !worker->failed()) || now < slot.retry_at) continue;
    std::unique_ptr<VersionWorker> old;
    {
      std::lock_guard lock(mutex_);
      old = std::move(worker);
    }
    old.reset();
    auto started = start_worker(slot, building);
    slot.note = started.ok() ? std::string() : started.error().message;
    slot.retry_at = now + (started.ok() ? 1s : 2s);  // a worker that keeps failing restarts at most once a second
  }
  // A projection without any version (its rule set could not be read at start): try again.
  if (!slot.live && !slot.building && now >= slot.retry_at) {
    auto rules = current_rules(*slot.spec);
    if (!rules.ok()) {
      slot.note = rules.error().message;
      slot.retry_at = now + 5s;
      return;
    }
    auto created = store_->create_version(slot.spec->name, *rules, slot.spec->layout);
    if (!created.ok()) {
      slot.note = created.error().message;
      slot.retry_at = now + 5s;
      return;
    }
    {
      std::lock_guard lock(mutex_);
      slot.building = std::move(created).value();
    }
    auto started = start_worker(slot, true);
    slot.note = started.ok() ? std::string() : started.error().message;
  }
  if (slot.building && slot.building_worker && !slot.building_worker->failed()) {
    const auto progress = slot.building_worker->progress();
    // With a live version the swap waits for it anyway; a first version must be caught up.
    if (progress.ever_caught_up || (slot.live && progress.lag <= options_.swap_lag)) try_swap(slot);
  }
}

void ProjectionRuntime::try_swap(Slot& slot) {
  const std::string name = slot.spec->name;
  // Hold the live version between batches and let the new one reach at least its offsets, so
  // that no reader sees the view step back.
  std::map<log::TopicPartition, int64_t> target;
  bool paused = false;
  if (slot.live_worker && !slot.live_worker->failed()) {
    if (!slot.live_worker->pause(2s)) return;  // busy: next round
    paused = true;
    target = slot.live_worker->progress().positions;
  } else if (slot.live) {
    auto stored = stored_offsets(*slot.live);
    if (!stored.ok()) return;
    target = std::move(stored).value();
  }
  auto resume = [&] {
    if (paused) slot.live_worker->resume();
  };
  if (!target.empty() && !slot.building_worker->wait_for(target, 5s)) {
    resume();
    return;
  }
  if (options_.rebuild_bulk_mode) {
    if (auto normal = store_->set_bulk_mode(*slot.building, false); !normal.ok()) {
      slot.note = normal.error().message;
      resume();
      return;
    }
  }
  if (!slot.building_worker->write_ahead_log()) {
    if (auto flushed = store_->flush(*slot.building); !flushed.ok()) {
      slot.note = flushed.error().message;
      resume();
      return;
    }
  }
  if (auto made = store_->make_live(*slot.building, slot.live); !made.ok()) {
    slot.note = made.error().message;
    resume();
    return;
  }
  slot.building_worker->set_write_ahead_log(true);
  std::shared_ptr<VersionHandle> old_version;
  std::unique_ptr<VersionWorker> old_worker;
  {
    std::lock_guard lock(mutex_);
    old_version = std::move(slot.live);
    old_worker = std::move(slot.live_worker);
    slot.live = std::move(slot.building);
    slot.live_worker = std::move(slot.building_worker);
  }
  old_worker.reset();  // it was held: it stops without another batch
  const auto progress = slot.live_worker->progress();
  std::cerr << "xyd projections: " << name << " v" << slot.live->info().version << " is live (log position "
            << progress.done << ", the sum of its next offsets)";
  if (old_version) {
    std::cerr << "; v" << old_version->info().version << " dropped";
    if (auto retired = store_->retire(old_version); !retired.ok()) slot.note = retired.error().message;
  }
  std::cerr << std::endl;
}

Result<int64_t> ProjectionRuntime::rebuild(const std::string& name) {
  std::lock_guard control(control_mutex_);
  if (subscriptions_.contains(name))
    return make_error(Errc::conflict,
                      name +
                          " is a subscription: it has side effects (records produced, commands sent) and only "
                          "moves forward from its stored position, so it is not rebuilt",
                      "projection", "not-a-subscription");
  Slot* s = slot(name);
  if (!s)
    return make_error(Errc::not_found, "no projection named '" + name + "' (known: " + known_names(specs_) + ")",
                      "projection", "known-projection");
  if (s->building) {
    const auto progress = s->building_worker ? s->building_worker->progress() : WorkerProgress();
    return make_error(Errc::conflict,
                      "a rebuild of " + name + " is in progress (version " +
                          std::to_string(s->building->info().version) + ", " + percent(progress.done, progress.total) +
                          "): wait for it (GET /api/v1/ops/projections/" + name +
                          ") or cancel it (DELETE /api/v1/ops/projections/" + name + "/rebuild)",
                      "projection", "one-rebuild-at-a-time");
  }
  XYD_ASSIGN_OR_RETURN(auto rules, current_rules(*s->spec));
  if (rules && s->live && s->live->rules() && rules->version == s->live->rules()->version &&
      !rules->same_content(*s->live->rules()))
    return make_error(Errc::conflict,
                      rules->source + " changed but still says version \"" + rules->version +
                          "\", the version the live view was built with: give the changed rules a new version so "
                          "every row can say which rules produced it",
                      "version", "new-version-for-new-rules");
  XYD_ASSIGN_OR_RETURN(auto created, store_->create_version(name, rules, s->spec->layout));
  {
    std::lock_guard lock(mutex_);
    s->building = created;
  }
  if (auto started = start_worker(*s, true); !started.ok()) {
    s->note = started.error().message;
    s->retry_at = Clock::now() + 1s;
  }
  wake_.notify_all();
  return created->info().version;
}

Status ProjectionRuntime::cancel_rebuild(const std::string& name) {
  std::lock_guard control(control_mutex_);
  Slot* s = slot(name);
  if (!s || !s->building)
    return make_error(Errc::not_found, "no rebuild of '" + name + "' is in progress", "projection", "rebuild-running");
  std::shared_ptr<VersionHandle> version;
  std::unique_ptr<VersionWorker> worker;
  {
    std::lock_guard lock(mutex_);
    version = std::move(s->building);
    worker = std::move(s->building_worker);
  }
  worker.reset();
  return store_->retire(version);
}

VersionStatus ProjectionRuntime::version_status(const Slot& slot, const VersionHandle& version,
                                                const VersionWorker* worker) const {
  VersionStatus status;
  const auto& info = version.info();
  status.version = info.version;
  status.state = info.state;
  status.created_at = info.created_at;
  status.live_since = info.live_since;
  if (version.rules()) status.rule_set_version = version.rules()->version;
  if (worker) {
    status.progress = worker->progress();
    status.running = !status.progress.failed;
  } else {
    // Not running (a listing from the command line): the stored offsets against the log's ends;
    // a partition without a stored offset is read from its beginning.
    auto stored = stored_offsets(version);
    status.progress = progress_at(log_, log_topics(slot.spec->topics),
                                  stored.ok() ? *stored : std::map<log::TopicPartition, int64_t>());
  }
  if (status.state == "building" && status.progress.rate > 0)
    status.eta_seconds = static_cast<double>(status.progress.lag) / status.progress.rate;
  return status;
}

ProjectionStatus ProjectionRuntime::status_of(const Slot& slot) const {
  ProjectionStatus status;
  const ProjectionSpec& spec = *slot.spec;
  status.name = spec.name;
  status.description = spec.description;
  status.topics = spec.topics;
  status.rule_set = spec.rule_set;
  status.note = slot.note;
  if (!spec.rule_set.empty()) {
    auto rules = current_rules(spec);
    if (!rules.ok()) {
      status.note = rules.error().message;
    } else {
      status.rule_set_file_version = (*rules)->version;
      const auto* live_rules = slot.live ? slot.live->rules().get() : nullptr;
      if (live_rules && !(*rules)->same_content(*live_rules)) {
        status.needs_rebuild = true;
        if (status.note.empty())
          status.note = (*rules)->source + " is version " + (*rules)->version +
                        "; the live view was built with version " + live_rules->version + ": rebuild it (xyd rebuild " +
                        spec.name + ") to apply the new rules";
      }
    }
  }
  if (slot.live && slot.live->info().layout != spec.layout) {
    status.needs_rebuild = true;
    if (status.note.empty())
      status.note =
          "the live view is in row layout " + std::to_string(slot.live->info().layout) +
          " and this build of xyd writes layout " + std::to_string(spec.layout) +
          (slot.building ? ": the rebuild in progress replaces it" : ": rebuild it (xyd rebuild " + spec.name + ")");
  }
  if (slot.live) status.live = version_status(slot, *slot.live, slot.live_worker.get());
  if (slot.building) status.rebuild = version_status(slot, *slot.building, slot.building_worker.get());
  return status;
}

ProjectionStatus ProjectionRuntime::subscription_status(const SubscriptionSlot& slot) const {
  ProjectionStatus status;
  status.name = slot.spec.name;
  status.kind = "subscription";
  status.description = slot.spec.description;
  status.topics = slot.spec.topics;
  status.note = slot.note;
  VersionStatus following;
  following.state = "following";
  if (slot.worker) {
    following.progress = slot.worker->progress();
    following.running = !following.progress.failed;
  } else if (slot.spec.stored_positions) {
    auto stored = slot.spec.stored_positions();
    following.progress = progress_at(log_, log_topics(slot.spec.topics),
                                     stored.ok() ? *stored : std::map<log::TopicPartition, int64_t>());
  }
  status.live = std::move(following);
  return status;
}

std::vector<std::string> ProjectionRuntime::log_topics(const std::vector<std::string>& spec_topics) const {
  std::vector<std::string> topics;
  for (const auto& topic : spec_topics) topics.push_back(options_.worker.topic(topic));
  return topics;
}

std::vector<ProjectionStatus> ProjectionRuntime::status() const {
  std::lock_guard lock(mutex_);
  std::vector<ProjectionStatus> all;
  for (const auto& [name, slot] : slots_) all.push_back(status_of(slot));
  for (const auto& [name, subscription] : subscriptions_) all.push_back(subscription_status(subscription));
  return all;
}

Result<ProjectionStatus> ProjectionRuntime::status(const std::string& name) const {
  std::lock_guard lock(mutex_);
  if (auto found = subscriptions_.find(name); found != subscriptions_.end()) return subscription_status(found->second);
  const Slot* s = slot(name);
  if (!s)
    return make_error(Errc::not_found, "no projection named '" + name + "' (known: " + known_names(specs_) + ")",
                      "projection", "known-projection");
  return status_of(*s);
}

Result<std::unique_ptr<ViewReader>> ProjectionRuntime::reader(const std::string& name) const {
  std::lock_guard lock(mutex_);
  const Slot* s = slot(name);
  if (!s)
    return make_error(Errc::not_found, "no projection named '" + name + "' (known: " + known_names(specs_) + ")",
                      "projection", "known-projection");
  if (!s->live) {
    std::string progress;
    if (s->building_worker) {
      const auto p = s->building_worker->progress();
      progress = ": its first build is at " + percent(p.done, p.total) + " (" + std::to_string(p.done) + " of " +
                 std::to_string(p.total) + " events)";
    }
    return make_error(Errc::unavailable, "the " + name + " view is not ready yet" + progress +
                                             "; retry shortly (GET /api/v1/ops/projections shows the progress)");
  }
  return std::unique_ptr<ViewReader>(new RocksViewReader(s->live));
}

Status ProjectionRuntime::wait_caught_up(const std::string& name, std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  std::optional<uint64_t> idle_at_start;
  std::map<log::TopicPartition, int64_t> ends;
  while (Clock::now() < deadline) {
    WorkerProgress progress;
    bool running = false;
    {
      std::lock_guard lock(mutex_);
      const Slot* s = slot(name);
      if (!s) return make_error(Errc::not_found, "no projection named '" + name + "'");
      if (s->live_worker) {
        progress = s->live_worker->progress();
        running = !progress.failed;
      }
    }
    if (running) {
      if (!idle_at_start) {
        idle_at_start = progress.idle_polls;
        for (const auto& [tp, position] : progress.positions) {
          auto end = log_.end_offset(tp);
          if (end.ok()) ends[tp] = *end;
        }
      }
      bool reached = !ends.empty();
      for (const auto& [tp, end] : ends) reached = reached && progress.positions[tp] >= end;
      // On Kafka the end offsets count transaction markers: a caught-up worker whose third empty
      // poll since we started (so one begun after we did) has been applied is as good.
      if (reached || (progress.caught_up && progress.idle_polls >= *idle_at_start + 3)) return Status();
    }
    std::this_thread::sleep_for(20ms);
  }
  return make_error(Errc::timeout, "the " + name + " view did not catch up with the log in time");
}

Status ProjectionRuntime::wait_live(const std::string& name, int64_t version, std::chrono::milliseconds timeout,
                                    const std::function<void(const ProjectionStatus&)>& tick) const {
  const auto deadline = Clock::now() + timeout;
  auto next_tick = Clock::now();
  while (Clock::now() < deadline) {
    XYD_ASSIGN_OR_RETURN(auto status, this->status(name));
    if (status.live && status.live->version >= version) {
      if (tick) tick(status);
      return Status();
    }
    if (!status.rebuild || status.rebuild->version != version)
      return make_error(Errc::conflict, "version " + std::to_string(version) + " of " + name +
                                            " is no longer being built (cancelled?)" +
                                            (status.note.empty() ? "" : ": " + status.note));
    if (tick && Clock::now() >= next_tick) {
      tick(status);
      next_tick = Clock::now() + 500ms;
    }
    std::this_thread::sleep_for(50ms);
  }
  return make_error(Errc::timeout, "version " + std::to_string(version) + " of " + name + " did not go live in time");
}

uint64_t ProjectionRuntime::position() const {
  return store_->db()->GetLatestSequenceNumber();
}

uint64_t ProjectionRuntime::commits(const std::string& name) const {
  std::lock_guard lock(commit_mutex_);
  auto found = commits_.find(name);
  return found == commits_.end() ? 0 : found->second;
}

uint64_t ProjectionRuntime::wait_commit(const std::string& name, uint64_t seen,
                                        std::chrono::milliseconds timeout) const {
  std::unique_lock lock(commit_mutex_);
  auto count = [&] {
    auto found = commits_.find(name);
    return found == commits_.end() ? uint64_t{0} : found->second;
  };
  commit_changed_.wait_for(lock, timeout, [&] { return count() != seen; });
  return count();
}

}  // namespace xyd::projections::runtime

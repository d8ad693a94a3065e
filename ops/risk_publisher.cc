#include "ops/risk_publisher.h"

#include <climits>
#include <fstream>
#include <iostream>
#include <sstream>

#include "events/codec.h"
#include "events/json_input.h"
#include "projections/view_names.h"

namespace xyd::ops {
namespace {

using nlohmann::json;
using projections::risk::RiskCursor;

json positions_json(const std::map<log::TopicPartition, int64_t>& positions) {
  json list = json::array();
  for (const auto& [tp, offset] : positions)
    list.push_back({{"topic", tp.topic}, {"partition", tp.partition}, {"offset", offset}});
  return list;
}

// The state an earlier version kept in <data>/risk-publisher.json, if that file is there.
std::optional<json> legacy_state(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto state = events::parse_json_object(text.str(), events::kRecordLimits, path);
  if (!state.ok()) return std::nullopt;
  return *state;
}

}  // namespace

Result<std::map<log::TopicPartition, int64_t>> positions_of_state(const json& state) {
  std::map<log::TopicPartition, int64_t> positions;
  for (const auto& p : events::array_or_empty(state, "positions")) {
    const std::string topic = events::string_or(p, "topic");
    const int64_t partition = events::int_or(p, "partition", -1), offset = events::int_or(p, "offset", -1);
    if (topic.empty() || partition < 0 || partition > INT32_MAX || offset < 0) continue;
    positions[{topic, static_cast<int32_t>(partition)}] = offset;
  }
  return positions;
}

RiskPublisher::RiskPublisher(log::EventLog& log, projections::runtime::ProjectionRuntime& runtime,
                             std::string legacy_state_path, std::string node, std::chrono::milliseconds late_window)
    : log_(log),
      runtime_(runtime),
      legacy_state_path_(std::move(legacy_state_path)),
      node_(std::move(node)),
      late_window_(late_window) {}

projections::runtime::SubscriptionSpec RiskPublisher::listed(projections::runtime::ProjectionRuntime& runtime) {
  projections::runtime::SubscriptionSpec spec;
  spec.name = kRiskPublisherName;
  spec.description = "risk warnings to xyd.risk-warnings (follows the risk view)";
  if (const auto* risk = projections::find_projection(runtime.specs(), projections::view::kRisk))
    spec.topics = risk->topics;
  spec.stored_positions = [&store = runtime.store()]() -> Result<std::map<log::TopicPartition, int64_t>> {
    XYD_ASSIGN_OR_RETURN(auto state, store.follower_state(kRiskPublisherName));
    if (!state) return std::map<log::TopicPartition, int64_t>();
    return positions_of_state(*state);
  };
  return spec;
}

RiskPublisher::~RiskPublisher() {
  stop();
}

Status RiskPublisher::start(int32_t partitions) {
  XYD_RETURN_IF_ERROR(log_.create_topics({{kRiskWarningsTopic, partitions}}));
  XYD_RETURN_IF_ERROR(load_state());
  // Listed among the runtime's subscriptions with its lag; it runs on its own thread.
  XYD_RETURN_IF_ERROR(runtime_.add_subscription(listed(runtime_)));
  thread_ = std::thread([this] { run(); });
  return Status();
}

void RiskPublisher::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  runtime_.remove_subscription(kRiskPublisherName);
}

Status RiskPublisher::load_state() {
  XYD_ASSIGN_OR_RETURN(std::optional<json> state, runtime_.store().follower_state(kRiskPublisherName));
  const bool migrating = !state;
  if (migrating) state = legacy_state(legacy_state_path_);  // an installation upgraded: read once
  uint64_t cursor = 0;
  std::set<uint64_t> sent;
  if (state) {
    cursor = static_cast<uint64_t>(std::max<int64_t>(0, events::int_or(*state, "published_to")));
    for (const auto& s : events::array_or_empty(*state, "recent"))
      if (s.is_number_unsigned()) sent.insert(s.get_ref<const json::number_unsigned_t&>());
    XYD_ASSIGN_OR_RETURN(published_, positions_of_state(*state));
  }
  cursor_.emplace(0, late_window_, cursor, std::move(sent));
  if (migrating && state) {
    XYD_RETURN_IF_ERROR(save_state());
    std::cerr << "xyd: risk publisher: its position moved from " << legacy_state_path_
              << " into the projection store (the file is no longer read)" << std::endl;
  }
  return Status();
}

Status RiskPublisher::save_state() {
  return runtime_.store().put_follower_state(
      kRiskPublisherName,
      {{"published_to", cursor_->cursor()}, {"recent", cursor_->sent()}, {"positions", positions_json(published_)}});
}

Status RiskPublisher::publish(const std::vector<json>& entries) {
  std::vector<log::OutRecord> records;
  std::vector<uint64_t> sequences;
  for (const auto& entry : entries) {
    const uint64_t sequence = RiskCursor::sequence_of(entry);
    log::OutRecord record;
    record.topic = kRiskWarningsTopic;
    record.key = events::string_or(entry, "enterprise");
    record.value = entry.dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string kind = events::string_or(entry, "kind");
    // The entry's sequence is its identity: sent again after a restart, it is the same event.
    record.headers = events::cloudevent_headers(
        {"risk-" + std::to_string(sequence), "/xyd/" + node_,
         kind == "change" ? "xyd.risk-warning.changed.v1" : "xyd.risk-warning.raised.v1", record.key,
         events::string_or(entry, "raised_at", events::now_rfc3339()), "application/json"});
    record.headers.push_back({"xyd_sequence", std::to_string(sequence)});
    record.headers.push_back({"xyd_kind", kind});
    record.headers.push_back({"xyd_node", node_});
    records.push_back(std::move(record));
    sequences.push_back(sequence);
  }
  auto appended = log_.append(records);  // durable (acks=all) when it returns
  if (!appended.ok()) return appended.error();
  for (uint64_t s : sequences) cursor_->mark(s);
  return save_state();
}

void RiskPublisher::run() {
  while (!stopping_) {
    const uint64_t seen = runtime_.commits(projections::view::kRisk);
    // What the view reflects at least, read before the view: once everything in it is published,
    // these log positions are too (stored with the cursor, committed under kRiskPublisherGroup).
    std::map<log::TopicPartition, int64_t> reflected;
    if (auto status = runtime_.status(projections::view::kRisk); status.ok() && status->live) {
      const auto& progress = status->live->progress;
      reflected = progress.positions;
      // Caught up, a view stops before the transaction marker that ends a partition: past it.
      if (progress.caught_up)
        for (auto& [tp, position] : reflected)
          if (auto end = progress.ends.find(tp); end != progress.ends.end() && end->second == position + 1)
            position = end->second;
    }
    if (auto reader = runtime_.reader(projections::view::kRisk); reader.ok()) {
      Status published;
      try {
        published = cursor_->pass(**reader, nullptr, {}, [this](std::vector<json>& e) { return publish(e); });
      } catch (const std::exception& e) {  // an entry it cannot handle: retry later, never die
        published = make_error(Errc::fatal, std::string("publishing a page: ") + e.what());
      }
      if (published.ok() && !reflected.empty() && reflected != published_) {
        published_ = reflected;
        published = save_state();
      }
      if (published.ok()) {
        if (auto settled = resting_.settle(log_, kRiskPublisherGroup, reflected); !settled.ok())
          published = settled.error();
      }
      if (!published.ok())
        std::cerr << "xyd: risk publisher: " << published.error().message << " (retrying)" << std::endl;
    }
    (void)runtime_.wait_commit(projections::view::kRisk, seen, std::chrono::milliseconds(500));
  }
}

}  // namespace xyd::ops

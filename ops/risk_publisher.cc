#include "ops/risk_publisher.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "events/codec.h"
#include "events/json_input.h"
#include "projections/risk/risk_query.h"

namespace xyd::ops {
namespace {

using nlohmann::json;

constexpr uint64_t kPerMs = 1000000;  // sequences per millisecond (projections/risk/risk_projection.h)

}  // namespace

RiskPublisher::RiskPublisher(log::EventLog& log, const projections::runtime::ProjectionRuntime& runtime,
                             std::string state_path, std::string node, std::chrono::milliseconds late_window)
    : log_(log),
      runtime_(runtime),
      state_path_(std::move(state_path)),
      node_(std::move(node)),
      window_(static_cast<uint64_t>(late_window.count()) * kPerMs) {}

RiskPublisher::~RiskPublisher() {
  stop();
}

Status RiskPublisher::start(int32_t partitions) {
  XYD_RETURN_IF_ERROR(log_.create_topics({{kRiskWarningsTopic, partitions}}));
  load_state();
  thread_ = std::thread([this] { run(); });
  return Status();
}

void RiskPublisher::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void RiskPublisher::load_state() {
  std::ifstream in(state_path_);
  if (!in) return;
  std::stringstream text;
  text << in.rdbuf();
  auto state = events::parse_json_object(text.str(), events::kRecordLimits, state_path_);
  if (!state.ok()) return;
  cursor_ = static_cast<uint64_t>(std::max<int64_t>(0, events::int_or(*state, "published_to")));
  for (const auto& s : events::array_or_empty(*state, "recent"))
    if (s.is_number_unsigned()) sent_.insert(s.get_ref<const json::number_unsigned_t&>());
}

Status RiskPublisher::save_state() {
  const std::string text = json{{"published_to", cursor_}, {"recent", sent_}}.dump();
  const std::string temp = state_path_ + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return make_error(Errc::unavailable, "cannot write " + temp);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || std::rename(temp.c_str(), state_path_.c_str()) != 0)
    return make_error(Errc::unavailable, "cannot write " + state_path_);
  return Status();
}

Status RiskPublisher::publish_new(const projections::ViewReader& view) {
  uint64_t position = cursor_ > window_ ? cursor_ - window_ : 0;
  while (!stopping_) {
    XYD_ASSIGN_OR_RETURN(auto page, projections::risk::feed_after(view, position, 500, nullptr));
    std::vector<log::OutRecord> records;
    std::vector<uint64_t> sequences;
    for (const auto& entry : page.items) {
      const uint64_t sequence = static_cast<uint64_t>(std::max<int64_t>(0, events::int_or(entry, "sequence")));
      if (sent_.contains(sequence) || (cursor_ > window_ && sequence <= cursor_ - window_)) continue;
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
    if (!records.empty()) {
      auto appended = log_.append(records);  // durable (acks=all) when it returns
      if (!appended.ok()) return appended.error();
      for (uint64_t s : sequences) {
        sent_.insert(s);
        cursor_ = std::max(cursor_, s);
      }
      while (!sent_.empty() && *sent_.begin() + window_ < cursor_) sent_.erase(sent_.begin());
      XYD_RETURN_IF_ERROR(save_state());
    }
    if (!page.more) break;
    position = page.scanned_to;
  }
  return Status();
}

void RiskPublisher::run() {
  while (!stopping_) {
    const uint64_t seen = runtime_.commits("risk");
    // What the view reflects at least, read before the view: once everything in it is published,
    // these log positions are too (committed under kRiskPublisherGroup for Kafka's tools).
    std::map<log::TopicPartition, int64_t> reflected;
    if (auto status = runtime_.status("risk"); status.ok() && status->live) {
      const auto& progress = status->live->progress;
      reflected = progress.positions;
      // Caught up, a view stops before the transaction marker that ends a partition: past it.
      if (progress.caught_up)
        for (auto& [tp, position] : reflected)
          if (auto end = progress.ends.find(tp); end != progress.ends.end() && end->second == position + 1)
            position = end->second;
    }
    if (auto reader = runtime_.reader("risk"); reader.ok()) {
      Status published;
      try {
        published = publish_new(**reader);
      } catch (const std::exception& e) {  // an entry it cannot handle: retry later, never die
        published = make_error(Errc::fatal, std::string("publishing a page: ") + e.what());
      }
      if (published.ok()) {
        if (auto settled = resting_.settle(log_, kRiskPublisherGroup, reflected); !settled.ok())
          published = settled.error();
      }
      if (!published.ok())
        std::cerr << "xyd: risk publisher: " << published.error().message << " (retrying)" << std::endl;
    }
    (void)runtime_.wait_commit("risk", seen, std::chrono::milliseconds(500));
  }
}

}  // namespace xyd::ops

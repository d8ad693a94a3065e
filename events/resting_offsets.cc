#include "events/resting_offsets.h"

#include <algorithm>

namespace xyd::log {

void RestingOffsets::committed(const ConsumedOffsets& offsets) {
  for (const auto& [tp, next] : offsets.next_offsets) {
    auto& known = committed_[tp];
    known = std::max(known, next);
  }
}

Result<bool> RestingOffsets::settle(EventLog& log, const std::string& group,
                                    const std::map<TopicPartition, int64_t>& positions) {
  ConsumedOffsets moved{group, {}};
  for (const auto& [tp, position] : positions) {
    if (position < 0) continue;
    const auto known = committed_.find(tp);
    if (known != committed_.end() && known->second >= position) continue;
    moved.next_offsets[tp] = position;
  }
  if (moved.next_offsets.empty()) return false;
  XYD_RETURN_IF_ERROR(log.append({}, &moved));
  committed(moved);
  FollowerPositions::instance().post(group, committed_);
  return true;
}

Result<bool> RestingOffsets::settle(EventLog& log, Subscription& subscription) {
  std::map<TopicPartition, int64_t> positions;
  for (const auto& tp : subscription.assignment()) {
    XYD_ASSIGN_OR_RETURN(positions[tp], subscription.position(tp));
  }
  return settle(log, subscription.group(), positions);
}

Result<bool> RestingOffsets::settle(EventLog& log, const std::string& group, Reader& reader,
                                    const std::vector<TopicPartition>& tps) {
  std::map<TopicPartition, int64_t> positions;
  for (const auto& tp : tps) {
    XYD_ASSIGN_OR_RETURN(positions[tp], reader.position(tp));
  }
  return settle(log, group, positions);
}

FollowerPositions& FollowerPositions::instance() {
  static FollowerPositions board;
  return board;
}

void FollowerPositions::post(const std::string& group, const std::map<TopicPartition, int64_t>& positions) {
  std::lock_guard lock(mutex_);
  groups_[group] = positions;
}

std::map<std::string, std::map<TopicPartition, int64_t>> FollowerPositions::snapshot() const {
  std::lock_guard lock(mutex_);
  return groups_;
}

}  // namespace xyd::log

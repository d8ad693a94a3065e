// RestingOffsets: brings a consumer group's committed offsets up to where its reader is while it
// is idle. A batch commits "last record read + 1"; on Kafka the transaction marker after that
// record is one more offset, so without this a group rests one short of the end offset (lag 1 in
// kafka-consumer-groups.sh). Settling commits the positions, which are past the markers, in an
// offsets-only transaction, and posts them on the FollowerPositions board. The followers that
// keep their own positions (outbound, data sources, risk publisher) settle theirs too, under
// their own group ids, so Kafka's tools see them. Owned by the polling thread.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "events/event_log.h"

namespace xyd::log {

class RestingOffsets {
 public:
  // After a batch committed together with `offsets`.
  void committed(const ConsumedOffsets& offsets);
  // Commits the positions that are past what this object committed; true when it committed any.
  Result<bool> settle(EventLog& log, const std::string& group, const std::map<TopicPartition, int64_t>& positions);
  // The positions of a subscription's assigned partitions (call when a poll returned nothing).
  Result<bool> settle(EventLog& log, Subscription& subscription);
  // The positions of a reader's partitions `tps` (call when a poll returned nothing).
  Result<bool> settle(EventLog& log, const std::string& group, Reader& reader, const std::vector<TopicPartition>& tps);
  // Forgets what was committed (a new subscription).
  void reset() { committed_.clear(); }

 private:
  std::map<TopicPartition, int64_t> committed_;
};

// The last positions each group settled in this process, for /metrics and the CLI: a group's
// lag is end_offset(tp) - position. Thread-safe: settling threads write, anyone reads.
class FollowerPositions {
 public:
  static FollowerPositions& instance();
  void post(const std::string& group, const std::map<TopicPartition, int64_t>& positions);
  std::map<std::string, std::map<TopicPartition, int64_t>> snapshot() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<TopicPartition, int64_t>> groups_;
};

}  // namespace xyd::log

// SubscriptionSpec: a side effect applied from the log on the projection runtime (like Marten's
// ISubscription): the outbound follower, the data-source intake's topic channel, the risk-warning
// publisher. Unlike a projection it has effects outside its store (records produced, commands
// sent), so it is never rebuilt: it only moves forward from the positions it stores itself,
// together with its own writes. The runtime runs it, restarts it on failure and reports its
// positions, ends and lag beside the projections'. Plain data, copied into the runtime.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "events/event_log.h"

namespace xyd::projections::runtime {

// The next offset of each partition after `records`.
std::map<log::TopicPartition, int64_t> next_offsets(const std::vector<log::Record>& records);

struct SubscriptionSpec {
  std::string name;  // "outbound"; its positions are mirrored to the log under the group "xyd-<name>"
  std::string description;
  std::vector<std::string> topics;  // the full names of the topics it follows
  // The next offsets it stored with its last handled batch (a partition without one is read from
  // its beginning).
  std::function<Result<std::map<log::TopicPartition, int64_t>>()> stored_positions;
  // Does its work for one batch and stores `next` (the batch's next offsets) in one write with its
  // own changes; an error (or an exception) makes the runtime read the batch again from the stored
  // positions: nothing is skipped, at most the batch in flight is seen twice.
  // Null: its owner runs it (the risk-warning publisher follows a view, not topics) and the
  // runtime only lists it, with `stored_positions` against the ends of `topics`.
  std::function<Status(const std::vector<log::Record>& records, const std::map<log::TopicPartition, int64_t>& next)>
      handle;
  std::chrono::milliseconds poll_timeout{200};
  size_t max_batch = 500;

  // The consumer group its positions are committed under when it is idle: not a group it reads
  // with, a mirror of the stored positions for Kafka's tools (lag 0 at rest).
  std::string group() const { return "xyd-" + name; }
};

}  // namespace xyd::projections::runtime

// OutboundFollower: streams the applications routed to an institution to it. Follows
// xyd.events.application from its position in the OutboundStore; for every routed event
// (outbound_message.h) it produces the outbound message to xyd.out.<institution> (key = the
// application, so one application's events stay in order) through the log's idempotent,
// acks=all producer, and queues a webhook delivery when the institution has an active
// subscription. The stored position moves only after the records are durable, in one RocksDB
// batch with the routes and queued deliveries: a restart loses nothing and repeats at most the
// batch in flight (consumers de-duplicate by event_id). A subscription of the projection runtime,
// which runs it on a thread of its own (subscription()).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "connectors/outbound_store.h"
#include "projections/runtime/subscription.h"

namespace xyd::connectors {

struct OutboundOptions {
  bool produce_topics = true;  // xyd.out.<institution> (off: webhooks only)
  int32_t partitions = 6;      // of each xyd.out.<institution> created
  std::chrono::milliseconds poll_timeout{200};
};

class OutboundFollower {
 public:
  static constexpr const char* kName = "outbound";

  OutboundFollower(log::EventLog& log, OutboundStore& store, OutboundOptions options);
  // Its subscription: xyd.events.application from the position in the OutboundStore. The
  // follower outlives the runtime's run of it (remove_subscription before it goes away).
  projections::runtime::SubscriptionSpec subscription();
  // The same without a handler: what a listing shows (`xyd projections` while serve is down).
  static projections::runtime::SubscriptionSpec listed(OutboundStore& store);

 private:
  Status handle(const std::vector<log::Record>& records, const std::map<log::TopicPartition, int64_t>& next);
  Status ensure_topic(const std::string& institution);

  log::EventLog& log_;
  OutboundStore& store_;
  OutboundOptions options_;
  std::set<std::string> topics_made_;  // the subscription's thread only
};

}  // namespace xyd::connectors

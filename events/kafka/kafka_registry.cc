// SubscriptionRegistry (kafka_internal.h): the live subscriptions of one Kafka log by consumer
// group, so append() can send a group's consumed offsets with a live member's metadata.
#include <algorithm>

#include "events/kafka/kafka_internal.h"

namespace xyd::log::kafka {

void SubscriptionRegistry::add(const std::string& group, rd_kafka_t* consumer,
                               std::shared_ptr<const Assignment> assignment) {
  std::lock_guard lock(mutex_);
  entries_.push_back(Entry{group, consumer, std::move(assignment)});
}

void SubscriptionRegistry::remove(rd_kafka_t* consumer) {
  std::lock_guard lock(mutex_);
  std::erase_if(entries_, [&](const Entry& e) { return e.consumer == consumer; });
}

GroupMetadataPtr SubscriptionRegistry::metadata(const std::string& group,
                                                const std::vector<TopicPartition>& tps) const {
  std::lock_guard lock(mutex_);  // held while using a member's handle: it cannot be destroyed meanwhile
  const Entry* chosen = nullptr;
  for (const Entry& e : entries_) {
    if (e.group != group) continue;
    if (chosen == nullptr) chosen = &e;
    std::lock_guard assignment_lock(e.assignment->mutex);
    const auto& held = e.assignment->partitions;
    if (std::all_of(tps.begin(), tps.end(), [&](const TopicPartition& tp) { return held.count(tp) != 0; })) {
      chosen = &e;
      break;
    }
  }
  if (chosen != nullptr) {
    if (rd_kafka_consumer_group_metadata_t* md = rd_kafka_consumer_group_metadata(chosen->consumer)) {
      return GroupMetadataPtr(md);
    }
  }
  return GroupMetadataPtr(rd_kafka_consumer_group_metadata_new(group.c_str()));
}

}  // namespace xyd::log::kafka

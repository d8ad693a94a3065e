#include "connectors/outbound_follower.h"

#include <iostream>
#include <map>

#include "connectors/outbound_message.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "events/json_input.h"

namespace xyd::connectors {

using nlohmann::json;

OutboundFollower::OutboundFollower(log::EventLog& log, OutboundStore& store, OutboundOptions options)
    : log_(log), store_(store), options_(options) {}

projections::runtime::SubscriptionSpec OutboundFollower::listed(OutboundStore& store) {
  projections::runtime::SubscriptionSpec spec;
  spec.name = kName;
  spec.description = "routed application events to xyd.out.<institution> and webhook deliveries";
  spec.topics = {events::topic_for("application")};
  spec.stored_positions = [&store] { return store.offsets(kName); };
  return spec;
}

projections::runtime::SubscriptionSpec OutboundFollower::subscription() {
  auto spec = listed(store_);
  spec.handle = [this](const std::vector<log::Record>& records, const std::map<log::TopicPartition, int64_t>& next) {
    return handle(records, next);
  };
  spec.poll_timeout = options_.poll_timeout;
  return spec;
}

Status OutboundFollower::ensure_topic(const std::string& institution) {
  if (topics_made_.contains(institution)) return Status();
  XYD_RETURN_IF_ERROR(log_.create_topics({{outbound_topic(institution), options_.partitions}}));
  topics_made_.insert(institution);
  return Status();
}

Status OutboundFollower::handle(const std::vector<log::Record>& records,
                                const std::map<log::TopicPartition, int64_t>& next) {
  OutboundStore::Batch batch;
  std::vector<log::OutRecord> out;
  std::map<std::string, std::string> routes;                 // found in this batch
  std::map<std::string, std::optional<json>> subscriptions;  // read once per batch
  // One record: its route, its message on the institution's topic, its webhook delivery. An error
  // is the store's or the log's (the batch is tried again); a record with nothing to route is OK.
  auto route_one = [&](const log::Record& record) -> Status {
    auto event = events::from_record(record);
    if (!event.ok()) return Status();  // the log holds only sealed, validated events; nothing to route
    std::string institution = routed_institution(*event);
    if (!institution.empty()) {
      routes[event->aggregate_id] = institution;
      batch.put_route(event->aggregate_id, institution);
    } else if (auto found = routes.find(event->aggregate_id); found != routes.end()) {
      institution = found->second;
    } else {
      XYD_ASSIGN_OR_RETURN(auto stored, store_.route(event->aggregate_id));
      if (!stored) return Status();  // an application submitted before routing existed, or not one
      institution = *stored;
      routes[event->aggregate_id] = institution;
    }
    auto message = outbound_message(*event, institution);
    if (!message) return Status();
    if (options_.produce_topics) {
      XYD_RETURN_IF_ERROR(ensure_topic(institution));
      // The message is the event as the institution may see it: the event's own attributes.
      log::OutRecord record{outbound_topic(institution),
                            event->aggregate_id,
                            message->dump(-1, ' ', false, json::error_handler_t::replace),
                            {},
                            std::nullopt};
      record.headers = events::cloudevent_headers(
          {event->id, event->source, event->type, event->aggregate_id, event->time, "application/json"});
      record.headers.push_back({"xyd_schema", kOutboundSchema});
      out.push_back(std::move(record));
    }
    auto subscription = subscriptions.find(institution);
    if (subscription == subscriptions.end()) {
      XYD_ASSIGN_OR_RETURN(auto stored, store_.subscription(institution));
      subscription = subscriptions.emplace(institution, std::move(stored)).first;
    }
    if (subscription->second && events::string_or(*subscription->second, "status") == "active")
      batch.enqueue(institution, store_.next_seq(), {{"message", *message}, {"attempt", 0}, {"next_at", 0}});
    return Status();
  };
  for (const auto& record : records) {
    try {
      XYD_RETURN_IF_ERROR(route_one(record));
    } catch (const std::exception& e) {  // a record it cannot route is skipped, never a stopped follower
      std::cerr << "xyd outbound: skipping " << record.tp().to_string() << "@" << record.offset << ": " << e.what()
                << std::endl;
    }
  }
  if (!out.empty()) {
    auto appended = log_.append(out);  // durable (acks=all / synced) when it returns
    if (!appended.ok()) return make_error(appended.error().code, "producing to xyd.out.*: " + appended.error().message);
  }
  batch.put_offsets(kName, next);
  return store_.write(batch);
}

}  // namespace xyd::connectors

#include "ops/consumer_groups.h"

#include <tuple>

#include "aggregates/processor/command_processor.h"
#include "connectors/data_source_intake.h"
#include "connectors/data_source_record.h"
#include "connectors/inbound_consumer.h"
#include "connectors/outbound_follower.h"
#include "events/catalog.h"
#include "ops/risk_publisher.h"
#include "projections/projection.h"
#include "projections/view_names.h"

namespace xyd::ops {

nlohmann::json GroupPosition::to_json() const {
  return {{"group", group}, {"follows", follows}, {"committed", committed},
          {"end", end},     {"lag", lag},         {"uncommitted_partitions", uncommitted}};
}

namespace {

Result<GroupPosition> position_of(log::EventLog& log, const std::string& group, const std::string& follows,
                                  const std::vector<std::string>& topics) {
  GroupPosition row{group, follows};
  std::vector<log::TopicPartition> tps;
  for (const auto& topic : topics) {
    auto count = log.partition_count(topic);
    if (!count.ok()) continue;  // not made yet (an institution's topics, say)
    for (int32_t p = 0; p < *count; ++p) tps.push_back({topic, p});
  }
  if (tps.empty()) return row;
  XYD_ASSIGN_OR_RETURN(auto committed, log.committed(group, tps));
  for (const auto& tp : tps) {
    XYD_ASSIGN_OR_RETURN(int64_t end, log.end_offset(tp));
    row.end += end;
    if (auto found = committed.find(tp); found != committed.end()) {
      row.committed += found->second;
    } else {
      ++row.uncommitted;
      XYD_ASSIGN_OR_RETURN(int64_t begin, log.begin_offset(tp));
      row.committed += begin;
    }
  }
  row.lag = row.end - row.committed;
  return row;
}

}  // namespace

Result<std::vector<GroupPosition>> consumer_group_positions(log::EventLog& log) {
  XYD_ASSIGN_OR_RETURN(auto topics, log.list_topics());
  std::vector<std::string> inbound;
  for (const auto& topic : topics)
    if (topic.starts_with("xyd.in.")) inbound.push_back(topic);
  std::vector<std::string> risk_topics;
  for (const auto& spec : projections::standard_projections())
    if (spec.name == projections::view::kRisk) risk_topics = spec.topics;
  const connectors::InboundConsumerOptions inbound_options;
  const std::vector<std::tuple<std::string, std::string, std::vector<std::string>>> groups = {
      {domain::ProcessorOptions{}.group, "xyd.commands", {"xyd.commands"}},
      {inbound_options.group, "xyd.in.*", inbound},
      {"xyd-" + std::string(connectors::OutboundFollower::kName),
       events::topic_for("application"),
       {events::topic_for("application")}},
      {"xyd-" + std::string(connectors::DataSourceIntake::kName),
       connectors::kDataSourceTopic,
       {connectors::kDataSourceTopic}},
      {kRiskPublisherGroup, "xyd.events.* (the risk view's)", risk_topics},
  };
  std::vector<GroupPosition> rows;
  for (const auto& [group, follows, group_topics] : groups) {
    XYD_ASSIGN_OR_RETURN(auto row, position_of(log, group, follows, group_topics));
    if (row.end > 0 || row.committed > 0) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace xyd::ops

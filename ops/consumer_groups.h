// The consumer groups of xyd as Kafka's tools see them: for each group, the partitions of the
// topics it follows, its committed offsets and the log's end offsets, so its lag (`xyd
// projections` prints them; 0 at rest: events/resting_offsets.h). Reads only; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "events/event_log.h"

namespace xyd::ops {

struct GroupPosition {
  std::string group;
  std::string follows;      // what it reads, for people: "xyd.commands", "xyd.events.*"
  int64_t committed = 0;    // sum over its partitions of the committed next offsets (0 when none)
  int64_t end = 0;          // sum of the end offsets (on Kafka they count transaction markers)
  int64_t lag = 0;          // end - committed
  int32_t uncommitted = 0;  // partitions with no committed offset yet

  nlohmann::json to_json() const;
};

// The positions of xyd's groups: the command processor, the bank inbound consumer, and the
// followers that keep their own positions and mirror them to the log (outbound, data sources,
// risk publisher). A group with no partition to follow yet is left out.
Result<std::vector<GroupPosition>> consumer_group_positions(log::EventLog& log);

}  // namespace xyd::ops

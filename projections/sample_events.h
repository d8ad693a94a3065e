// ChainedEvents: builds sealed events that chain per aggregate (version n + 1, prevhash = the hash
// of version n), as the write side stores them, ready to append: for tests, benchmarks and
// demos. Fills the data fields an event type requires with plausible values when not given.
// Owned by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "events/envelope.h"
#include "events/event_log.h"

namespace xyd::projections {

class ChainedEvents {
 public:
  explicit ChainedEvents(std::string topic_prefix = "xyd.events.", std::string source = "/xyd/sample")
      : topic_prefix_(std::move(topic_prefix)), source_(std::move(source)) {}

  // The next event `name` (a catalog name: "LoanOverdue") of aggregate `type`/`id`, sealed, as a
  // record for <topic_prefix><type>. `time` defaults to now.
  Result<log::OutRecord> next(const std::string& type, const std::string& id, const std::string& name,
                              nlohmann::json data = nlohmann::json::object(), events::Actor actor = {},
                              std::string time = {});
  // The version the aggregate's last event had (0: none yet).
  int64_t version_of(const std::string& type, const std::string& id) const;

  // A plausible value for a required data field (amounts and counts as integers, dates, lists).
  static nlohmann::json sample_value(const std::string& field, uint64_t n);

 private:
  struct Head {
    int64_t version = 0;
    std::string hash;
  };
  std::string topic_prefix_;
  std::string source_;
  std::unordered_map<std::string, Head> heads_;
  uint64_t counter_ = 0;
};

}  // namespace xyd::projections

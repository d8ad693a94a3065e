// Outcome: what became of a command, as the processor publishes it on xyd.outcomes and the
// gateway hands it to the waiting request: accepted with its events, or refused with an Error.
// A repeated command id gets the first outcome again, marked replayed. Plain value type.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "events/result.h"

namespace xyd::domain {

struct Outcome {
  std::string command_id;
  std::string correlation_id;
  std::string aggregate_type;
  std::string aggregate_id;
  std::string body_hash;
  bool accepted = false;
  bool replayed = false;
  int64_t version = 0;                              // the aggregate's version after the command
  nlohmann::json events = nlohmann::json::array();  // [{id, type, version}]
  std::optional<Error> error;                       // set when refused
};

nlohmann::json to_json(const Outcome& outcome);
Outcome outcome_from_json(const nlohmann::json& json);

}  // namespace xyd::domain

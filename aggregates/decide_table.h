// The dispatch every aggregate of the financing lifecycle shares: a table from command name to
// a decide function, the one command that creates the aggregate, and the common refusals
// (creating twice: conflict "unique-id"; acting on a missing aggregate: not_found "exists";
// an unknown command: invalid_argument "known-command"). Pure.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "aggregates/command.h"

namespace xyd::domain {

using Decision = Result<std::vector<NewEvent>>;
using DecideFn = Decision (*)(const AggregateState& state, const Command& command);

struct DecideTable {
  std::string type;                          // "enterprise"
  std::string creator;                       // "RegisterEnterprise"
  std::map<std::string, DecideFn> commands;  // includes the creator
};

Decision dispatch(const DecideTable& table, const AggregateState& state, const Command& command);

// One event as a decision.
inline Decision one_event(std::string name, nlohmann::json data) {
  return std::vector<NewEvent>{{std::move(name), std::move(data)}};
}

// Roles that act for the platform itself (system dispatch, operators): exempt from the
// owner/manager checks a decide makes on top of the access matrix.
bool is_platform_role(const std::string& role);

}  // namespace xyd::domain

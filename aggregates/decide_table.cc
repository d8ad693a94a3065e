#include "aggregates/decide_table.h"

#include "aggregates/fields.h"

namespace xyd::domain {

Decision dispatch(const DecideTable& table, const AggregateState& state, const Command& command) {
  auto found = table.commands.find(command.name);
  if (found == table.commands.end())
    return refuse(Errc::invalid_argument, table.type + " takes no command named " + command.name, "name",
                  "known-command");
  const std::string id = table.type + " " + command.aggregate_id;
  if (command.name == table.creator && state.exists())
    return refuse(Errc::conflict, id + " already exists", "aggregate_id", "unique-id");
  if (command.name != table.creator && !state.exists())
    return refuse(Errc::not_found, id + " does not exist", "aggregate_id", "exists");
  return found->second(state, command);
}

bool is_platform_role(const std::string& role) {
  return role == "system" || role == "system_admin";
}

}  // namespace xyd::domain

#include "aggregates/institution.h"

#include <algorithm>

#include "aggregates/decide_table.h"
#include "aggregates/fields.h"
#include "aggregates/reference.h"
#include "events/json_input.h"
#include "events/schema/institution.h"

namespace xyd::domain {
namespace {

using nlohmann::json;

const std::vector<std::string> kUpdatable = {"full_name", "short_name", "region", "parent"};

std::string status_of(const AggregateState& state) {
  const std::string status = events::string_or(state.data, "status");
  return status.empty() ? "active" : status;
}

Status check_not_removed(const AggregateState& state) {
  if (status_of(state) == "removed")
    return refuse(Errc::refused, "the institution was removed: nothing happens after that", "status", "terminal-state");
  return Status();
}

// One field's value, checked: region a GB/T 2260 code, parent an optional string, the names
// required strings. `where` names it in a refusal ("region", "changes.region").
Result<std::string> field_value(const json& body, const std::string& field, const std::string& where) {
  const json one = json{{where, member_or(body, field, json())}};
  if (field == "region") {
    XYD_ASSIGN_OR_RETURN(std::string region, required_string(one, where));
    XYD_RETURN_IF_ERROR(check_region(region, where));
    return region;
  }
  if (field == "parent") {
    XYD_ASSIGN_OR_RETURN(auto parent, optional_string(one, where));
    return parent.value_or("");
  }
  return required_string(one, where);
}

Decision onboard(const AggregateState&, const Command& command) {
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string type, required_string(body, "type"));
  if (!is_institution_type(type))
    return refuse(Errc::invalid_argument, "'" + type + "' is not one of the 11 institution types", "type",
                  "institution-type");
  json data = {{"type", type}};
  for (const char* field : {"full_name", "short_name", "region", "parent"}) {
    XYD_ASSIGN_OR_RETURN(data[field], field_value(body, field, field));
  }
  return one_event(events::institution::kInstitutionOnboarded, std::move(data));
}

// Changes one field at a time; a new region must stay within the actor's scope (a city account
// cannot move its institution out of its city).
Decision update(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_not_removed(state));
  XYD_ASSIGN_OR_RETURN(json changes, required_object(command.body, "changes"));
  if (changes.empty()) return refuse(Errc::invalid_argument, "changes is empty", "changes", "changes-something");
  json recorded = json::object();
  for (const auto& [field, value] : changes.items()) {
    if (std::find(kUpdatable.begin(), kUpdatable.end(), field) == kUpdatable.end())
      return refuse(Errc::invalid_argument, field + " cannot be updated (only full_name, short_name, region, parent)",
                    "changes." + field, "updatable-field");
    XYD_ASSIGN_OR_RETURN(std::string after, field_value(changes, field, "changes." + field));
    if (field == "region") {
      Subject target;
      target.institution = command.aggregate_id;
      target.region = after;
      XYD_RETURN_IF_ERROR(authorize_new_value(command.actor, command.name, target, "changes.region"));
    }
    recorded[field] = {{"before", member_or(state.data, field, json(""))}, {"after", after}};
  }
  return one_event(events::institution::kInstitutionUpdated, {{"changes", recorded}, {"by", command.actor.account}});
}

Decision suspend(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_not_removed(state));
  if (status_of(state) != "active")
    return refuse(Errc::refused, "only an active institution can be suspended", "status", "institution-active");
  XYD_ASSIGN_OR_RETURN(std::string reason, required_string(command.body, "reason"));
  return one_event(events::institution::kInstitutionSuspended, {{"reason", reason}, {"by", command.actor.account}});
}

Decision resume(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_not_removed(state));
  if (status_of(state) != "suspended")
    return refuse(Errc::refused, "only a suspended institution can be resumed", "status", "institution-suspended");
  return one_event(events::institution::kInstitutionResumed, {{"by", command.actor.account}});
}

Decision remove(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_not_removed(state));
  const json managers = member_or(state.data, "managers", json::object());
  if (managers.is_object() && !managers.empty())
    return refuse(
        Errc::refused,
        "the institution still has " + std::to_string(managers.size()) + " account manager(s): remove them first",
        "managers", "no-managers-remain");
  return one_event(events::institution::kInstitutionRemoved, {{"by", command.actor.account}});
}

// The manager a command names, and whether the institution has it.
Result<std::string> manager_of(const AggregateState& state, const Command& command, bool must_exist) {
  XYD_RETURN_IF_ERROR(check_not_removed(state));
  XYD_ASSIGN_OR_RETURN(std::string manager, required_string(command.body, "manager"));
  const json managers = member_or(state.data, "managers", json::object());
  const bool known = managers.is_object() && managers.contains(manager);
  if (must_exist && !known)
    return refuse(Errc::refused, manager + " is not a manager of this institution", "manager",
                  "manager-of-institution");
  if (!must_exist && known)
    return refuse(Errc::conflict, manager + " is already a manager of this institution", "manager", "manager-once");
  return manager;
}

Decision add_manager(const AggregateState& state, const Command& command) {
  XYD_ASSIGN_OR_RETURN(std::string manager, manager_of(state, command, false));
  return one_event(events::institution::kManagerAdded, {{"manager", manager}, {"by", command.actor.account}});
}

Decision remove_manager(const AggregateState& state, const Command& command) {
  XYD_ASSIGN_OR_RETURN(std::string manager, manager_of(state, command, true));
  return one_event(events::institution::kManagerRemoved, {{"manager", manager}, {"by", command.actor.account}});
}

Decision set_manager_enabled(const AggregateState& state, const Command& command, bool enabled) {
  XYD_ASSIGN_OR_RETURN(std::string manager, manager_of(state, command, true));
  const json entry = member_or(member_or(state.data, "managers", json::object()), manager, json::object());
  if (member_or(entry, "enabled", true) == json(enabled))
    return refuse(Errc::refused, manager + " is already " + (enabled ? "enabled" : "disabled"), "manager",
                  enabled ? "manager-disabled" : "manager-enabled");
  return one_event(enabled ? events::institution::kManagerEnabled : events::institution::kManagerDisabled,
                   {{"manager", manager}, {"by", command.actor.account}});
}

Decision enable_manager(const AggregateState& state, const Command& command) {
  return set_manager_enabled(state, command, true);
}
Decision disable_manager(const AggregateState& state, const Command& command) {
  return set_manager_enabled(state, command, false);
}

const DecideTable& table() {
  static const DecideTable t = {"institution",
                                "OnboardInstitution",
                                {{"OnboardInstitution", &onboard},
                                 {"UpdateInstitution", &update},
                                 {"SuspendInstitution", &suspend},
                                 {"ResumeInstitution", &resume},
                                 {"RemoveInstitution", &remove},
                                 {"AddManager", &add_manager},
                                 {"RemoveManager", &remove_manager},
                                 {"EnableManager", &enable_manager},
                                 {"DisableManager", &disable_manager}}};
  return t;
}

}  // namespace

template <>
const std::string& InstitutionAggregate::type() const {
  return table().type;
}

template <>
Result<std::vector<NewEvent>> InstitutionAggregate::decide(const AggregateState& state, const Command& command) const {
  return dispatch(table(), state, command);
}

template <>
Subject InstitutionAggregate::subject(const AggregateState& state, const Command& command) const {
  Subject s;
  s.institution = command.aggregate_id;
  s.region = events::string_or(state.exists() ? state.data : command.body, "region");
  return s;
}

template <>
void InstitutionAggregate::apply(AggregateState& state, const std::string& event_name, const json& data) const {
  auto& s = state.data;
  const std::string manager = events::string_or(data, "manager");
  if (event_name == events::institution::kInstitutionOnboarded) {
    s = data;
    s["status"] = "active";
    s["managers"] = json::object();
  } else if (event_name == events::institution::kInstitutionUpdated) {
    const json changes = member_or(data, "changes", json::object());
    if (changes.is_object())
      for (const auto& [field, change] : changes.items()) s[field] = member_or(change, "after", json(""));
  } else if (event_name == events::institution::kInstitutionSuspended) {
    s["status"] = "suspended";
  } else if (event_name == events::institution::kInstitutionResumed) {
    s["status"] = "active";
  } else if (event_name == events::institution::kInstitutionRemoved) {
    s["status"] = "removed";
  } else if (event_name == events::institution::kManagerAdded) {
    s["managers"][manager] = {{"enabled", true}};
  } else if (event_name == events::institution::kManagerRemoved) {
    s["managers"].erase(manager);
  } else if (event_name == events::institution::kManagerEnabled ||
             event_name == events::institution::kManagerDisabled) {
    s["managers"][manager]["enabled"] = event_name == events::institution::kManagerEnabled;
  }
}

}  // namespace xyd::domain

#include "aggregates/demand.h"

#include "aggregates/fields.h"
#include "aggregates/reference.h"
#include "events/json_input.h"
#include "events/schema/demand.h"

namespace xyd::domain {
namespace {

using nlohmann::json;

Status check_open(const AggregateState& state) {
  if (events::string_or(state.data, "status") == "closed")
    return refuse(Errc::refused, "the demand is closed: nothing happens after that", "status", "terminal-state");
  return Status();
}

// The demand counts in its enterprise's region (the context fact), never in one the body names:
// a body region, when sent, must be that one.
Decision publish(const AggregateState&, const Command& command) {
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string enterprise_id, required_string(body, "enterprise"));
  XYD_ASSIGN_OR_RETURN(int64_t amount, required_int(body, "amount", 1));
  XYD_ASSIGN_OR_RETURN(int64_t term, required_int(body, "term_months", 1, 600));
  XYD_ASSIGN_OR_RETURN(auto claimed_region, optional_string(body, "region"));
  XYD_ASSIGN_OR_RETURN(std::string product_type, required_string(body, "product_type"));
  if (!is_product_type(product_type))
    return refuse(Errc::invalid_argument, "'" + product_type + "' is not a product type", "product_type",
                  "product-type");
  XYD_ASSIGN_OR_RETURN(std::string purpose, required_string(body, "purpose"));
  XYD_ASSIGN_OR_RETURN(json enterprise, context_object(command.context, "enterprise"));
  XYD_ASSIGN_OR_RETURN(bool exists, optional_bool(enterprise, "exists", false));
  if (!exists)
    return refuse(Errc::refused, "enterprise " + enterprise_id + " does not exist", "enterprise", "enterprise-exists");
  const std::string owner = events::string_or(enterprise, "owner");
  if (!is_platform_role(command.actor.role) && owner != command.actor.account)
    return refuse(Errc::forbidden, "only the enterprise's owner publishes its demands", "enterprise",
                  "enterprise-owner");
  const std::string region = events::string_or(enterprise, "region");
  if (region.empty())
    return refuse(Errc::invalid_argument, "the server did not fill in context.enterprise.region",
                  "context.enterprise.region", "context-fact");
  if (claimed_region && *claimed_region != region)
    return refuse(
        Errc::invalid_argument,
        "a demand counts in its enterprise's region " + region + ", not " + *claimed_region + ": leave region out",
        "region", "enterprise-region");
  return one_event(events::demand::kDemandPublished, {{"enterprise", enterprise_id},
                                                      {"owner", owner},
                                                      {"amount", amount},
                                                      {"term_months", term},
                                                      {"region", region},
                                                      {"industry", events::string_or(enterprise, "industry")},
                                                      {"product_type", product_type},
                                                      {"purpose", purpose}});
}

Status check_unclaimed_or_same_institution(const AggregateState& state, const std::string& institution) {
  const std::string holder = events::string_or(state.data, "institution");
  if (!holder.empty() && holder != institution)
    return refuse(Errc::refused, "the demand is already taken by institution " + holder, "institution",
                  "claimed-by-other-institution");
  return Status();
}

Decision claim(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_open(state));
  if (events::string_or(state.data, "status") != "open")
    return refuse(Errc::refused, "only an open demand can be claimed", "status", "demand-open");
  if (command.actor.account.empty() || command.actor.institution.empty())
    return refuse(Errc::invalid_argument, "a claim needs a manager of an institution", "manager", "required");
  return one_event(events::demand::kDemandClaimed,
                   {{"manager", command.actor.account}, {"institution", command.actor.institution}});
}

Decision assign(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_open(state));
  XYD_ASSIGN_OR_RETURN(std::string manager, required_string(command.body, "manager"));
  std::string institution = command.actor.institution;
  if (is_platform_role(command.actor.role)) {
    XYD_ASSIGN_OR_RETURN(institution, required_string(command.body, "institution"));
  }
  XYD_RETURN_IF_ERROR(check_unclaimed_or_same_institution(state, institution));
  XYD_RETURN_IF_ERROR(check_enabled_manager(command.context, manager, "manager"));
  if (manager == events::string_or(state.data, "manager"))
    return refuse(Errc::refused, manager + " already holds the demand", "manager", "different-manager");
  return one_event(events::demand::kDemandAssigned,
                   {{"manager", manager}, {"by", command.actor.account}, {"institution", institution}});
}

Decision close(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_open(state));
  const auto& actor = command.actor;
  if (actor.role == "account_manager" && events::string_or(state.data, "manager") != actor.account)
    return refuse(Errc::forbidden, "only the demand's manager closes it", "manager", "assigned-manager");
  XYD_ASSIGN_OR_RETURN(std::string reason,
                       required_one_of(command.body, "reason", {"converted", "withdrawn", "expired"}, "close-reason"));
  XYD_ASSIGN_OR_RETURN(auto application, optional_string(command.body, "application"));
  if (reason == "converted" && !application)
    return refuse(Errc::invalid_argument, "a converted demand names its application", "application", "required");
  json data = {{"reason", reason}, {"by", actor.account}};
  if (application) data["application"] = *application;
  return one_event(events::demand::kDemandClosed, std::move(data));
}

const DecideTable& table() {
  static const DecideTable t = {
      "demand",
      "PublishDemand",
      {{"PublishDemand", &publish}, {"ClaimDemand", &claim}, {"AssignDemand", &assign}, {"CloseDemand", &close}}};
  return t;
}

}  // namespace

Status check_enabled_manager(const json& context, const std::string& manager, const std::string& field) {
  auto managers = context.find("managers");
  if (managers == context.end() || !managers->is_array())
    return refuse(Errc::invalid_argument, "the server did not fill in context.managers", "context.managers",
                  "context-fact");
  for (const auto& m : *managers) {
    auto enabled = optional_bool(m, "enabled", false);
    if (events::string_or(m, "account") == manager && enabled.ok() && *enabled) return Status();
  }
  return refuse(Errc::refused, manager + " is not an enabled manager of the institution", field, "manager-enabled");
}

template <>
const std::string& DemandAggregate::type() const {
  return table().type;
}

template <>
Result<std::vector<NewEvent>> DemandAggregate::decide(const AggregateState& state, const Command& command) const {
  return dispatch(table(), state, command);
}

template <>
Subject DemandAggregate::subject(const AggregateState& state, const Command& command) const {
  Subject s;
  if (state.exists()) {
    s.owner = events::string_or(state.data, "owner");
    s.region = events::string_or(state.data, "region");
    s.institution = events::string_or(state.data, "institution");
    s.manager = events::string_or(state.data, "manager");
  } else {
    auto enterprise = command.context.is_object() ? command.context.find("enterprise") : command.context.end();
    if (enterprise != command.context.end()) {
      s.owner = events::string_or(*enterprise, "owner");
      s.region = events::string_or(*enterprise, "region");
    }
  }
  return s;
}

template <>
void DemandAggregate::apply(AggregateState& state, const std::string& event_name, const json& data) const {
  auto& s = state.data;
  if (event_name == events::demand::kDemandPublished) {
    s = data;
    s["status"] = "open";
  } else if (event_name == events::demand::kDemandClaimed || event_name == events::demand::kDemandAssigned) {
    s["manager"] = events::string_or(data, "manager");
    s["institution"] = events::string_or(data, "institution");
    s["status"] = event_name == events::demand::kDemandClaimed ? "claimed" : "assigned";
  } else if (event_name == events::demand::kDemandClosed) {
    s["status"] = "closed";
    s["close_reason"] = events::string_or(data, "reason");
  }
}

}  // namespace xyd::domain

// Handling of an order by its institution: reassigning the manager, acceptance (受理), and the
// ends before disbursement (terminated by the institution, withdrawn by the enterprise); with
// the status and actor checks every application command shares. Pure.
#include <algorithm>

#include "aggregates/application.h"
#include "aggregates/application_internal.h"
#include "aggregates/demand.h"
#include "aggregates/fields.h"
#include "events/json_input.h"
#include "events/schema/application.h"

namespace xyd::domain::application {
namespace {

using nlohmann::json;

const std::vector<std::string> kBeforeDisbursement = {"submitted", "screened", "assigned", "accepted",
                                                      "credit_granted"};

}  // namespace

std::string status_of(const AggregateState& state) {
  return events::string_or(state.data, "status");
}

Status check_not_terminal(const AggregateState& state) {
  const std::string status = status_of(state);
  if (is_terminal_application_status(status))
    return refuse(Errc::refused, "the order is " + status + ": nothing happens after that", "status", "terminal-state");
  return Status();
}

Status check_status(const AggregateState& state, const std::vector<std::string>& allowed, const std::string& rule) {
  XYD_RETURN_IF_ERROR(check_not_terminal(state));
  const std::string status = status_of(state);
  if (std::find(allowed.begin(), allowed.end(), status) != allowed.end()) return Status();
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return refuse(Errc::refused, "the order is " + status + "; this needs it to be " + list, "status", rule);
}

Status check_acts_on_order(const AggregateState& state, const Command& command) {
  const auto& actor = command.actor;
  const std::string institution = events::string_or(state.data, "institution");
  if (is_platform_role(actor.role)) return Status();
  if (actor.role == "bank_connector" && actor.institution != institution)
    return refuse(Errc::forbidden, "a bank result for an order of another institution is refused", "institution",
                  "institution-matches");
  if (actor.role == "institution_admin" && actor.institution != institution)
    return refuse(Errc::forbidden, "an admin acts only on its institution's orders", "institution", "own-institution");
  if (actor.role == "account_manager" &&
      (actor.account != events::string_or(state.data, "manager") || actor.institution != institution))
    return refuse(Errc::forbidden, "only the assigned manager acts on this order", "manager", "assigned-manager");
  return Status();
}

Decision reassign_manager(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_not_terminal(state));
  XYD_RETURN_IF_ERROR(check_acts_on_order(state, command));
  if (status_of(state) == "submitted")
    return refuse(Errc::refused, "the order is not screened yet", "status", "screened-before-assignment");
  XYD_ASSIGN_OR_RETURN(std::string to, required_string(command.body, "to"));
  const std::string from = events::string_or(state.data, "manager");
  if (to == from) return refuse(Errc::refused, to + " already handles this order", "to", "different-manager");
  XYD_RETURN_IF_ERROR(check_enabled_manager(command.context, to, "to"));
  XYD_ASSIGN_OR_RETURN(auto reason, optional_string(command.body, "reason"));
  return one_event(events::application::kManagerReassigned,
                   {{"from", from}, {"to", to}, {"by", command.actor.account}, {"reason", reason.value_or("")}});
}

Decision accept(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_status(state, {"assigned"}, "accept-when-assigned"));
  XYD_RETURN_IF_ERROR(check_acts_on_order(state, command));
  XYD_ASSIGN_OR_RETURN(auto comment, optional_string(command.body, "comment"));
  XYD_ASSIGN_OR_RETURN(int64_t intended, required_int(command.body, "intended_amount", 1));
  const int64_t requested = events::int_or(state.data, "amount");
  if (intended > requested)
    return refuse(Errc::refused,
                  "the intended amount " + std::to_string(intended) + " exceeds the amount requested " +
                      std::to_string(requested),
                  "intended_amount", "intended-within-requested");
  return one_event(events::application::kApplicationAccepted, {{"manager", events::string_or(state.data, "manager")},
                                                               {"by", command.actor.account},
                                                               {"comment", comment.value_or("")},
                                                               {"intended_amount", intended}});
}

Decision terminate(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_status(state, kBeforeDisbursement, "before-disbursement"));
  XYD_RETURN_IF_ERROR(check_acts_on_order(state, command));
  XYD_ASSIGN_OR_RETURN(std::string reason, required_string(command.body, "reason"));
  return one_event(events::application::kApplicationTerminated, {{"reason", reason}, {"by", command.actor.account}});
}

Decision withdraw(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_status(state, kBeforeDisbursement, "before-disbursement"));
  if (command.actor.account != events::string_or(state.data, "owner"))
    return refuse(Errc::forbidden, "only the enterprise's owner withdraws its application", "owner",
                  "enterprise-owner");
  XYD_ASSIGN_OR_RETURN(auto reason, optional_string(command.body, "reason"));
  return one_event(events::application::kApplicationWithdrawn,
                   {{"by", command.actor.account}, {"reason", reason.value_or("")}});
}

}  // namespace xyd::domain::application

// Internal to the Application aggregate: its decide functions (one per command) and the checks
// they share. Pure.
#pragma once

#include "aggregates/decide_table.h"

namespace xyd::domain::application {

Decision submit(const AggregateState& state, const Command& command);
Decision reassign_manager(const AggregateState& state, const Command& command);
Decision accept(const AggregateState& state, const Command& command);
Decision terminate(const AggregateState& state, const Command& command);
Decision withdraw(const AggregateState& state, const Command& command);
Decision grant_credit(const AggregateState& state, const Command& command);
Decision decline_credit(const AggregateState& state, const Command& command);
Decision disburse_loan(const AggregateState& state, const Command& command);
Decision receive_repayment(const AggregateState& state, const Command& command);
Decision mark_overdue(const AggregateState& state, const Command& command);
Decision write_off_loan(const AggregateState& state, const Command& command);

std::string status_of(const AggregateState& state);
// Refused "terminal-state" once the order has ended.
[[nodiscard]] Status check_not_terminal(const AggregateState& state);
// Refused (rule) unless the order's status is one of `allowed`.
[[nodiscard]] Status check_status(const AggregateState& state, const std::vector<std::string>& allowed,
                                  const std::string& rule);
// "Only the assigned manager (or its institution's admin) acts on an order"; a bank connector
// only on its institution's orders (forbidden "assigned-manager", "own-institution",
// "institution-matches"); platform roles pass.
[[nodiscard]] Status check_acts_on_order(const AggregateState& state, const Command& command);

}  // namespace xyd::domain::application

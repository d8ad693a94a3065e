// The events of the Application (申请/订单) aggregate (shared/DOMAIN.md): their names, and each one's
// data fields with their kinds, required or optional. The catalog (events/catalog.h) is made from
// these declarations, and deciders and projections name events by these constants. Pure; any thread.
#pragma once

#include "events/schema/field.h"

namespace xyd::events::application {

inline constexpr char kApplicationSubmitted[] = "ApplicationSubmitted";
inline constexpr char kRiskScreened[] = "RiskScreened";
inline constexpr char kManagerAssigned[] = "ManagerAssigned";
inline constexpr char kManagerReassigned[] = "ManagerReassigned";
inline constexpr char kApplicationAccepted[] = "ApplicationAccepted";
inline constexpr char kApplicationTerminated[] = "ApplicationTerminated";
inline constexpr char kApplicationWithdrawn[] = "ApplicationWithdrawn";
inline constexpr char kCreditGranted[] = "CreditGranted";
inline constexpr char kCreditDeclined[] = "CreditDeclined";
inline constexpr char kLoanDisbursed[] = "LoanDisbursed";
inline constexpr char kRepaymentReceived[] = "RepaymentReceived";
inline constexpr char kLoanOverdue[] = "LoanOverdue";
inline constexpr char kLoanWrittenOff[] = "LoanWrittenOff";
inline constexpr char kLoanSettled[] = "LoanSettled";

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::application

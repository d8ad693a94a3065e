#include "events/schema/application.h"

namespace xyd::events::application {

const AggregateEvents& schema() {
  static const AggregateEvents declared{
      "application",
      {event_spec<ApplicationSubmitted>(), event_spec<RiskScreened>(), event_spec<ManagerAssigned>(),
       event_spec<ManagerReassigned>(), event_spec<ApplicationAccepted>(), event_spec<ApplicationTerminated>(),
       event_spec<ApplicationWithdrawn>(), event_spec<CreditGranted>(), event_spec<CreditDeclined>(),
       event_spec<LoanDisbursed>(), event_spec<RepaymentReceived>(), event_spec<LoanOverdue>(),
       event_spec<LoanWrittenOff>(), event_spec<LoanSettled>()}};
  return declared;
}

}  // namespace xyd::events::application

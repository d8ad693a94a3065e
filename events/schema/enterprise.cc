#include "events/schema/enterprise.h"

namespace xyd::events::enterprise {

const AggregateEvents& schema() {
  static const AggregateEvents declared{
      "enterprise",
      {event_spec<EnterpriseRegistered>(), event_spec<CertificationSubmitted>(),
       event_spec<CertificationRuleEvaluated>(), event_spec<EnterpriseCertified>(), event_spec<CertificationRejected>(),
       event_spec<EnterpriseProfileChanged>(), event_spec<EnterpriseWhitelisted>(), event_spec<EnterpriseDelisted>(),
       event_spec<RiskSignalRecorded>(), event_spec<EnterpriseFollowed>(), event_spec<EnterpriseUnfollowed>(),
       event_spec<CreditScoreAssessed>()}};
  return declared;
}

}  // namespace xyd::events::enterprise

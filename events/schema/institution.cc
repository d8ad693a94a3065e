#include "events/schema/institution.h"

namespace xyd::events::institution {

const AggregateEvents& schema() {
  static const AggregateEvents declared{
      "institution",
      {event_spec<InstitutionOnboarded>(), event_spec<InstitutionUpdated>(), event_spec<InstitutionSuspended>(),
       event_spec<InstitutionResumed>(), event_spec<InstitutionRemoved>(), event_spec<ManagerAdded>(),
       event_spec<ManagerRemoved>(), event_spec<ManagerEnabled>(), event_spec<ManagerDisabled>()}};
  return declared;
}

}  // namespace xyd::events::institution

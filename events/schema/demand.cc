#include "events/schema/demand.h"

namespace xyd::events::demand {

const AggregateEvents& schema() {
  static const AggregateEvents declared{"demand",
                                        {event_spec<DemandPublished>(), event_spec<DemandClaimed>(),
                                         event_spec<DemandAssigned>(), event_spec<DemandClosed>()}};
  return declared;
}

}  // namespace xyd::events::demand

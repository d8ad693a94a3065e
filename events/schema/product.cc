#include "events/schema/product.h"

namespace xyd::events::product {

const AggregateEvents& schema() {
  static const AggregateEvents declared{
      "product",
      {event_spec<ProductPublished>(), event_spec<ProductUpdated>(), event_spec<ProductDisabled>(),
       event_spec<ProductEnabled>(), event_spec<ProductWithdrawn>()}};
  return declared;
}

}  // namespace xyd::events::product

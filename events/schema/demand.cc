#include "events/schema/demand.h"

namespace xyd::events::demand {
using enum FieldKind;

const AggregateEvents& schema() {
  static const AggregateEvents declared{
      "demand",
      {
          {kDemandPublished,
           {{"enterprise", text},
            {"amount", fen},
            {"term_months", count},
            {"region", text},
            {"product_type", text},
            {"purpose", text},
            optional("owner", text),
            optional("industry", text)}},
          {kDemandClaimed, {{"manager", text}, optional("institution", text)}},
          {kDemandAssigned, {{"manager", text}, {"by", text}, optional("institution", text)}},
          {kDemandClosed, {{"reason", text}, optional("by", text), optional("application", text)}},
      }};
  return declared;
}

}  // namespace xyd::events::demand

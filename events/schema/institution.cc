#include "events/schema/institution.h"

namespace xyd::events::institution {
using enum FieldKind;

const AggregateEvents& schema() {
  static const AggregateEvents declared{
      "institution",
      {
          {kInstitutionOnboarded,
           {{"type", text}, {"full_name", text}, {"short_name", text}, {"region", text}, optional("parent", text)}},
          {kInstitutionUpdated, {{"changes", object}, optional("by", text)}},
          {kInstitutionSuspended, {{"reason", text}, optional("by", text)}},
          {kInstitutionResumed, {optional("by", text)}},
          {kInstitutionRemoved, {optional("by", text)}},
          {kManagerAdded, {{"manager", text}, optional("by", text)}},
          {kManagerRemoved, {{"manager", text}, optional("by", text)}},
          {kManagerEnabled, {{"manager", text}, optional("by", text)}},
          {kManagerDisabled, {{"manager", text}, optional("by", text)}},
      }};
  return declared;
}

}  // namespace xyd::events::institution

// The events of the Institution (金融机构) aggregate (shared/DOMAIN.md): their names, and each one's
// data fields with their kinds, required or optional. The catalog (events/catalog.h) is made from
// these declarations, and deciders and projections name events by these constants. Pure; any thread.
#pragma once

#include "events/schema/field.h"

namespace xyd::events::institution {

inline constexpr char kInstitutionOnboarded[] = "InstitutionOnboarded";
inline constexpr char kInstitutionUpdated[] = "InstitutionUpdated";
inline constexpr char kInstitutionSuspended[] = "InstitutionSuspended";
inline constexpr char kInstitutionResumed[] = "InstitutionResumed";
inline constexpr char kInstitutionRemoved[] = "InstitutionRemoved";
inline constexpr char kManagerAdded[] = "ManagerAdded";
inline constexpr char kManagerRemoved[] = "ManagerRemoved";
inline constexpr char kManagerEnabled[] = "ManagerEnabled";
inline constexpr char kManagerDisabled[] = "ManagerDisabled";

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::institution

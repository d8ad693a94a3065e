// Reference data tables (internal to reference.cc): the generated GB/T 2260 region rows.
// Immutable; any thread.
#pragma once

#include <cstddef>

namespace xyd::domain::reference_data {

struct RegionRow {
  const char* code;  // six digits
  const char* name;  // Chinese name
};

extern const char* const kRegionSource;
extern const RegionRow kRegions[];  // sorted by code
extern const size_t kRegionCount;

}  // namespace xyd::domain::reference_data

// The names of the views xyd runs: each names its REST resource, its CLI argument and its rows in
// the projection store. Every reader and every spec names a view by one of these constants.
#pragma once

namespace xyd::projections::view {

inline constexpr char kAudit[] = "audit";
inline constexpr char kState[] = "state";
inline constexpr char kDashboard[] = "dashboard";
inline constexpr char kStatistics[] = "statistics";
inline constexpr char kRisk[] = "risk";
inline constexpr char kDelinquency[] = "delinquency";

}  // namespace xyd::projections::view

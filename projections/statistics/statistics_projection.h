// The institution statistics projection (机构统计): per financial institution and period, the
// figures the institution rankings and the statistics table show (shared/DOMAIN.md "Rankings"):
// products published, orders accepted (count, intended amount), credit granted, loans disbursed
// (each drawdown), and the stock figures orders docking (accepted, not yet disbursed or ended) and
// active products (enabled, institution active), as their changes per year, month and day, so
// that a past period reads them at its end. Called by its version's applying thread only; the
// query by any reader.
//
// Rows (parts written with append_part, so keys sort by their plain bytes):
//   c <period> <institution> <figure>   flow figures, "<count> <amount>" (erased at 0 0); period
//                                       "all", "YYYY", "YYYY-MM"
//   s <grain> <period> <institution> <figure>  a stock figure's change in a year (grain Y), month
//                                       (M) or day (D), summed by dashboard::sum_stock_changes
//   i <institution>                     {name, short_name, type, region (now), removed, regions:
//                                        [[date, region], ...] from onboarding and each move}
//   a <application>                     {institution, intended, accepted, accepted_on, docking_ended,
//                                        first_disbursed_at}
//   p <product>                         {institution, enabled, timeline, active: {date: change}}
//   n <institution>                     {active, timeline, products}: a product is active while enabled
//                                        and its institution active, walking both timelines
// Dates follow the dashboard (DOMAIN.md "Which date and which place"): credit under granted_at,
// loans under disbursed_at, publications and acceptances under the event's time as a CST date.
// An order counts under the institution named in its submission.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "projections/projection.h"

namespace xyd::projections::statistics {

ProjectionSpec statistics_spec();

// Figure names (the <figure> part of counter rows).
namespace figure {
inline constexpr std::string_view products = "products";                // published in the period
inline constexpr std::string_view products_active = "products_active";  // enabled, institution active (stock)
inline constexpr std::string_view accepted = "accepted";                // accepted, intended amount
inline constexpr std::string_view credit = "credit";                    // credits granted
inline constexpr std::string_view loans = "loans";                      // drawdowns disbursed
inline constexpr std::string_view docking = "docking";                  // accepted, not ended (stock)
}  // namespace figure

std::string counter_prefix(std::string_view period);
std::string counter_key(std::string_view period, std::string_view institution, std::string_view figure);
std::string stock_prefix(char grain);
std::string stock_key(std::string_view period, std::string_view institution, std::string_view figure);
std::string row_key(char kind, std::string_view id);

}  // namespace xyd::projections::statistics

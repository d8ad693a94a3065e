// The row keys of the dashboard view and the calendar and place arithmetic they rest on: the
// scopes an event's region counts under (country, province, city), the periods a date counts
// under (all, year, month, day), the China Standard Time date of an RFC 3339 instant, and the
// figure names. Shared by the dashboard projection and its query; pure functions, any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "projections/projection.h"

namespace xyd::projections::dashboard {

// Row tags (the first byte of every key of the view).
inline constexpr char kCounterRow = 'c';   // c <scope> <period> <figure> <dim>  -> "<count> <amount>"
inline constexpr char kTrendRow = 't';     // t <scope> <figure> <period>        -> "<count> <amount>"
inline constexpr char kDynamicsRow = 'd';  // d <scope> <inverted date> <application> <loan> -> JSON
inline constexpr char kStateRow = 's';     // s <kind> <id>                      -> JSON
inline constexpr char kStockRow = 'k';     // k <scope> <grain> <period> <figure> <dim> -> change in the period
inline constexpr char kCohortRow = 'o';    // o <scope> <acceptance period> <first drawdown date> -> "<orders> 0"

inline constexpr std::string_view kCountry = "CN";  // the scope of the whole country
inline constexpr std::string_view kAllTime = "all";

// Figure names (the <figure> part of counter and trend rows).
namespace figure {
inline constexpr std::string_view demand = "demand";              // applications + unconverted demands
inline constexpr std::string_view accepted = "accepted";          // orders accepted, intended amount
inline constexpr std::string_view credit = "credit";              // credits granted
inline constexpr std::string_view loan = "loan";                  // drawdowns disbursed
inline constexpr std::string_view bad_debt = "bad_debt";          // loans written off
inline constexpr std::string_view enterprises = "enterprises";    // registered
inline constexpr std::string_view certified = "certified";        // enterprises certified
inline constexpr std::string_view accounts = "accounts";          // registered accounts (dim kind/<kind>)
inline constexpr std::string_view products = "products";          // products published
inline constexpr std::string_view institutions = "institutions";  // institutions onboarded
// Stock figures (k rows, as changes per day, month and year; enterprises, certified and accounts
// are also stock figures there, under the subject's region at the time):
inline constexpr std::string_view docking = "docking";                          // accepted, not disbursed or ended
inline constexpr std::string_view products_active = "products_active";          // enabled, institution active
inline constexpr std::string_view institutions_active = "institutions_active";  // onboarded, not removed
}  // namespace figure

// Dimension prefixes of the <dim> part ("" is the figure's total).
inline constexpr std::string_view kDimRegion = "region/";      // the child region of the scope
inline constexpr std::string_view kDimIndustry = "industry/";  // GB/T 4754 section
inline constexpr std::string_view kDimInstitutionType = "itype/";
inline constexpr std::string_view kDimProductType = "ptype/";
inline constexpr std::string_view kDimAccountKind = "kind/";
inline constexpr std::string_view kNoInstitutionType = "none";  // published demands have no institution

// One scope a region counts under, and the region that stands for it in the scope's region
// distribution (the child: a province in the country, a city in a province, a county in a city).
struct ScopeOf {
  std::string scope;
  std::string child;
};
// The country, the province and (for codes below a province) the city of a six-digit region
// code, by GB/T 2260 prefix arithmetic; just the country for an empty or malformed code.
std::vector<ScopeOf> scopes_of(std::string_view region);

// "2024-05-03" -> {"all", "2024", "2024-05", "2024-05-03"} (with_day false: without the day).
// A malformed date counts under "all" only.
std::vector<std::string> periods_of(std::string_view date, bool with_day);
// Whether `date` is a well-formed "YYYY-MM-DD" of a real day.
bool is_date(std::string_view date);
// The China Standard Time (UTC+8) date of an RFC 3339 instant ("2024-12-31T16:30:00Z" ->
// "2025-01-01"); nullopt when it does not parse.
std::optional<std::string> cst_date(std::string_view rfc3339);
// The China Standard Time wall clock of an RFC 3339 instant, "YYYY-MM-DDTHH:MM:SS[.frac]", which
// sorts as the instants do; its first ten bytes are cst_date. nullopt when it does not parse.
std::optional<std::string> cst_instant(std::string_view rfc3339);
// The last day of a "YYYY" or "YYYY-MM" period ("2024-02" -> "2024-02-29").
std::string period_end(std::string_view period);
// Today in China Standard Time.
std::string cst_today();
// `date` plus `days` (negative: earlier), "YYYY-MM-DD".
std::string add_days(std::string_view date, int days);

std::string counter_prefix(std::string_view scope, std::string_view period);
std::string counter_key(std::string_view scope, std::string_view period, std::string_view figure, std::string_view dim);
std::string trend_prefix(std::string_view scope);
std::string trend_key(std::string_view scope, std::string_view figure, std::string_view period);
std::string dynamics_prefix(std::string_view scope);
// Newest first: the date's digits complemented ('9' - d), eight bytes.
std::string inverted_date(std::string_view date);
std::string dynamics_key(std::string_view scope, std::string_view date, std::string_view application,
                         std::string_view loan_number);
std::string state_key(std::string_view kind, std::string_view id);
// A stock figure's change during one period: grain 'Y' (YYYY), 'M' (YYYY-MM) or 'D' (YYYY-MM-DD),
// taken from the period's length; the value at a date is the sum of the years before it, the
// months of its year before it and the days of its month up to it.
std::string stock_prefix(std::string_view scope, char grain);
std::string stock_key(std::string_view scope, std::string_view period, std::string_view figure, std::string_view dim);
// Orders accepted in `period` whose first drawdown is dated `first_drawdown` (the cohort success rate).
std::string cohort_prefix(std::string_view scope, std::string_view period);
std::string cohort_key(std::string_view scope, std::string_view period, std::string_view first_drawdown);

// A counter value: "<count> <amount>".
struct Counter {
  int64_t count = 0;
  int64_t amount = 0;
};
Counter parse_counter(std::string_view value);
// a + b, refused (corrupt, naming the key) when a count or an amount would overflow int64.
Result<Counter> add_counters(const Counter& a, const Counter& b, std::string_view key);
std::string format_counter(const Counter& c);

// Stock figures kept as their changes per year, month and day (the dashboard's k rows, the
// statistics' s rows). The value at the end of `date` sums the changes of the years before it, of
// the months of its year before it and of the days of its month up to it. `prefix(grain)` is the
// key prefix of one grain ('Y', 'M' or 'D', stock_grain), each key going on with the period part;
// `add` gets the rest of each summed key and its change. Any thread.
[[nodiscard]] Status sum_stock_changes(const ViewReader& view, const std::function<std::string(char grain)>& prefix,
                                       const std::string& date,
                                       const std::function<void(std::string_view rest, const Counter& change)>& add);
// The grain of a stock period by its length: 'Y' (YYYY), 'M' (YYYY-MM) or 'D' (YYYY-MM-DD).
char stock_grain(std::string_view period);

// When an accepted order stops docking, for an order row {accepted, accepted_on, docking_ended}
// and the date of what ends it: never before the acceptance (a drawdown reported with an earlier
// business date ends it on the day it began), and a drawdown dated before an earlier end moves
// the end. nullopt when nothing changes; else the end to record (docking_ended) and the earlier
// end to take back ("" when none): the stock falls on `end` and, when moved, rises again on `undo`.
struct DockingEnd {
  std::string end;
  std::string undo;
};
std::optional<DockingEnd> docking_end(const nlohmann::json& order, const std::string& date);

// A state row's timeline: its "timeline" member, entries [instant, ...state] appended in the
// aggregate's order (an empty array when absent or of another type).
nlohmann::json timeline_of(const nlohmann::json& row);
// Walks two timelines of entries [instant, ...] (JSON arrays, each in its own aggregate's order)
// in instant order, `first`'s entry before `second`'s at the same instant, and calls
// step(first_state, second_state, instant) after each entry with the latest entry of each so far
// (null before its first). The product counts walk an institution's and a product's timelines,
// which come on different topics in any interleaving. Any thread.
void walk_timelines(const nlohmann::json& first, const nlohmann::json& second,
                    const std::function<void(const nlohmann::json* first_state, const nlohmann::json* second_state,
                                             const std::string& instant)>& step);

// Shared by the counter projections (dashboard, statistics), on the applying thread:
// a member of an event's data, 0 / "" when absent or of another type;
int64_t int_at(const nlohmann::json& object, const char* field);
std::string text_at(const nlohmann::json& object, const char* field);
// false when absent or of another type;
bool flag_at(const nlohmann::json& object, const char* field);
// adds `delta` to the counter row at `key` through the batch, erasing it when it falls to 0 0;
[[nodiscard]] Status bump_counter(ViewWriter& view, const std::string& key, Counter delta);
// a JSON object row (null when absent); corrupt, naming `what`, when it does not decode.
Result<nlohmann::json> json_row(ViewWriter& view, const std::string& key, const std::string& what);

// An event the projection reads: its catalog name and envelope, upcast to the current schema.
struct RelevantEvent {
  std::string name;  // "LoanDisbursed"
  events::Envelope envelope;
};
// nullopt for a record that does not decode (the audit view shows it) or whose name is not in `names`.
Result<std::optional<RelevantEvent>> relevant_event(const EventContext& context, const std::set<std::string>& names);

}  // namespace xyd::projections::dashboard

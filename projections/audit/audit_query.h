// Queries of the audit view: the history of one aggregate, the events of one actor, or all events
// in a time range, a page at a time (a cursor names where the next page starts). Each item
// carries the actor, time, type, data, the changes (before/after) where the event carries them,
// its position in the log and its chain status. Pure functions over a ViewReader.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "projections/audit/audit_rows.h"
#include "projections/projection.h"

namespace xyd::projections::audit {

inline constexpr size_t kDefaultPageSize = 50;
inline constexpr size_t kMaxPageSize = 500;

struct AuditQuery {
  std::string aggregate_type;  // with aggregate_id: one aggregate's history
  std::string aggregate_id;
  std::string actor;  // an account: what it did
  std::string from;   // time range [from, to), RFC 3339 or a date (see normalize_time)
  std::string to;
  size_t limit = kDefaultPageSize;  // 1..kMaxPageSize
  std::string cursor;               // next_cursor of the previous page
  std::set<std::string> names;      // only events of these names ("LoggedIn"); empty: all
};

struct AuditPage {
  nlohmann::json items = nlohmann::json::array();
  std::string next_cursor;  // empty on the last page
};

// Invalid bounds, limits or cursors are invalid_argument errors naming the parameter.
Result<AuditPage> query_audit(const ViewReader& view, const AuditQuery& query);

// The JSON item of one event row.
nlohmann::json audit_item(const AuditRow& row);

}  // namespace xyd::projections::audit

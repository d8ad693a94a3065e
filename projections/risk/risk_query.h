// Reads of the risk view (risk_projection.h): the feed after a sequence, filtered to what one
// caller may see; an enterprise's current warnings (the risk marker on its orders). Who sees what:
// the enterprises an account follows (warnings and changes) for everyone; beyond that, by the
// caller's scope of "risk_feed.read" (aggregates/access.cc): own (the owner's enterprises and
// orders), institution (warnings on its orders, and warnings of enterprises with orders there),
// assigned (warnings on orders assigned to the manager), region (warnings in the region), all.
// Changes go to followers, owners and the all scope only. Pure functions of a ViewReader.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "aggregates/access.h"
#include "events/envelope.h"
#include "projections/projection.h"

namespace xyd::projections::risk {

// Who reads, with what it follows: built per request (or per SSE wake). Plain value.
struct Viewer {
  events::Actor actor;
  domain::Scope scope = domain::Scope::none;
  std::set<std::string> followed;  // enterprise ids
};
Result<Viewer> viewer_for(const ViewReader& view, const events::Actor& actor, domain::Scope scope);

// Whether `viewer` may see the feed entry.
Result<bool> visible(const ViewReader& view, const Viewer& viewer, const nlohmann::json& entry);

// Optional narrowing of a page (?enterprise= &kind= &severity=).
struct FeedFilter {
  std::string enterprise;
  std::string kind;
  std::string severity;
};

// One page of the feed (plain value).
struct FeedPage {
  nlohmann::json items = nlohmann::json::array();  // entries in sequence order
  uint64_t scanned_to = 0;                         // the last sequence looked at (visible or not): resume after it
  bool more = false;                               // stopped at `limit` items or `max_scan` entries
};

// Entries with a sequence > `after` that the viewer may see (null viewer: all), at most `limit`,
// looking at no more than `max_scan` entries.
Result<FeedPage> feed_after(const ViewReader& view, uint64_t after, size_t limit, const Viewer* viewer,
                            const FeedFilter& filter = {}, size_t max_scan = 100000);

// The enterprise's current warnings (the risk marker), most severe first; with a viewer, only those
// it may see (an institution does not see the warnings on another institution's orders).
Result<nlohmann::json> current_warnings(const ViewReader& view, const std::string& enterprise,
                                        const Viewer* viewer = nullptr);

}  // namespace xyd::projections::risk

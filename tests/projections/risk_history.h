// The risk unit test's synthetic history and the independent fold it is checked against: seeded
// enterprises and orders with risk signals, profile changes, follows, delisting, overdue, settled
// and written-off loans; the events sealed as the write side stores them, another interleaving of
// them, and a plain fold written from the rule file (no code shared with the projection). Test
// thread only.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "events/event_log.h"

namespace xyd::test::risk {

using nlohmann::json;

// One event of the history (plain value).
struct Ev {
  std::string type, id, name;
  json data;
  std::string time;
  std::string actor;
};

// A sealed event with its aggregate id (plain value).
struct Sealed {
  std::string aggregate;
  log::Record record;
};

// What the fold expects (plain value).
struct Expected {
  std::map<std::string, json> entries;                        // "<aggregate>|<version>|<rule>" -> facts
  std::map<std::string, std::set<std::string>> markers;       // enterprise -> "rule|subject"
  std::map<std::string, std::set<std::string>> followers;     // account -> enterprises
  std::map<std::string, std::set<std::string>> institutions;  // enterprise -> institutions with orders
  std::map<std::string, json> orders;     // app -> {enterprise, institution, region, manager, owner}
  std::map<std::string, json> companies;  // ent -> {region, owner}
};

// Events in a global order (each aggregate's in its own order).
std::vector<Ev> history(uint32_t seed);
// The events sealed as the write side stores them (ids, versions, chained hashes), in order.
std::vector<Sealed> seal(const std::vector<Ev>& events);
// Another order of the same records: a random merge that keeps each aggregate's order.
std::vector<Sealed> interleave(const std::vector<Sealed>& records, uint32_t seed);
// The fold over the rules document (ops/rules/risk-warning.json's shape).
Expected fold(const std::vector<Ev>& events, const json& rules);

}  // namespace xyd::test::risk

// Helpers of the financing-lifecycle aggregate tests: building commands and actors, and taking
// pure decide -> apply steps in which every event is checked against the event catalog (its
// required fields) and the canonical encoding (no floating-point numbers).
#pragma once

#include <boost/test/unit_test.hpp>
#include <string>

#include "aggregates/aggregate.h"
#include "events/catalog.h"

namespace xyd::domain::testing {

inline events::Actor actor(std::string account, std::string role, std::string institution = "",
                           std::string region = "") {
  return {std::move(account), std::move(role), std::move(institution), std::move(region)};
}

inline Command command(const Aggregate& aggregate, std::string id, std::string name, nlohmann::json body,
                       events::Actor who, nlohmann::json context = nlohmann::json::object()) {
  Command c;
  c.id = "cmd-" + name + "-" + id;
  c.name = std::move(name);
  c.aggregate_type = aggregate.type();
  c.aggregate_id = std::move(id);
  c.actor = std::move(who);
  c.body = std::move(body);
  c.context = std::move(context);
  return c;
}

// Checks an event as the write side would: declared for this aggregate, its data exactly as the
// catalog declares it (every required field, no undeclared one, each of its kind), no floats.
inline void check_event(const Aggregate& aggregate, const NewEvent& event) {
  const auto* type = events::EventCatalog::standard().by_name(event.name);
  BOOST_REQUIRE_MESSAGE(type, event.name << " is not in the catalog");
  events::Envelope e;
  e.id = "0";
  e.type = type->type();
  e.aggregate_type = aggregate.type();
  e.aggregate_id = "x";
  e.version = 1;
  e.schema_version = type->version;
  e.data = event.data;
  auto valid = events::EventCatalog::standard().check_new(e);
  BOOST_CHECK_MESSAGE(valid.ok(), event.name << ": " << valid.error().to_string());
  BOOST_CHECK_MESSAGE(events::canonical_encoding(e).ok(), event.name << " does not encode canonically");
}

// decide_checked (access first), then apply every event; the events are returned.
inline std::vector<NewEvent> step(const Aggregate& aggregate, AggregateState& state, const Command& c) {
  auto decided = decide_checked(aggregate, state, c);
  BOOST_REQUIRE_MESSAGE(decided.ok(), c.name << " refused: " << decided.error().to_string());
  for (const auto& event : *decided) {
    check_event(aggregate, event);
    aggregate.apply(state, event.name, event.data);
    ++state.version;
  }
  return *decided;
}

// The names of the events, in order.
inline std::vector<std::string> names(const std::vector<NewEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.name);
  return out;
}

// A refusal with this code and rule: nothing is emitted (and the state is not touched).
inline void check_refused(const Aggregate& aggregate, const AggregateState& state, const Command& c, Errc code,
                          const std::string& rule) {
  auto decided = decide_checked(aggregate, state, c);
  BOOST_REQUIRE_MESSAGE(!decided.ok(), c.name << " should be refused with " << rule);
  BOOST_CHECK_MESSAGE(decided.error().code == code, c.name << ": code of " << decided.error().to_string());
  BOOST_CHECK_EQUAL(decided.error().rule, rule);
  BOOST_CHECK(!decided.error().field.empty());
}

}  // namespace xyd::domain::testing

// Command decode plus decide, for every aggregate: the input is a command as xyd.commands holds
// it (JSON). It is decoded (domain::command_from_json) and decided (decide_checked) as a command
// of each aggregate type, against the empty state and against a state built from real events of
// that type (states.json: the longest history of each type in a demo, tests/fuzz/make_seeds.sh). A decision refuses
// with a field and a rule or yields events the catalog knows, with their required fields, that encode canonically and
// apply. Each input is also swept: every member of its body and context (and of their objects, one level down) replaced
// in turn by a value of every JSON type and by extreme numbers, so the seeds alone reach every field's wrong types.
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "aggregates/aggregate.h"
#include "events/catalog.h"
#include "events/json_input.h"
#include "tests/fuzz/fuzz_check.h"

using namespace xyd;
using nlohmann::json;

namespace {

// Per aggregate type, the state its events in states.json build.
std::map<std::string, domain::AggregateState>& built_states() {
  static std::map<std::string, domain::AggregateState> states;
  return states;
}

void check_decision(const domain::Aggregate& aggregate, const domain::AggregateState& state,
                    const domain::Command& command) {
  auto decided = domain::decide_checked(aggregate, state, command);
  if (!decided.ok()) {
    FUZZ_CHECK(!decided.error().field.empty(), "a refusal names no field");
    return;
  }
  domain::AggregateState after = state;
  for (const auto& event : *decided) {
    const auto* type = events::EventCatalog::standard().by_name(event.name);
    FUZZ_CHECK(type != nullptr, "a decision yields an event the catalog does not know");
    events::Envelope envelope;
    envelope.id = "0";
    envelope.type = type->type();
    envelope.aggregate_type = aggregate.type();
    envelope.aggregate_id = command.aggregate_id;
    envelope.version = after.version + 1;
    envelope.schema_version = type->version;
    envelope.data = event.data;
    FUZZ_CHECK(events::EventCatalog::standard().check_new(envelope).ok(),
               "an event's data is not as its schema declares (a required field missing, an undeclared one, a "
               "field of another kind)");
    FUZZ_CHECK(events::canonical_encoding(envelope).ok(), "an event does not encode canonically (a float?)");
    aggregate.apply(after, event.name, event.data);
    ++after.version;
  }
}

// Every JSON type, extreme and overflowing numbers, a long string.
const std::vector<json>& swaps() {
  static const std::vector<json> values = {json(),          json(true),
                                           json(5),         json(-1),
                                           json(1.5),       json(INT64_MAX),
                                           json(INT64_MIN), json(UINT64_MAX),
                                           json(1e300),     json(""),
                                           json("x"),       json(std::string(70000, 'x')),
                                           json::array(),   json::array({1, "a"}),
                                           json::object(),  json::object({{"a", json::array()}})};
  return values;
}

// With XYD_FUZZ_SURVEY set (running the seeds by hand), an exception out of a decision is
// printed, once per command, member and value type, instead of stopping the run: the list of
// every field a decision does not read with a checked helper.
const bool kSurvey = std::getenv("XYD_FUZZ_SURVEY") != nullptr;

void check_everywhere(const domain::Command& command, const std::string& changed = "") {
  for (const auto& [type, state] : built_states()) {
    const domain::Aggregate* aggregate = domain::aggregate_for(type);
    domain::Command as_type = command;
    as_type.aggregate_type = type;
    if (!kSurvey) {
      check_decision(*aggregate, domain::AggregateState(), as_type);
      check_decision(*aggregate, state, as_type);
      continue;
    }
    static const domain::AggregateState empty;
    for (const auto* against : {&state, &empty}) {
      try {
        check_decision(*aggregate, *against, as_type);
      } catch (const std::exception& e) {
        static std::set<std::string> seen;
        const std::string line = type + " " + command.name + " " + changed + ": " + e.what();
        if (seen.insert(line).second) std::cerr << "survey: " << line << std::endl;
      }
    }
  }
}

// The command with each member of `part` (its body or context), then each member of those that
// are objects, replaced by every swap value.
void sweep(const domain::Command& command, json domain::Command::*part) {
  const json& object = command.*part;
  if (!object.is_object() || object.size() > 16) return;
  for (const auto& [key, value] : object.items()) {
    for (const auto& swap : swaps()) {
      domain::Command changed = command;
      (changed.*part)[key] = swap;
      check_everywhere(changed, key + "=" + swap.type_name());
    }
    if (!value.is_object() || value.size() > 16) continue;
    for (const auto& [inner, ignored] : value.items()) {
      for (const auto& swap : swaps()) {
        domain::Command changed = command;
        (changed.*part)[key][inner] = swap;
        check_everywhere(changed, key + "." + inner + "=" + swap.type_name());
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::ifstream file(XYD_FUZZ_STATES);
  const json histories = json::parse(file, nullptr, false);
  if (!histories.is_object()) {
    std::cerr << "command_fuzz: cannot read " << XYD_FUZZ_STATES << std::endl;
    std::abort();
  }
  for (const auto& type : events::aggregate_types()) {
    const domain::Aggregate* aggregate = domain::aggregate_for(type);
    FUZZ_CHECK(aggregate != nullptr && histories.contains(type), "states.json lacks an aggregate type");
    domain::AggregateState state;
    for (const auto& event : histories[type]) {
      const auto* known = events::EventCatalog::standard().by_type(event["type"].get<std::string>());
      FUZZ_CHECK(known != nullptr, "states.json holds an event type the catalog does not know");
      aggregate->apply(state, known->name, event["data"]);
      ++state.version;
    }
    built_states()[type] = state;
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = events::parse_json(fuzz::bytes_of(data, size), events::kRecordLimits, "command");
  if (!parsed.ok()) return 0;
  auto command = domain::command_from_json(*parsed);
  if (!command.ok()) return 0;
  check_everywhere(*command);
  sweep(*command, &domain::Command::body);
  sweep(*command, &domain::Command::context);
  return 0;
}

// EventCatalog: every event type of the domain (shared/DOMAIN.md) with its aggregate, its
// CloudEvents type name, its current schema version and the data fields it requires, plus the
// upcasters that bring older schema versions up to date on read (stored events are never
// rewritten). The standard catalog is built once and read-only; a copy may add upcasters.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "events/envelope.h"
#include "events/event_log.h"

namespace xyd::events {

// The aggregates of the domain; each has its own topic, xyd.events.<aggregate>.
inline const std::vector<std::string>& aggregate_types() {
  static const std::vector<std::string> types = {"account", "enterprise", "institution",
                                                 "product", "demand",     "application"};
  return types;
}
inline std::string topic_for(const std::string& aggregate_type) {
  return "xyd.events." + aggregate_type;
}
// Every topic xyd uses: one per aggregate, commands, outcomes and the dead-letter topic.
inline std::vector<log::TopicSpec> standard_topics(int32_t partitions) {
  std::vector<log::TopicSpec> topics;
  for (const auto& aggregate : aggregate_types()) topics.push_back({topic_for(aggregate), partitions});
  for (const char* name : {"xyd.commands", "xyd.outcomes", "xyd.dlq"}) topics.push_back({name, partitions});
  return topics;
}

struct EventType {
  std::string aggregate;              // "application"
  std::string name;                   // "LoanDisbursed"
  std::string base;                   // "xyd.application.loan_disbursed"
  int32_t version = 1;                // current schema version
  std::vector<std::string> required;  // data fields every event of this type carries

  std::string type() const { return base + ".v" + std::to_string(version); }
};

// Rewrites the data of an event of schema version N into version N + 1.
using Upcaster = std::function<Status(nlohmann::json& data)>;

class EventCatalog {
 public:
  static const EventCatalog& standard();

  const std::vector<EventType>& types() const { return types_; }
  const EventType* by_name(std::string_view name) const;
  // Accepts "xyd.application.loan_disbursed.v1"; sets *schema_version to the suffix's number.
  const EventType* by_type(std::string_view type, int32_t* schema_version = nullptr) const;

  // Declares a new schema version of `name`, the data fields it requires, and how to upcast
  // events of the version before it.
  [[nodiscard]] Status add_version(std::string_view name, std::vector<std::string> required, Upcaster from_previous);
  // Brings an event up to its type's current schema version (in memory only).
  Result<Envelope> upcast(Envelope envelope) const;
  // Known type, consistent aggregate and schema version, every required data field present.
  [[nodiscard]] Status validate(const Envelope& envelope) const;

  void add(EventType type);

 private:
  std::vector<EventType> types_;
  std::map<std::string, std::map<int32_t, Upcaster>, std::less<>> upcasters_;  // base -> from version -> fn
};

}  // namespace xyd::events

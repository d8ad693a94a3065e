// EventCatalog: every event type of the domain (shared/DOMAIN.md) with its aggregate, its
// CloudEvents type name, its current schema version and its data fields, plus the upcasters that
// bring older schema versions up to date on read (stored events are never rewritten). The
// standard catalog is made from the declarations of events/schema/<aggregate>.h, once, and is
// read-only; a copy may add versions.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "events/envelope.h"
#include "events/event_log.h"
#include "events/schema/field.h"

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
  std::vector<FieldSpec> fields;      // every data field of the current version, with its kind

  std::string type() const { return base + ".v" + std::to_string(version); }
};

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
  // What the write side holds a new event to: validate(), and its data exactly as the current
  // version declares it (no undeclared field, every field of its kind).
  [[nodiscard]] Status check_new(const Envelope& envelope) const;
  // The data part of check_new: a new event of type `name` carries data exactly as declared.
  [[nodiscard]] Status check_new_data(std::string_view name, const nlohmann::json& data) const;

  void add(EventType type);
  // Adds the current version of a declared event, with its upcasters.
  void add_declared(const std::string& aggregate, const EventSpec& spec);

 private:
  std::vector<EventType> types_;
  std::map<std::string, std::map<int32_t, Upcaster>, std::less<>> upcasters_;  // base -> from version -> fn
};

}  // namespace xyd::events

#include "events/catalog.h"

#include <algorithm>
#include <cctype>

#include "events/schema/account.h"
#include "events/schema/application.h"
#include "events/schema/demand.h"
#include "events/schema/enterprise.h"
#include "events/schema/institution.h"
#include "events/schema/product.h"

namespace xyd::events {
namespace {

std::string snake_case(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

const EventCatalog& EventCatalog::standard() {
  static const EventCatalog catalog = [] {
    EventCatalog c;
    for (const AggregateEvents* declared : {&account::schema(), &enterprise::schema(), &institution::schema(),
                                            &product::schema(), &demand::schema(), &application::schema()})
      for (const EventSpec& spec : declared->events) c.add_declared(std::string(declared->aggregate), spec);
    return c;
  }();
  return catalog;
}

void EventCatalog::add(EventType type) {
  types_.push_back(std::move(type));
}

void EventCatalog::add_declared(const std::string& aggregate, const EventSpec& spec) {
  std::string event = snake_case(spec.name);
  // Drop the aggregate's own name where it leads ("AccountRegistered" -> "registered").
  if (event.starts_with(aggregate + "_")) event = event.substr(aggregate.size() + 1);
  EventType type{aggregate, spec.name, "xyd." + aggregate + "." + event, spec.version, {}, spec.fields};
  for (const auto& field : spec.fields)
    if (field.required) type.required.push_back(field.name);
  for (const auto& [from, upcaster] : spec.upcasters) upcasters_[type.base][from] = upcaster;
  add(std::move(type));
}

const EventType* EventCatalog::by_name(std::string_view name) const {
  for (const auto& t : types_)
    if (t.name == name) return &t;
  return nullptr;
}

const EventType* EventCatalog::by_type(std::string_view type, int32_t* schema_version) const {
  auto dot = type.rfind(".v");
  if (dot == std::string_view::npos || dot + 2 >= type.size()) return nullptr;
  int32_t version = 0;
  for (char c : type.substr(dot + 2)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || version > 100000) return nullptr;
    version = version * 10 + (c - '0');
  }
  auto base = type.substr(0, dot);
  for (const auto& t : types_) {
    if (t.base != base) continue;
    if (schema_version) *schema_version = version;
    return &t;
  }
  return nullptr;
}

Status EventCatalog::add_version(std::string_view name, std::vector<std::string> required, Upcaster from_previous) {
  for (auto& t : types_) {
    if (t.name != name) continue;
    upcasters_[t.base][t.version] = std::move(from_previous);
    ++t.version;
    // The new version's fields: the required ones (of any kind), and the old optional ones.
    std::vector<FieldSpec> fields;
    for (const auto& name : required) fields.push_back(FieldSpec{name, FieldKind::any, true});
    for (const auto& field : t.fields)
      if (!field.required && std::find(required.begin(), required.end(), field.name) == required.end())
        fields.push_back(field);
    t.fields = std::move(fields);
    t.required = std::move(required);
    return Status();
  }
  return make_error(Errc::not_found, "no event type named " + std::string(name), "name", "declared-in-catalog");
}

Status EventCatalog::validate(const Envelope& e) const {
  int32_t version = 0;
  const EventType* t = by_type(e.type, &version);
  if (!t)
    return make_error(Errc::invalid_argument, "unknown event type '" + e.type + "'", "type", "declared-in-catalog");
  if (t->aggregate != e.aggregate_type)
    return make_error(Errc::invalid_argument,
                      "event type " + e.type + " belongs to aggregate " + t->aggregate + ", not " + e.aggregate_type,
                      "aggregatetype", "matches-type");
  if (version != e.schema_version || version < 1 || version > t->version)
    return make_error(Errc::invalid_argument,
                      "schemaversion " + std::to_string(e.schema_version) + " does not match type " + e.type +
                          " (current version " + std::to_string(t->version) + ")",
                      "schemaversion", "matches-type");
  if (version == t->version)
    for (const auto& field : t->required)
      if (!e.data.contains(field))
        return make_error(Errc::invalid_argument, t->name + " requires data." + field, "data." + field, "required");
  return Status();
}

Status EventCatalog::check_new(const Envelope& e) const {
  XYD_RETURN_IF_ERROR(validate(e));
  const EventType* t = by_type(e.type);
  if (e.schema_version != t->version)
    return make_error(Errc::invalid_argument, "a new " + t->name + " is of the current schema version", "schemaversion",
                      "current");
  return check_new_data(t->name, e.data);
}

Status EventCatalog::check_new_data(std::string_view name, const nlohmann::json& data) const {
  const EventType* t = by_name(name);
  if (!t)
    return make_error(Errc::invalid_argument, "unknown event '" + std::string(name) + "'", "type",
                      "declared-in-catalog");
  return check_data(t->name, t->fields, data);
}

Result<Envelope> EventCatalog::upcast(Envelope e) const {
  XYD_RETURN_IF_ERROR(validate(e));
  const EventType* t = by_type(e.type);
  auto chain = upcasters_.find(t->base);
  while (e.schema_version < t->version) {
    if (chain == upcasters_.end() || !chain->second.contains(e.schema_version))
      return make_error(Errc::fatal, "no upcaster from " + e.type, "schemaversion", "upcaster-registered");
    XYD_RETURN_IF_ERROR(chain->second.at(e.schema_version)(e.data));
    ++e.schema_version;
    e.type = t->base + ".v" + std::to_string(e.schema_version);
  }
  XYD_RETURN_IF_ERROR(validate(e));
  return e;
}

}  // namespace xyd::events

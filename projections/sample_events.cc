#include "projections/sample_events.h"

#include "events/catalog.h"
#include "events/codec.h"

namespace xyd::projections {

nlohmann::json ChainedEvents::sample_value(const std::string& f, uint64_t n) {
  auto has = [&](const char* part) { return f.find(part) != std::string::npos; };
  if (has("amount") || has("principal") || has("interest") || has("penalty") || has("capital"))
    return static_cast<int64_t>(100000 + (n * 7919) % 50000000);
  if (has("days") || has("months") || has("seconds") || has("installment") || has("score") || has("_bp"))
    return static_cast<int64_t>(1 + n % 360);
  if (has("_at") || has("_on") || f == "valid_until" || f == "maturity" || f == "as_of")
    return "2025-0" + std::to_string(1 + n % 9) + "-1" + std::to_string(n % 10);
  if (has("regions") || f == "rules" || f == "reasons" || f == "data_sources" || f == "changes" ||
      f == "admission_rules")
    return nlohmann::json::array({"440300"});
  if (f == "featured") return n % 2 == 0;
  if (f == "region") return "440300";
  if (f == "industry") return std::string(1, static_cast<char>('A' + n % 20));
  return f + "-" + std::to_string(n % 100000);
}

Result<log::OutRecord> ChainedEvents::next(const std::string& type, const std::string& id, const std::string& name,
                                           nlohmann::json data, events::Actor actor, std::string time) {
  const auto* event_type = events::EventCatalog::standard().by_name(name);
  if (!event_type || event_type->aggregate != type)
    return make_error(Errc::invalid_argument, "no event " + name + " of aggregate " + type + " in the catalog", "name",
                      "declared-in-catalog");
  ++counter_;
  for (const auto& field : event_type->required)
    if (!data.contains(field)) data[field] = sample_value(field, counter_);
  Head& head = heads_[type + '\0' + id];
  events::Envelope e;
  e.id = events::uuid_v7();
  e.source = source_;
  e.type = event_type->type();
  e.subject = id;
  e.time = time.empty() ? events::now_rfc3339() : std::move(time);
  e.aggregate_type = type;
  e.aggregate_id = id;
  e.version = head.version + 1;
  e.actor = std::move(actor);
  e.correlation_id = e.id;
  e.schema_version = event_type->version;
  e.data = std::move(data);
  XYD_RETURN_IF_ERROR(events::seal(e, head.hash));
  head.version = e.version;
  head.hash = e.hash;
  log::OutRecord record = events::to_record(e);
  record.topic = topic_prefix_ + type;
  return record;
}

int64_t ChainedEvents::version_of(const std::string& type, const std::string& id) const {
  auto found = heads_.find(type + '\0' + id);
  return found == heads_.end() ? 0 : found->second.version;
}

}  // namespace xyd::projections

#include "projections/state/state_projection.h"

#include "aggregates/aggregate.h"
#include "events/catalog.h"

namespace xyd::projections::state {
namespace {

nlohmann::json to_row(const domain::AggregateState& s) { return {{"version", s.version}, {"data", s.data}}; }

domain::AggregateState from_row(std::string_view row) {
  auto j = nlohmann::json::parse(row, nullptr, false);
  domain::AggregateState s;
  if (!j.is_object()) return s;
  s.version = j.value("version", int64_t{0});
  s.data = j.value("data", nlohmann::json::object());
  return s;
}

}  // namespace

ProjectionSpec state_spec() {
  ProjectionSpec spec;
  spec.name = "state";
  spec.description = "the current state of every aggregate (the reference view for reads, access and checks)";
  spec.aggregate_types = events::aggregate_types();
  spec.make = [](std::shared_ptr<const RuleSet>) -> Result<std::unique_ptr<Projection>> {
    return std::unique_ptr<Projection>(new StateProjection());
  };
  return spec;
}

std::string state_key(std::string_view type, std::string_view id) {
  std::string key;
  key.reserve(type.size() + 1 + id.size());
  key.append(type).push_back('/');
  key.append(id);
  return key;
}

Status StateProjection::apply(ViewWriter& view, const EventContext& context) {
  if (!context.event) return *context.decode_error;
  const ScannedEvent& e = *context.event;
  const auto* aggregate = domain::aggregate_for(std::string(e.aggregate_type));
  if (!aggregate) return Status();  // a type without behaviour here: nothing to keep
  const auto* type = events::EventCatalog::standard().by_type(std::string(e.type));
  if (!type) return make_error(Errc::corrupt, "unknown event type " + std::string(e.type), "type", "declared-in-catalog");
  const std::string key = state_key(e.aggregate_type, e.aggregate_id);
  XYD_ASSIGN_OR_RETURN(auto row, view.get(key));
  domain::AggregateState state = row ? from_row(*row) : domain::AggregateState{};
  if (e.version <= state.version) return Status();  // already applied
  if (e.version != state.version + 1)
    return make_error(Errc::corrupt,
                      std::string(e.aggregate_type) + "/" + std::string(e.aggregate_id) + " version " +
                          std::to_string(e.version) + " follows " + std::to_string(state.version),
                      "aggregateversion", "gapless");
  aggregate->apply(state, type->name, e.data_json());
  state.version = e.version;
  view.put(key, to_row(state).dump());
  return Status();
}

Result<std::optional<domain::AggregateState>> read_state(const ViewReader& view, const std::string& type,
                                                          const std::string& id) {
  XYD_ASSIGN_OR_RETURN(auto row, view.get(state_key(type, id)));
  if (!row) return std::optional<domain::AggregateState>();
  return std::optional<domain::AggregateState>(from_row(*row));
}

Status scan_states(const ViewReader& view, const std::string& type, const std::string& from_id,
                   const std::function<bool(const std::string&, const domain::AggregateState&)>& visit) {
  const std::string prefix = type + "/";
  return view.scan(prefix, prefix + from_id, [&](std::string_view key, std::string_view value) {
    return visit(std::string(key.substr(prefix.size())), from_row(value));
  });
}

}  // namespace xyd::projections::state

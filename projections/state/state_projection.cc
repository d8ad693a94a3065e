#include "projections/state/state_projection.h"

#include <algorithm>
#include <cstdlib>

#include "aggregates/aggregate.h"
#include "aggregates/application.h"
#include "events/catalog.h"
#include "events/numbers.h"
#include "projections/view_names.h"

namespace xyd::projections::state {
namespace {

nlohmann::json to_row(const domain::AggregateState& s) {
  return {{"version", s.version}, {"data", s.data}};
}

domain::AggregateState from_row(std::string_view row) {
  auto j = nlohmann::json::parse(row, nullptr, false);
  domain::AggregateState s;
  if (!j.is_object()) return s;
  s.version = j.value("version", int64_t{0});
  s.data = j.value("data", nlohmann::json::object());
  return s;
}

// The manager an order counts against while it is open: its manager until it ends; "" when none.
std::string open_order_manager(const domain::AggregateState& s) {
  if (!s.exists()) return "";
  const std::string manager = s.data.value("manager", "");
  return domain::is_terminal_application_status(s.data.value("status", "")) ? "" : manager;
}

Status add_to_load(ViewWriter& view, const std::string& manager, int64_t delta) {
  if (manager.empty()) return Status();
  const std::string key = load_key(manager);
  XYD_ASSIGN_OR_RETURN(auto row, view.get(key));
  int64_t count = 0;
  if (row) {
    XYD_ASSIGN_OR_RETURN(count, read_stored_number(*row, 0, INT64_MAX, "the open orders of " + manager));
  }
  view.put(key, std::to_string(std::max<int64_t>(0, count + delta)));
  return Status();
}

}  // namespace

std::string load_key(std::string_view manager) {
  return state_key("load", manager);
}

namespace {

class StateProjection final : public Projection {
 public:
  Status apply(ViewWriter& view, const EventContext& event) override;
};

}  // namespace

ProjectionSpec state_spec() {
  return spec_without_rules<StateProjection>(
      view::kState, "the current state of every aggregate (the reference view for reads, access and checks)",
      event_topics(events::aggregate_types()));
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
  if (!type)
    return make_error(Errc::corrupt, "unknown event type " + std::string(e.type), "type", "declared-in-catalog");
  const std::string key = state_key(e.aggregate_type, e.aggregate_id);
  XYD_ASSIGN_OR_RETURN(auto row, view.get(key));
  domain::AggregateState state = row ? from_row(*row) : domain::AggregateState{};
  if (e.version <= state.version) return Status();  // already applied
  if (e.version != state.version + 1)
    return make_error(Errc::corrupt,
                      std::string(e.aggregate_type) + "/" + std::string(e.aggregate_id) + " version " +
                          std::to_string(e.version) + " follows " + std::to_string(state.version),
                      "aggregateversion", "gapless");
  const std::string counted_before = e.aggregate_type == "application" ? open_order_manager(state) : "";
  aggregate->apply(state, type->name, e.data_json());
  state.version = e.version;
  view.put(key, to_row(state).dump());
  if (e.aggregate_type != "application") return Status();
  const std::string counted_after = open_order_manager(state);
  if (counted_before == counted_after) return Status();
  XYD_RETURN_IF_ERROR(add_to_load(view, counted_before, -1));
  return add_to_load(view, counted_after, +1);
}

Result<std::optional<domain::AggregateState>> read_state(const ViewReader& view, const std::string& type,
                                                         const std::string& id) {
  XYD_ASSIGN_OR_RETURN(auto row, view.get(state_key(type, id)));
  if (!row) return std::optional<domain::AggregateState>();
  return std::optional<domain::AggregateState>(from_row(*row));
}

Result<int64_t> read_open_orders(const ViewReader& view, const std::string& manager) {
  XYD_ASSIGN_OR_RETURN(auto row, view.get(load_key(manager)));
  if (!row) return int64_t{0};
  return read_stored_number(*row, 0, INT64_MAX, "the open orders of " + manager);
}

Status scan_states(const ViewReader& view, const std::string& type, const std::string& from_id,
                   const std::function<bool(const std::string&, const domain::AggregateState&)>& visit) {
  const std::string prefix = type + "/";
  return view.scan(prefix, prefix + from_id, [&](std::string_view key, std::string_view value) {
    return visit(std::string(key.substr(prefix.size())), from_row(value));
  });
}

}  // namespace xyd::projections::state

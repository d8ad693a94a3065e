#include "projections/runtime/state_view.h"

#include <thread>

#include "projections/state/state_projection.h"
#include "projections/view_names.h"

namespace xyd::projections::runtime {

Result<std::optional<domain::AggregateState>> StateView::get(const std::string& type, const std::string& id) const {
  XYD_ASSIGN_OR_RETURN(auto reader, runtime_.reader(view::kState));
  return state::read_state(*reader, type, id);
}

Status StateView::scan(const std::string& type,
                       const std::function<bool(const std::string&, const domain::AggregateState&)>& visit,
                       const std::string& from_id) const {
  XYD_ASSIGN_OR_RETURN(auto reader, runtime_.reader(view::kState));
  return state::scan_states(*reader, type, from_id, visit);
}

Result<int64_t> StateView::open_orders(const std::string& manager) const {
  XYD_ASSIGN_OR_RETURN(auto reader, runtime_.reader(view::kState));
  return state::read_open_orders(*reader, manager);
}

Status StateView::wait_for(const std::string& type, const std::string& id, int64_t version,
                           std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto pause = std::chrono::microseconds(200);
  int64_t seen = 0;
  for (;;) {
    auto state = get(type, id);
    if (state.ok() && *state && (*state)->version >= version) return Status();
    if (state.ok() && *state) seen = (*state)->version;
    if (std::chrono::steady_clock::now() >= deadline)
      return make_error(Errc::timeout,
                        "the read view shows " + type + "/" + id + " at version " + std::to_string(seen) +
                            ", not yet " + std::to_string(version) + ": the write is durable; read again shortly",
                        "version", "view-caught-up");
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(5000));
  }
}

}  // namespace xyd::projections::runtime

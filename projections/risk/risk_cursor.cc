#include "projections/risk/risk_cursor.h"

#include <algorithm>

#include "events/json_input.h"

namespace xyd::projections::risk {

RiskCursor::RiskCursor(uint64_t start, std::chrono::milliseconds late_window, uint64_t cursor, std::set<uint64_t> sent)
    : start_(start),
      window_(static_cast<uint64_t>(late_window.count()) * kSequencesPerMs),
      cursor_(cursor),
      sent_(std::move(sent)) {}

uint64_t RiskCursor::sequence_of(const nlohmann::json& entry) {
  return static_cast<uint64_t>(std::max<int64_t>(0, events::int_or(entry, "sequence")));
}

bool RiskCursor::skipped(uint64_t sequence) const {
  return sequence <= start_ || sent_.contains(sequence) || (cursor_ > window_ && sequence <= cursor_ - window_);
}

void RiskCursor::mark(uint64_t sequence) {
  sent_.insert(sequence);
  cursor_ = std::max(cursor_, sequence);
}

Status RiskCursor::pass(const ViewReader& view, const Viewer* viewer, const FeedFilter& filter,
                        const std::function<Status(std::vector<nlohmann::json>& entries)>& send) {
  uint64_t position = std::max(start_, cursor_ > window_ ? cursor_ - window_ : 0);
  Status result;
  while (true) {
    XYD_ASSIGN_OR_RETURN(auto page, feed_after(view, position, 500, viewer, filter));
    std::vector<nlohmann::json> fresh;
    for (auto& entry : page.items)
      if (!skipped(sequence_of(entry))) fresh.push_back(std::move(entry));
    if (!fresh.empty()) result = send(fresh);
    if (!result.ok() || !page.more) break;
    position = page.scanned_to;
  }
  while (!sent_.empty() && *sent_.begin() + window_ < cursor_) sent_.erase(sent_.begin());
  return result;
}

}  // namespace xyd::projections::risk

// RiskCursor: follows the risk view's feed (risk_query.h) from a cursor with a late window,
// skipping what was sent. Entries reach the view late (an event of another partition committed
// after a later one), so each pass looks back over `late_window` of sequence time below the
// greatest sequence sent; one rule decides what is skipped: a sequence at or below `start`, one
// already sent, or one older than the window below the cursor (sent before the window moved on).
// Used by the SSE feed (api/risk_routes.cc) and the Kafka publisher (ops/risk_publisher.h). Owned
// by the one thread that follows the view; pure (the view is given).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "projections/risk/risk_query.h"

namespace xyd::projections::risk {

inline constexpr uint64_t kSequencesPerMs = 1000000;  // sequences per millisecond (risk_projection.h)

class RiskCursor {
 public:
  RiskCursor(uint64_t start, std::chrono::milliseconds late_window, uint64_t cursor = 0, std::set<uint64_t> sent = {});

  // One pass over the view: `send` gets each page's entries not yet sent, in sequence order, and
  // marks (mark()) those it sent; an error from it ends the pass (the rest come next pass).
  [[nodiscard]] Status pass(const ViewReader& view, const Viewer* viewer, const FeedFilter& filter,
                            const std::function<Status(std::vector<nlohmann::json>& entries)>& send);
  void mark(uint64_t sequence);

  uint64_t cursor() const { return cursor_; }               // the greatest sequence sent
  const std::set<uint64_t>& sent() const { return sent_; }  // sent within the window below the cursor
  // The entry's sequence (0 when it has none).
  static uint64_t sequence_of(const nlohmann::json& entry);

 private:
  bool skipped(uint64_t sequence) const;

  uint64_t start_;
  uint64_t window_;
  uint64_t cursor_;
  std::set<uint64_t> sent_;
};

}  // namespace xyd::projections::risk

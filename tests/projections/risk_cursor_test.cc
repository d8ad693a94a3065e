// RiskCursor, the one "follow the risk feed from a cursor with a late window, skipping what was
// sent" of the SSE feed and the publisher: everything after `start` once, a late entry within the
// window once, nothing older than the window below the cursor, and what a failed send left
// unmarked comes again.
#include "projections/risk/risk_cursor.h"

#include <boost/test/unit_test.hpp>

#include "projections/memory_view.h"
#include "projections/risk/risk_projection.h"

using namespace std::chrono_literals;
using namespace xyd;
using projections::risk::RiskCursor;

namespace {

constexpr uint64_t kMs = projections::risk::kSequencesPerMs;
constexpr uint64_t kBase = 1700000000000ull * kMs;

void add(projections::MemoryView& view, uint64_t sequence) {
  view.put(projections::risk::feed_key(sequence),
           nlohmann::json{{"sequence", sequence}, {"enterprise", "e1"}, {"kind", "warning"}}.dump());
}

// One pass; returns the sequences it was given, marking them sent unless `fail`.
std::vector<uint64_t> pass(RiskCursor& cursor, const projections::MemoryView& view, bool fail = false) {
  std::vector<uint64_t> given;
  auto passed = cursor.pass(view, nullptr, {}, [&](std::vector<nlohmann::json>& entries) -> Status {
    for (const auto& entry : entries) given.push_back(RiskCursor::sequence_of(entry));
    if (fail) return make_error(Errc::unavailable, "the topic is down (test)");
    for (uint64_t s : given) cursor.mark(s);
    return Status();
  });
  BOOST_CHECK_EQUAL(passed.ok(), !fail);
  return given;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(risk_cursor)

BOOST_AUTO_TEST_CASE(each_entry_is_sent_once_late_ones_within_the_window_too) {
  projections::MemoryView view;
  add(view, kBase + 1 * kMs);
  add(view, kBase + 2 * kMs);
  RiskCursor cursor(0, 10ms);
  BOOST_CHECK((pass(cursor, view) == std::vector<uint64_t>{kBase + 1 * kMs, kBase + 2 * kMs}));
  BOOST_CHECK_EQUAL(cursor.cursor(), kBase + 2 * kMs);
  BOOST_CHECK(pass(cursor, view).empty());
  add(view, kBase + 1 * kMs + 500);  // committed late, below the cursor, within the window
  add(view, kBase - 30 * kMs);       // older than the window below the cursor: taken as sent
  BOOST_CHECK((pass(cursor, view) == std::vector<uint64_t>{kBase + 1 * kMs + 500}));
  BOOST_CHECK(pass(cursor, view).empty());
  // A failed send marks nothing: the same entries come again.
  add(view, kBase + 3 * kMs);
  BOOST_CHECK((pass(cursor, view, true) == std::vector<uint64_t>{kBase + 3 * kMs}));
  BOOST_CHECK((pass(cursor, view) == std::vector<uint64_t>{kBase + 3 * kMs}));
  // What was sent long before the cursor is forgotten; the window is kept.
  add(view, kBase + 100 * kMs);
  BOOST_CHECK((pass(cursor, view) == std::vector<uint64_t>{kBase + 100 * kMs}));
  BOOST_CHECK((cursor.sent() == std::set<uint64_t>{kBase + 100 * kMs}));
}

BOOST_AUTO_TEST_CASE(a_stream_from_a_start_sees_only_what_comes_after_it) {
  projections::MemoryView view;
  for (uint64_t ms : {1, 2, 3}) add(view, kBase + ms * kMs);
  RiskCursor cursor(kBase + 2 * kMs, 10ms, kBase + 2 * kMs);  // Last-Event-ID: the second one
  BOOST_CHECK((pass(cursor, view) == std::vector<uint64_t>{kBase + 3 * kMs}));
  add(view, kBase + 2 * kMs - 1);  // late, but at or before the start: never sent
  BOOST_CHECK(pass(cursor, view).empty());
}

BOOST_AUTO_TEST_SUITE_END()

// Unit test of the state projection's per-manager open-order counters (load/<manager>), on an
// in-memory view: orders count against their manager from assignment until they end, move with a
// reassignment, and a replayed event counts once.
#define BOOST_TEST_MODULE state_projection
#include "projections/state/state_projection.h"

#include <boost/test/unit_test.hpp>

#include "projections/event_scan.h"
#include "projections/memory_view.h"
#include "projections/sample_events.h"

using namespace xyd;

namespace {

struct Fixture {
  projections::ChainedEvents chains;
  std::unique_ptr<projections::Projection> projection = projections::state::state_spec().make(nullptr).value();
  projections::MemoryView view;
  std::vector<log::OutRecord> sent;

  void apply(const log::OutRecord& out) {
    log::Record r;
    r.topic = out.topic;
    r.key = out.key;
    r.value = out.value;
    projections::ScannedEvent scanned;
    BOOST_REQUIRE(projections::scan_event(r.value, scanned).ok());
    projections::EventContext context{r, &scanned, nullptr};
    BOOST_REQUIRE(projection->apply(view, context).ok());
  }
  void event(const std::string& id, const std::string& name, nlohmann::json data = nlohmann::json::object()) {
    auto out = chains.next("application", id, name, std::move(data));
    BOOST_REQUIRE_MESSAGE(out.ok(), out.error().to_string());
    sent.push_back(*out);
    apply(*out);
  }
  void submitted_and_assigned(const std::string& id, const std::string& manager) {
    event(id, "ApplicationSubmitted");
    event(id, "RiskScreened", {{"verdict", "pass"}});
    event(id, "ManagerAssigned", {{"manager", manager}, {"how", "auto"}, {"by", "system"}});
  }
  int64_t load(const std::string& manager) {
    auto count = projections::state::read_open_orders(view, manager);
    BOOST_REQUIRE(count.ok());
    return *count;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(open_orders_follow_assignment_reassignment_and_the_end) {
  Fixture f;
  f.submitted_and_assigned("app-1", "acc-m1");
  f.submitted_and_assigned("app-2", "acc-m1");
  BOOST_CHECK_EQUAL(f.load("acc-m1"), 2);
  BOOST_CHECK_EQUAL(f.load("acc-m2"), 0);
  f.event("app-2", "ManagerReassigned", {{"from", "acc-m1"}, {"to", "acc-m2"}, {"by", "acc-admin"}, {"reason", ""}});
  BOOST_CHECK_EQUAL(f.load("acc-m1"), 1);
  BOOST_CHECK_EQUAL(f.load("acc-m2"), 1);
  f.event("app-1", "ApplicationAccepted", {{"manager", "acc-m1"}, {"by", "acc-m1"}, {"intended_amount", 1}});
  BOOST_CHECK_EQUAL(f.load("acc-m1"), 1);  // still open
  f.event("app-1", "ApplicationTerminated", {{"reason", "documents"}, {"by", "acc-m1"}});
  BOOST_CHECK_EQUAL(f.load("acc-m1"), 0);
  // The log hands an event again (a retried batch): the state's version guards the counter too.
  for (const auto& out : f.sent) f.apply(out);
  BOOST_CHECK_EQUAL(f.load("acc-m1"), 0);
  BOOST_CHECK_EQUAL(f.load("acc-m2"), 1);
  f.event("app-2", "ApplicationWithdrawn", {{"by", "acc-owner"}, {"reason", ""}});
  BOOST_CHECK_EQUAL(f.load("acc-m2"), 0);
  // The counters are rows of their own: scanning applications does not meet them.
  size_t applications = 0;
  BOOST_REQUIRE(projections::state::scan_states(f.view, "application", "", [&](const std::string&, const auto&) {
                  ++applications;
                  return true;
                }).ok());
  BOOST_CHECK_EQUAL(applications, 2u);
}

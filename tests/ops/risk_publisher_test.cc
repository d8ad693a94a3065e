// The risk-warning publisher's position, on the backend under test: an installation upgraded from
// a version that kept it in <data>/risk-publisher.json starts from that position (so it does not
// re-send), which moves into the projection store at once; the file is read only that once; the
// publisher is listed among the runtime's subscriptions with its lag and is never rebuilt.
#define BOOST_TEST_MODULE risk_publisher
#include "ops/risk_publisher.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "ops/cli_options.h"
#include "tests/support/event_fixture.h"

using namespace xyd;
using nlohmann::json;

namespace {

std::unique_ptr<projections::runtime::ProjectionRuntime> open_runtime(test::EventFixture& f, const std::string& path) {
  auto options = f.runtime_options(path);
  options.only = {"risk"};
  auto runtime = projections::runtime::ProjectionRuntime::open(*f.t.log, options);
  BOOST_REQUIRE_MESSAGE(runtime.ok(), runtime.error().to_string());
  BOOST_REQUIRE(runtime->get()->start().ok());
  return std::move(runtime).value();
}

void write_file(const std::string& path, const json& state) {
  std::ofstream out(path);
  out << state.dump();
}

// Starts a publisher (on a runtime over the store in `dir`), runs `check` while it runs, stops
// both, and returns the state it stored.
json run_publisher(test::EventFixture& f, const std::string& dir, const std::string& legacy,
                   const std::function<void(projections::runtime::ProjectionRuntime&)>& check = {}) {
  auto runtime = open_runtime(f, dir + "/projections");
  ops::RiskPublisher publisher(*f.t.log, *runtime, legacy, "n1");
  // The partitions xyd serve gives xyd.risk-warnings: the topic is shared on the test broker.
  BOOST_REQUIRE(publisher.start(ops::CliOptions{}.partitions).ok());
  auto stored = runtime->store().follower_state(ops::kRiskPublisherName);
  BOOST_REQUIRE(stored.ok() && *stored);
  if (check) check(*runtime);
  publisher.stop();
  BOOST_CHECK(!runtime->status(ops::kRiskPublisherName).ok());  // stopped: no longer listed
  runtime->stop();
  return **stored;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_position_in_the_legacy_file_moves_into_the_store_once) {
  auto f = test::make_fixture("risk-publisher");
  const std::string dir = test::fresh_folder("risk-publisher");
  std::filesystem::create_directories(dir);
  const std::string legacy = dir + "/risk-publisher.json";
  const uint64_t published_to = 1700000000000ull * projections::risk::kSequencesPerMs;
  write_file(legacy, {{"published_to", published_to}, {"recent", {published_to - 5, published_to}}});
  const json first = run_publisher(f, dir, legacy, [](projections::runtime::ProjectionRuntime& runtime) {
    // Listed with the others, as a subscription, with its lag; never rebuilt.
    auto listed = runtime.status(ops::kRiskPublisherName);
    BOOST_REQUIRE(listed.ok());
    BOOST_CHECK_EQUAL(listed->kind, "subscription");
    BOOST_REQUIRE(listed->live);
    BOOST_CHECK(listed->to_json()["live"]["lag"].is_number());
    auto rebuilt = runtime.rebuild(ops::kRiskPublisherName);
    BOOST_CHECK(!rebuilt.ok() && rebuilt.error().code == Errc::conflict);
  });
  BOOST_CHECK_EQUAL(first["published_to"], published_to);
  BOOST_CHECK(first["recent"] == json({published_to - 5, published_to}));
  // The file is not read again: the store holds the position.
  write_file(legacy, {{"published_to", 5}, {"recent", json::array()}});
  BOOST_CHECK_EQUAL(run_publisher(f, dir, legacy)["published_to"], published_to);
  std::filesystem::remove_all(dir);
}

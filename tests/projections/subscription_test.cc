// Subscriptions on the projection runtime, on the backend under test: listed beside the
// projections with their positions and lag (also before they run), never rebuilt, retried from
// their stored positions after a failed batch, and resumed after a restart without losing a record
// or handling one again beyond the batch that was in flight.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "events/catalog.h"
#include "tests/support/event_fixture.h"

using namespace std::chrono_literals;
using namespace xyd;
using projections::runtime::ProjectionRuntime;
using projections::runtime::SubscriptionSpec;

namespace {

using Position = std::pair<log::TopicPartition, int64_t>;

// A subscription's own store, in memory: the records whose effects committed and the positions,
// written together under one lock (as a handler writes both in one RocksDB batch).
struct MemoryStore {
  std::mutex mutex;
  std::map<log::TopicPartition, int64_t> positions;
  std::vector<Position> committed;
  std::map<Position, int> attempts;  // every time a record was handed to the handler
  int fail_batches = 0;              // batches to refuse (after their side effects), then go on
  bool fail_all = false;             // refuse every batch (a process that dies before committing)

  size_t committed_count() {
    std::lock_guard lock(mutex);
    return committed.size();
  }
};

SubscriptionSpec spec_of(MemoryStore& store) {
  SubscriptionSpec spec;
  spec.name = "counter";
  spec.description = "counts application events (test)";
  spec.topics = {events::topic_for("application")};
  spec.max_batch = 50;
  spec.poll_timeout = 50ms;
  spec.stored_positions = [&store]() -> Result<std::map<log::TopicPartition, int64_t>> {
    std::lock_guard lock(store.mutex);
    return store.positions;
  };
  spec.handle = [&store](const std::vector<log::Record>& records,
                         const std::map<log::TopicPartition, int64_t>& next) -> Status {
    std::lock_guard lock(store.mutex);
    for (const auto& r : records) ++store.attempts[{r.tp(), r.offset}];
    if (store.fail_all) return make_error(Errc::unavailable, "the store is down (test)");
    if (store.fail_batches > 0) {
      --store.fail_batches;
      throw std::runtime_error("a failing batch (test)");
    }
    for (const auto& r : records) store.committed.push_back({r.tp(), r.offset});
    for (const auto& [tp, offset] : next) store.positions[tp] = offset;
    return Status();
  };
  return spec;
}

std::unique_ptr<ProjectionRuntime> open_runtime(test::EventFixture& f, const std::string& path) {
  auto options = f.runtime_options(path);
  options.only = {"delinquency"};
  auto runtime = ProjectionRuntime::open(*f.t.log, options);
  BOOST_REQUIRE_MESSAGE(runtime.ok(), runtime.error().to_string());
  return std::move(runtime).value();
}

bool eventually(const std::function<bool()>& done, std::chrono::seconds limit = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(subscriptions)

BOOST_AUTO_TEST_CASE(a_subscription_is_listed_with_its_lag_refuses_a_rebuild_and_resumes_without_loss) {
  auto f = test::make_fixture("subscription");
  f.add_applications(20, 300);
  f.flush();
  MemoryStore store;
  store.fail_batches = 2;
  const std::string path = test::fresh_folder("subscription");
  {
    auto runtime = open_runtime(f, path);
    BOOST_REQUIRE(runtime->add_subscription(spec_of(store)).ok());
    // Listed before it runs, with the whole topic as its lag.
    auto listed = runtime->status("counter");
    BOOST_REQUIRE(listed.ok());
    BOOST_CHECK_EQUAL(listed->kind, "subscription");
    BOOST_REQUIRE(listed->live);
    BOOST_CHECK_EQUAL(listed->live->progress.done, 0u);
    BOOST_CHECK_GE(listed->live->progress.lag, 300u);
    bool in_list = false;
    for (const auto& status : runtime->status()) in_list = in_list || status.name == "counter";
    BOOST_CHECK(in_list);
    BOOST_CHECK_EQUAL(listed->to_json()["kind"], "subscription");

    BOOST_REQUIRE(runtime->start().ok());
    BOOST_REQUIRE_MESSAGE(eventually([&] { return store.committed_count() == 300; }),
                          "handled " << store.committed_count() << " of 300");
    BOOST_REQUIRE_MESSAGE(eventually([&] {
                            auto now = runtime->status("counter");
                            return now.ok() && now->live->progress.lag == 0 && now->live->progress.done > 0;
                          }),
                          "the subscription's lag did not reach 0");
    auto rebuilt = runtime->rebuild("counter");
    BOOST_REQUIRE(!rebuilt.ok());
    BOOST_CHECK(rebuilt.error().code == Errc::conflict);
    BOOST_CHECK_MESSAGE(rebuilt.error().message.find("subscription") != std::string::npos, rebuilt.error().message);
    BOOST_CHECK(runtime->add_subscription(spec_of(store)).error().code == Errc::conflict);  // one per name
    // The two failed batches were handled again, nothing more.
    size_t repeated = 0;
    {
      std::lock_guard lock(store.mutex);
      for (const auto& [position, times] : store.attempts) repeated += static_cast<size_t>(times - 1);
    }
    BOOST_CHECK_LE(repeated, 2u * 50u);
    // More events while it stops mid-way: the batch in flight fails (the process "dies").
    {
      std::lock_guard lock(store.mutex);
      store.fail_all = true;
    }
    f.add_applications(20, 100, "late");
    f.flush();
    BOOST_REQUIRE(eventually([&] {
      std::lock_guard lock(store.mutex);
      return store.attempts.size() > 300;
    }));
    runtime->stop();
  }
  std::set<Position> before_restart;
  std::map<Position, int> attempts_before;
  {
    std::lock_guard lock(store.mutex);
    before_restart.insert(store.committed.begin(), store.committed.end());
    attempts_before = store.attempts;
    store.fail_all = false;
  }
  BOOST_CHECK_EQUAL(before_restart.size(), 300u);
  auto runtime = open_runtime(f, path);
  BOOST_REQUIRE(runtime->add_subscription(spec_of(store)).ok());
  BOOST_REQUIRE(runtime->start().ok());
  BOOST_REQUIRE_MESSAGE(eventually([&] { return store.committed_count() == 400; }),
                        "handled " << store.committed_count() << " of 400 after the restart");
  std::lock_guard lock(store.mutex);
  std::set<Position> unique(store.committed.begin(), store.committed.end());
  BOOST_CHECK_EQUAL(unique.size(), store.committed.size());  // every record committed once
  size_t again = 0;
  for (const auto& [position, times] : store.attempts) {
    BOOST_CHECK_MESSAGE(!before_restart.contains(position) || times == attempts_before[position],
                        "a record committed before the restart was handled again");
    if (attempts_before.contains(position) && !before_restart.contains(position)) ++again;
  }
  // Only the batch in flight: retried from the same stored positions while failing, so at most the
  // first max_batch records of each of the 3 partitions.
  BOOST_CHECK_LE(again, 3u * 50u);
  runtime->stop();
  runtime.reset();
  std::filesystem::remove_all(path);
}

BOOST_AUTO_TEST_SUITE_END()

// The projection runtime on the backend under test (registered once per backend, like the log
// conformance suite): a crash in the middle of a batch (a child process killed with SIGKILL
// between building a batch and writing it, or just after) resumes to exactly the view a fresh
// rebuild makes; a rebuild under concurrent reads and writes never shows a half-built view; a
// rule-set change and a rebuild change exactly the rows the rule affects; a live view written in
// an older row layout is rebuilt beside it when the runtime starts.
#define BOOST_TEST_MODULE projection_runtime
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "projections/audit/audit_query.h"
#include "projections/delinquency/delinquency_projection.h"
#include "tests/support/event_fixture.h"

using namespace std::chrono_literals;
using namespace xyd;
using projections::runtime::ProjectionRuntime;

namespace {

template <typename T>
std::string error_of(const Result<T>& r) {
  return r.ok() ? "" : r.error().to_string();
}
std::string error_of(const Status& s) {
  return s.ok() ? "" : s.error().to_string();
}

#define REQUIRE_OK(expr)                                            \
  do {                                                              \
    auto&& require_ok_ = (expr);                                    \
    BOOST_REQUIRE_MESSAGE(require_ok_.ok(), error_of(require_ok_)); \
  } while (0)

std::unique_ptr<ProjectionRuntime> open_runtime(test::EventFixture& f, const std::string& store,
                                                std::vector<std::string> only, const std::string& rules = {}) {
  auto options = f.runtime_options(store);
  options.only = std::move(only);
  if (!rules.empty()) options.rules_dir = rules;
  auto runtime = ProjectionRuntime::open(*f.t.log, options);
  BOOST_REQUIRE_MESSAGE(runtime.ok(), error_of(runtime));
  REQUIRE_OK((*runtime)->start());
  return std::move(runtime).value();
}

// Runs projection_child until its fail point kills it; requires that it died of SIGKILL.
void run_child_until_killed(test::EventFixture& f, const std::string& store, const std::string& projection,
                            const std::string& fail_point, bool rebuild) {
  const std::string location = test::log_location(f.t);
  std::vector<std::string> args = {XYD_PROJECTION_CHILD, f.t.options.backend, location, f.prefix, store,
                                   projection,           fail_point};
  if (rebuild) args.push_back("--rebuild");
  pid_t child = fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      BOOST_FAIL("the projection child did not reach its fail point " << fail_point);
    }
    std::this_thread::sleep_for(20ms);
  }
  BOOST_REQUIRE_MESSAGE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                        "the child should die of SIGKILL at " << fail_point << ", status " << status);
}

// The events the crash tests project: applications with their lifecycle, and loans.
void add_history(test::EventFixture& f) {
  f.add_applications(40, 700);
  for (int i = 0; i < 20; ++i) {
    const std::string app = "loan-app-" + std::to_string(i), loan = "L" + std::to_string(i);
    f.add("application", app, "ApplicationSubmitted");
    f.add("application", app, "LoanDisbursed", {{"loan_number", loan}});
    f.add("application", app, "LoanOverdue", {{"loan_number", loan}, {"days_past_due", i * 20}});
  }
  f.flush();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(projection_runtime)

BOOST_AUTO_TEST_CASE(a_crash_mid_batch_resumes_to_the_view_a_fresh_rebuild_makes) {
  auto f = test::make_fixture("crash");
  add_history(f);
  const std::string store = test::fresh_folder("crash");
  for (const std::string projection : {"audit", "delinquency"}) {
    const bool embedded = f.t.options.backend == "embedded";
    if (embedded) f.t.log.reset();  // one process at a time holds the embedded log
    // The first build is killed between building batch 4 and writing it, then, resumed, just
    // after writing batch 3.
    run_child_until_killed(f, store, projection, "before_write:4", false);
    run_child_until_killed(f, store, projection, "after_write:3", false);
    if (embedded) f.t.reopen();
    std::vector<std::pair<std::string, std::string>> resumed;
    {
      auto runtime = open_runtime(f, store, {projection});
      REQUIRE_OK(runtime->wait_live(projection, 1, 60s));
      REQUIRE_OK(runtime->wait_caught_up(projection, 60s));
      resumed = test::dump_view(*runtime, projection);
      auto status = runtime->status(projection);
      REQUIRE_OK(status);
      BOOST_CHECK_EQUAL(status->live->progress.rejected, 0u);
      // A fresh build beside it, from the start of the log.
      auto version = runtime->rebuild(projection);
      REQUIRE_OK(version);
      REQUIRE_OK(runtime->wait_live(projection, *version, 60s));
      BOOST_CHECK_MESSAGE(resumed == test::dump_view(*runtime, projection),
                          projection << ": the resumed view differs from a fresh rebuild");
    }
    if (projection == "audit") {
      size_t events = 0;
      for (const auto& [key, value] : resumed) {
        if (key[0] != projections::audit::kEventRow) continue;
        ++events;
        auto row = projections::audit::decode_row(value);
        BOOST_REQUIRE(row);
        BOOST_CHECK(row->link == projections::Link::ok);
      }
      BOOST_CHECK_EQUAL(events, f.appended);
    } else {
      BOOST_CHECK(!resumed.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_rebuild_killed_midway_resumes_and_the_live_view_is_untouched) {
  auto f = test::make_fixture("killrebuild");
  add_history(f);
  const std::string store = test::fresh_folder("killrebuild");
  std::vector<std::pair<std::string, std::string>> live_before;
  {
    auto runtime = open_runtime(f, store, {"audit"});
    REQUIRE_OK(runtime->wait_live("audit", 1, 60s));
    REQUIRE_OK(runtime->wait_caught_up("audit", 60s));
    live_before = test::dump_view(*runtime, "audit");
  }
  const bool embedded = f.t.options.backend == "embedded";
  if (embedded) f.t.log.reset();
  run_child_until_killed(f, store, "audit", "before_write:5", true);
  if (embedded) f.t.reopen();
  auto options = f.runtime_options(store);
  options.only = {"audit"};
  auto runtime = ProjectionRuntime::open(*f.t.log, options);
  REQUIRE_OK(runtime);
  {
    // Before the runtime starts: the live version is v1 as it was; v2 waits half built.
    auto status = (*runtime)->status("audit");
    REQUIRE_OK(status);
    BOOST_REQUIRE(status->live && status->rebuild);
    BOOST_CHECK_EQUAL(status->live->version, 1);
    BOOST_CHECK_EQUAL(status->rebuild->version, 2);
    BOOST_CHECK(status->rebuild->progress.done < status->rebuild->progress.total);
  }
  BOOST_CHECK(test::dump_view(**runtime, "audit") == live_before);
  REQUIRE_OK((*runtime)->start());
  REQUIRE_OK((*runtime)->wait_live("audit", 2, 60s));
  BOOST_CHECK_MESSAGE(test::dump_view(**runtime, "audit") == live_before,
                      "the resumed rebuild differs from the view it replaced");
}

BOOST_AUTO_TEST_CASE(a_rebuild_under_concurrent_reads_and_writes_never_shows_a_half_built_view) {
  auto f = test::make_fixture("concurrent");
  f.add_applications(30, 900);
  f.flush();
  const std::string store = test::fresh_folder("concurrent");
  auto runtime = open_runtime(f, store, {"audit"});
  REQUIRE_OK(runtime->wait_live("audit", 1, 60s));

  std::atomic<bool> stop_writing{false}, stop_reading{false};
  std::atomic<int> appended_batches{0};
  std::thread writer([&] {
    std::mt19937 random(7);
    while (!stop_writing) {
      for (int i = 0; i < 10; ++i) {
        const std::string id = "app-" + std::to_string(random() % 40);  // old ones and new ones
        f.add("application", id, f.chains.version_of("application", id) == 0 ? "ApplicationSubmitted" : "RiskScreened");
      }
      f.flush();
      ++appended_batches;
      std::this_thread::sleep_for(5ms);
    }
  });
  std::atomic<int> queries{0}, violations{0};
  std::mutex seen_mutex;
  std::string first_violation;
  auto reader_loop = [&](int seed) {
    std::mt19937 random(seed);
    std::map<std::string, size_t> seen;  // aggregate -> events seen last time
    while (!stop_reading) {
      const std::string id = "app-" + std::to_string(random() % 40);
      auto view = runtime->reader("audit");
      if (!view.ok()) continue;
      projections::audit::AuditQuery query;
      query.aggregate_type = "application";
      query.aggregate_id = id;
      query.limit = 500;
      auto page = projections::audit::query_audit(**view, query);
      if (!page.ok()) continue;
      ++queries;
      std::string problem;
      int64_t expected = 1;
      for (const auto& item : page->items) {
        if (item["aggregate"]["version"] != expected++) problem = id + ": versions not contiguous";
        if (item["chain"]["status"] != "ok") problem = id + ": broken chain";
      }
      if (page->items.size() < seen[id])
        problem = id + ": went back from " + std::to_string(seen[id]) + " to " + std::to_string(page->items.size()) +
                  " events";
      seen[id] = page->items.size();
      if (!problem.empty()) {
        ++violations;
        std::lock_guard lock(seen_mutex);
        if (first_violation.empty()) first_violation = problem;
      }
    }
  };
  std::thread reader_a(reader_loop, 1), reader_b(reader_loop, 2);
  std::this_thread::sleep_for(300ms);
  auto version = runtime->rebuild("audit");
  REQUIRE_OK(version);
  REQUIRE_OK(runtime->wait_live("audit", *version, 90s));
  const int batches_at_swap = appended_batches;
  while (appended_batches < batches_at_swap + 5) std::this_thread::sleep_for(10ms);
  stop_writing = true;
  writer.join();
  REQUIRE_OK(runtime->wait_caught_up("audit", 60s));
  std::this_thread::sleep_for(200ms);
  stop_reading = true;
  reader_a.join();
  reader_b.join();
  BOOST_CHECK_MESSAGE(violations == 0, violations << " reads saw a half-built view, first: " << first_violation);
  BOOST_CHECK_GT(queries.load(), 20);
  // Every event written, before, during and after the rebuild, is in the new live version.
  auto view = runtime->reader("audit");
  REQUIRE_OK(view);
  for (int i = 0; i < 40; ++i) {
    projections::audit::AuditQuery query;
    query.aggregate_type = "application";
    query.aggregate_id = "app-" + std::to_string(i);
    query.limit = 500;
    auto page = projections::audit::query_audit(**view, query);
    REQUIRE_OK(page);
    BOOST_CHECK_EQUAL(static_cast<int64_t>(page->items.size()), f.chains.version_of("application", query.aggregate_id));
  }
  BOOST_TEST_MESSAGE(queries.load() << " reads during " << appended_batches.load() << " appends and one rebuild");
}

BOOST_AUTO_TEST_CASE(a_live_view_in_an_older_row_layout_is_rebuilt_beside_it_at_start) {
  auto f = test::make_fixture("layout");
  add_history(f);
  const std::string store = test::fresh_folder("layout-store");
  auto specs_of_layout = [](int64_t layout) {
    auto specs = projections::standard_projections();
    for (auto& spec : specs) spec.layout = layout;
    return specs;
  };
  auto open_with = [&](int64_t layout) {
    auto options = f.runtime_options(store);
    options.only = {"delinquency"};
    auto runtime = ProjectionRuntime::open(*f.t.log, options, specs_of_layout(layout));
    BOOST_REQUIRE_MESSAGE(runtime.ok(), error_of(runtime));
    return std::move(runtime).value();
  };
  std::vector<std::pair<std::string, std::string>> before;
  {
    auto runtime = open_with(1);
    REQUIRE_OK(runtime->start());
    REQUIRE_OK(runtime->wait_live("delinquency", 1, 60s));
    REQUIRE_OK(runtime->wait_caught_up("delinquency", 60s));
    before = test::dump_view(*runtime, "delinquency");
  }
  BOOST_REQUIRE(!before.empty());
  // The same code again: nothing to rebuild.
  {
    auto runtime = open_with(1);
    auto status = runtime->status("delinquency");
    REQUIRE_OK(status);
    BOOST_TEST(!status->needs_rebuild);
  }
  auto runtime = open_with(2);
  auto stale = runtime->status("delinquency");
  REQUIRE_OK(stale);
  BOOST_TEST(stale->needs_rebuild);
  BOOST_TEST(stale->note.find("row layout 1") != std::string::npos, stale->note);
  REQUIRE_OK(runtime->start());  // starts the rebuild; version 1 serves meanwhile
  REQUIRE_OK(runtime->wait_live("delinquency", 2, 60s));
  REQUIRE_OK(runtime->wait_caught_up("delinquency", 60s));
  auto fresh = runtime->status("delinquency");
  REQUIRE_OK(fresh);
  BOOST_TEST(!fresh->needs_rebuild);
  BOOST_TEST(!fresh->rebuild.has_value());
  BOOST_TEST((test::dump_view(*runtime, "delinquency") == before));
}

BOOST_AUTO_TEST_CASE(a_rule_set_change_then_a_rebuild_changes_exactly_the_rows_the_rule_affects) {
  auto f = test::make_fixture("rules");
  const std::vector<int> days = {0, 5, 60, 90, 91, 100, 119, 120, 121, 150, 181, 250, 400};
  for (size_t i = 0; i < days.size(); ++i) {
    const std::string app = "app-" + std::to_string(i), loan = "L" + std::to_string(i);
    f.add("application", app, "ApplicationSubmitted");
    f.add("application", app, "LoanDisbursed", {{"loan_number", loan}});
    if (days[i] > 0) f.add("application", app, "LoanOverdue", {{"loan_number", loan}, {"days_past_due", days[i]}});
  }
  f.add("application", "app-0", "LoanWrittenOff", {{"loan_number", "L0"}});
  f.flush();
  const std::string rules = test::fresh_folder("rules");
  std::filesystem::create_directories(rules);
  auto document = nlohmann::json::parse(std::ifstream(std::string(XYD_RULES_DIR) + "/delinquency.json"));
  document["version"] = "test.1";
  std::ofstream(rules + "/delinquency.json") << document.dump(2);

  const std::string store = test::fresh_folder("rules-store");
  auto runtime = open_runtime(f, store, {"delinquency"}, rules);
  REQUIRE_OK(runtime->wait_live("delinquency", 1, 60s));
  REQUIRE_OK(runtime->wait_caught_up("delinquency", 60s));
  auto before = test::dump_view(*runtime, "delinquency");

  // Substandard (次级) from 121 days instead of 91: loans at 91..120 days become 关注.
  document["classes"][2]["min_days_past_due"] = 121;
  std::ofstream(rules + "/delinquency.json") << document.dump(2);
  auto refused = runtime->rebuild("delinquency");
  BOOST_REQUIRE(!refused.ok());  // changed rules under the old version number
  BOOST_CHECK(refused.error().code == Errc::conflict);
  document["version"] = "test.2";
  std::ofstream(rules + "/delinquency.json") << document.dump(2);
  auto status = runtime->status("delinquency");
  REQUIRE_OK(status);
  BOOST_CHECK(status->needs_rebuild);
  BOOST_CHECK_EQUAL(status->rule_set_file_version, "test.2");
  auto version = runtime->rebuild("delinquency");
  REQUIRE_OK(version);
  REQUIRE_OK(runtime->wait_live("delinquency", *version, 60s));
  auto after = test::dump_view(*runtime, "delinquency");

  std::map<std::string, nlohmann::json> loans_before, loans_after;
  std::set<std::string> index_before, index_after;
  for (auto [rows, loans, index] :
       {std::tuple{&before, &loans_before, &index_before}, std::tuple{&after, &loans_after, &index_after}})
    for (const auto& [key, value] : *rows) {
      if (key[0] == projections::delinquency::kClassIndex) index->insert(key);
      if (key[0] != projections::delinquency::kLoanRow) continue;
      auto row = nlohmann::json::parse(value);
      (*loans)[row["loan_number"]] = row;
    }
  BOOST_REQUIRE_EQUAL(loans_before.size(), days.size());
  BOOST_REQUIRE_EQUAL(loans_after.size(), days.size());
  std::set<std::string> changed, expected;
  for (size_t i = 0; i < days.size(); ++i) {
    const std::string loan = "L" + std::to_string(i);
    BOOST_CHECK_EQUAL(loans_before[loan]["rule_set_version"], "test.1");
    BOOST_CHECK_EQUAL(loans_after[loan]["rule_set_version"], "test.2");  // every row names its rules
    auto a = loans_before[loan], b = loans_after[loan];
    a.erase("rule_set_version");
    b.erase("rule_set_version");
    if (a != b) changed.insert(loan);
    if (i != 0 && days[i] >= 91 && days[i] < 121) expected.insert(loan);
  }
  BOOST_CHECK(changed == expected);
  for (const auto& loan : expected) {
    BOOST_CHECK_EQUAL(loans_before[loan]["class"], "substandard");
    BOOST_CHECK_EQUAL(loans_after[loan]["class"], "special_mention");
  }
  std::set<std::string> index_changed;
  std::set_symmetric_difference(index_before.begin(), index_before.end(), index_after.begin(), index_after.end(),
                                std::inserter(index_changed, index_changed.end()));
  BOOST_CHECK_EQUAL(index_changed.size(), 2 * expected.size());  // out of 次级, into 关注
}

BOOST_AUTO_TEST_SUITE_END()

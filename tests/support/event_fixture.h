// Test helper: a fresh log of the backend under test (backend_under_test(): XYD_TEST_BACKEND) with the xyd event
// topics under a prefix of its own (so runs on a shared Kafka broker never meet), and chained,
// sealed events appended to it, as the write side stores them. Used by one test thread.
#pragma once

#include <string>
#include <vector>

#include "projections/runtime/runtime.h"
#include "projections/sample_events.h"
#include "tests/support/test_log.h"

namespace xyd::test {

struct EventFixture {
  TestLog t;
  std::string prefix;  // "test.<unique>.events."
  projections::ChainedEvents chains;
  std::vector<log::OutRecord> pending;
  uint64_t appended = 0;

  // Queues the next event of an aggregate (data fields it lacks get sample values).
  void add(const std::string& type, const std::string& id, const std::string& name,
           nlohmann::json data = nlohmann::json::object(), events::Actor actor = {});
  // Appends what is queued, in batches.
  void flush();
  // `count` events over `aggregates` applications (submitted, then screened, assigned, ...).
  void add_applications(int aggregates, int count, const std::string& stem = "app");

  // Runtime settings for this fixture: its own store folder, rules, prefix, small batches.
  projections::runtime::RuntimeOptions runtime_options(const std::string& store, size_t max_batch = 64) const;
};

EventFixture make_fixture(const std::string& name, int32_t partitions = 3);
// A fresh temporary folder.
std::string fresh_folder(const std::string& name);
// Every row of the live version of a projection (runtime keys excluded), in key order.
std::vector<std::pair<std::string, std::string>> dump_view(const projections::runtime::ProjectionRuntime& runtime,
                                                           const std::string& name);
// Where the log is, for a child process: the embedded folder or the Kafka bootstrap servers.
std::string log_location(const TestLog& t);

}  // namespace xyd::test

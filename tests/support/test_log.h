// Opens the log backend under test (backend_under_test(): XYD_TEST_BACKEND) in a fresh place:
// the embedded log in a new temporary folder, Kafka on the broker XYD_TEST_KAFKA names (a test
// without it fails: ops/test.sh starts the broker). Used by one test thread.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "events/log/open_log.h"
#include "tests/support/backend.h"

namespace xyd::test {

struct TestLog {
  log::LogOptions options;
  std::unique_ptr<log::EventLog> log;

  // A topic name no other test (or earlier run on the same broker) has used.
  std::string unique_topic(const std::string& stem) const;
  // Closes the log and opens it again from the same place (embedded: the same folder; Kafka: a
  // new producer and consumers), with the same transactional id unless told otherwise.
  void reopen(const std::string& transactional_id = {});
};

// Opens a fresh log of the backend under test; fails the test if it cannot.
TestLog open_test_log(const std::string& name);

// Reads the partitions from `starts` until `expected` records arrived, then polls a little longer
// to catch any extra one; gives up at `timeout`.
std::vector<log::Record> read_records(log::EventLog& log, const std::map<log::TopicPartition, int64_t>& starts,
                                      size_t expected, std::chrono::milliseconds timeout = std::chrono::seconds(30));
// All partitions of `topic` from the beginning.
std::map<log::TopicPartition, int64_t> from_beginning(log::EventLog& log, const std::string& topic);

}  // namespace xyd::test

// The EventLog conformance suite: the same cases on the backend XYD_TEST_BACKEND names, registered
// once per backend (log_conformance_embedded, log_conformance_kafka).
#define BOOST_TEST_MODULE log_conformance
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/log/aborted_transaction.h"
#include "tests/support/test_log.h"

using namespace std::chrono_literals;
using xyd::log::ConsumedOffsets;
using xyd::log::OutRecord;
using xyd::log::Record;
using xyd::log::TopicPartition;
using xyd::test::open_test_log;
using xyd::test::read_records;

namespace {

OutRecord record(const std::string& topic, const std::string& key, const std::string& value) {
  return OutRecord{topic, key, value, {{"ce_id", key + ":" + value}, {"ce_type", "xyd.test.v1"}}, std::nullopt};
}

std::string error_of(const xyd::Status& s) {
  return s.ok() ? "" : s.error().to_string();
}
template <typename T>
std::string error_of(const xyd::Result<T>& r) {
  return r.ok() ? "" : r.error().to_string();
}

#define REQUIRE_OK(expr)                                            \
  do {                                                              \
    auto&& require_ok_ = (expr);                                    \
    BOOST_REQUIRE_MESSAGE(require_ok_.ok(), error_of(require_ok_)); \
  } while (0)

}  // namespace

BOOST_AUTO_TEST_SUITE(event_log)

BOOST_AUTO_TEST_CASE(order_per_key_is_kept) {
  auto t = open_test_log("order");
  const auto topic = t.unique_topic("order");
  REQUIRE_OK(t.log->create_topics({{topic, 4}}));
  const std::vector<std::string> keys = {"alpha", "bravo", "charlie", "delta", "echo"};
  // Five writers, one per key, interleaving single-record and multi-record appends.
  std::vector<std::thread> writers;
  for (const auto& key : keys)
    writers.emplace_back([&, key] {
      for (int i = 0; i < 60; i += 3) {
        std::vector<OutRecord> batch;
        for (int j = i; j < i + 3; ++j) batch.push_back(record(topic, key, std::to_string(j)));
        auto appended = t.log->append(batch);
        BOOST_REQUIRE_MESSAGE(appended.ok(), error_of(appended));
      }
    });
  for (auto& w : writers) w.join();
  auto records = read_records(*t.log, xyd::test::from_beginning(*t.log, topic), keys.size() * 60);
  BOOST_REQUIRE_EQUAL(records.size(), keys.size() * 60);
  std::map<std::string, int> next;
  for (const auto& r : records) {
    BOOST_CHECK_EQUAL(r.partition, xyd::log::partition_for_key(r.key, 4));
    BOOST_CHECK_EQUAL(r.value, std::to_string(next[r.key]));
    ++next[r.key];
    BOOST_REQUIRE(r.header("ce_id"));
    BOOST_CHECK_EQUAL(*r.header("ce_id"), r.key + ":" + r.value);
  }
  for (const auto& key : keys) BOOST_CHECK_EQUAL(next[key], 60);
}

BOOST_AUTO_TEST_CASE(positions_match_offsets_read_back) {
  auto t = open_test_log("offsets");
  const auto topic = t.unique_topic("offsets");
  REQUIRE_OK(t.log->create_topics({{topic, 3}}));
  std::vector<OutRecord> batch;
  for (int i = 0; i < 30; ++i) batch.push_back(record(topic, "k" + std::to_string(i), "v" + std::to_string(i)));
  batch[0].partition = 2;  // an explicit partition wins over the key
  auto positions = t.log->append(batch);
  REQUIRE_OK(positions);
  BOOST_REQUIRE_EQUAL(positions->size(), batch.size());
  BOOST_CHECK_EQUAL(positions->at(0).tp.partition, 2);
  std::map<int32_t, int64_t> last;
  for (size_t i = 0; i < batch.size(); ++i) {
    const auto& p = positions->at(i);
    if (i > 0) BOOST_CHECK_EQUAL(p.tp.partition, xyd::log::partition_for_key(batch[i].key, 3));
    if (last.contains(p.tp.partition)) BOOST_CHECK_GT(p.offset, last[p.tp.partition]);
    last[p.tp.partition] = p.offset;
  }
  for (const auto& [partition, offset] : last) {
    auto end = t.log->end_offset({topic, partition});
    REQUIRE_OK(end);
    BOOST_CHECK_GT(*end, offset);
  }
  auto records = read_records(*t.log, xyd::test::from_beginning(*t.log, topic), batch.size());
  BOOST_REQUIRE_EQUAL(records.size(), batch.size());
  std::map<std::pair<int32_t, int64_t>, std::string> at;
  for (const auto& r : records) at[{r.partition, r.offset}] = r.value;
  for (size_t i = 0; i < batch.size(); ++i)
    BOOST_CHECK_EQUAL((at[{positions->at(i).tp.partition, positions->at(i).offset}]), batch[i].value);

  // Reading from a position starts exactly there.
  const auto& middle = positions->at(15);
  auto tail = read_records(*t.log, {{middle.tp, middle.offset}}, 1, 10s);
  BOOST_REQUIRE(!tail.empty());
  BOOST_CHECK_EQUAL(tail.front().offset, middle.offset);
  BOOST_CHECK_EQUAL(tail.front().value, batch[15].value);
}

BOOST_AUTO_TEST_CASE(aborted_transaction_is_never_seen) {
  auto t = open_test_log("abort");
  const auto topic = t.unique_topic("abort");
  REQUIRE_OK(t.log->create_topics({{topic, 2}}));
  ConsumedOffsets offsets{"abort-group", {{{topic, 0}, 42}}};
  std::vector<OutRecord> aborted;
  for (int i = 0; i < 20; ++i) aborted.push_back(record(topic, "k" + std::to_string(i), "aborted"));
  xyd::test::write_aborted_transaction(t, aborted, &offsets);
  std::vector<OutRecord> marker = {record(topic, "k1", "committed"), record(topic, "k2", "committed")};
  REQUIRE_OK(t.log->append(marker));
  auto records = read_records(*t.log, xyd::test::from_beginning(*t.log, topic), 2);
  BOOST_REQUIRE_EQUAL(records.size(), 2u);
  for (const auto& r : records) BOOST_CHECK_EQUAL(r.value, "committed");
  auto group = t.log->committed("abort-group", {{topic, 0}});
  REQUIRE_OK(group);
  BOOST_CHECK(group->empty());  // the aborted transaction's offsets were not committed either
}

BOOST_AUTO_TEST_CASE(consumed_offsets_commit_with_the_batch) {
  auto t = open_test_log("offsets-commit");
  const auto in = t.unique_topic("in");
  const auto out = t.unique_topic("out");
  REQUIRE_OK(t.log->create_topics({{in, 2}, {out, 2}}));
  ConsumedOffsets offsets{"processor-" + in, {{{in, 0}, 7}, {{in, 1}, 3}}};
  std::vector<OutRecord> batch = {record(out, "a", "1"), record(out, "b", "2")};
  REQUIRE_OK(t.log->append(batch, &offsets));
  auto committed = t.log->committed(offsets.group, {{in, 0}, {in, 1}});
  REQUIRE_OK(committed);
  BOOST_CHECK_EQUAL((*committed)[(TopicPartition{in, 0})], 7);
  BOOST_CHECK_EQUAL((*committed)[(TopicPartition{in, 1})], 3);
  // A later transaction moves them on.
  offsets.next_offsets = {{{in, 0}, 9}};
  REQUIRE_OK(t.log->append(std::vector<OutRecord>{record(out, "c", "3")}, &offsets));
  committed = t.log->committed(offsets.group, {{in, 0}, {in, 1}});
  REQUIRE_OK(committed);
  BOOST_CHECK_EQUAL((*committed)[(TopicPartition{in, 0})], 9);
  BOOST_CHECK_EQUAL((*committed)[(TopicPartition{in, 1})], 3);
}

BOOST_AUTO_TEST_CASE(durable_across_restart) {
  auto t = open_test_log("restart");
  const auto topic = t.unique_topic("restart");
  REQUIRE_OK(t.log->create_topics({{topic, 3}}));
  std::vector<OutRecord> batch;
  for (int i = 0; i < 100; ++i) batch.push_back(record(topic, "k" + std::to_string(i % 7), std::to_string(i)));
  ConsumedOffsets offsets{"restart-group", {{{topic, 1}, 5}}};
  auto positions = t.log->append(batch, &offsets);
  REQUIRE_OK(positions);
  t.reopen();
  auto partitions = t.log->partition_count(topic);
  REQUIRE_OK(partitions);
  BOOST_CHECK_EQUAL(*partitions, 3);
  auto records = read_records(*t.log, xyd::test::from_beginning(*t.log, topic), batch.size());
  BOOST_REQUIRE_EQUAL(records.size(), batch.size());
  std::set<std::string> values;
  for (const auto& r : records) values.insert(r.value);
  BOOST_CHECK_EQUAL(values.size(), batch.size());
  auto committed = t.log->committed("restart-group", {{topic, 1}});
  REQUIRE_OK(committed);
  BOOST_CHECK_EQUAL((*committed)[(TopicPartition{topic, 1})], 5);
  // Appends after the restart continue the offsets.
  auto more = t.log->append(std::vector<OutRecord>{record(topic, "k0", "after")});
  REQUIRE_OK(more);
  int64_t last_before = -1;
  for (const auto& p : *positions)
    if (p.tp == more->front().tp) last_before = std::max(last_before, p.offset);
  BOOST_CHECK_GT(more->front().offset, last_before);
}

BOOST_AUTO_TEST_CASE(concurrent_appends_get_distinct_positions) {
  auto t = open_test_log("concurrent");
  const auto topic = t.unique_topic("concurrent");
  REQUIRE_OK(t.log->create_topics({{topic, 3}}));
  constexpr int kThreads = 8, kAppends = 50;
  std::mutex mutex;
  std::set<std::pair<int32_t, int64_t>> seen;
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w)
    threads.emplace_back([&, w] {
      for (int i = 0; i < kAppends; ++i) {
        std::vector<OutRecord> batch = {record(topic, "w" + std::to_string(w), std::to_string(i)),
                                        record(topic, "x" + std::to_string(i), std::to_string(w))};
        auto positions = t.log->append(batch);
        BOOST_REQUIRE_MESSAGE(positions.ok(), error_of(positions));
        std::lock_guard lock(mutex);
        for (const auto& p : *positions) BOOST_CHECK(seen.insert({p.tp.partition, p.offset}).second);
      }
    });
  for (auto& th : threads) th.join();
  BOOST_CHECK_EQUAL(seen.size(), size_t(kThreads * kAppends * 2));
  auto records = read_records(*t.log, xyd::test::from_beginning(*t.log, topic), seen.size());
  BOOST_CHECK_EQUAL(records.size(), seen.size());
}

BOOST_AUTO_TEST_CASE(group_members_share_partitions_and_resume_from_committed) {
  auto t = open_test_log("group");
  const auto topic = t.unique_topic("group");
  REQUIRE_OK(t.log->create_topics({{topic, 4}}));
  std::vector<OutRecord> batch;
  for (int i = 0; i < 40; ++i) batch.push_back(record(topic, "k" + std::to_string(i), std::to_string(i)));
  REQUIRE_OK(t.log->append(batch));
  const std::string group = "group-" + topic;
  // A lone member gets every partition and reads everything.
  std::map<TopicPartition, int64_t> next;
  {
    std::vector<TopicPartition> assigned;
    auto member = t.log->subscribe(group, {topic}, {[&](const auto& tps) { assigned = tps; }, nullptr});
    REQUIRE_OK(member);
    size_t count = 0;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (count < batch.size() && std::chrono::steady_clock::now() < deadline) {
      auto records = (*member)->poll(200ms, 100);
      REQUIRE_OK(records);
      for (const auto& r : *records) next[r.tp()] = r.offset + 1;
      count += records->size();
    }
    BOOST_CHECK_EQUAL(count, batch.size());
    BOOST_CHECK_EQUAL(assigned.size(), 4u);
    BOOST_CHECK_EQUAL((*member)->assignment().size(), 4u);
    // Store progress with the batch it produced, as a processor does.
    const ConsumedOffsets progress{group, next};
    REQUIRE_OK(t.log->append(std::vector<OutRecord>{record(topic, "progress", "marker")}, &progress));
  }
  // A new member resumes after the committed offsets: it sees only the marker.
  auto member = t.log->subscribe(group, {topic}, {});
  REQUIRE_OK(member);
  std::vector<Record> seen;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (seen.empty() && std::chrono::steady_clock::now() < deadline) {
    auto records = (*member)->poll(200ms, 100);
    REQUIRE_OK(records);
    for (auto& r : *records) seen.push_back(r);
  }
  auto extra = (*member)->poll(700ms, 100);
  REQUIRE_OK(extra);
  BOOST_REQUIRE_EQUAL(seen.size() + extra->size(), 1u);
  BOOST_CHECK_EQUAL(seen.front().value, "marker");
}

// A child process appends batches of ten and reports each acknowledged batch; it is killed with
// SIGKILL at a random moment. Afterwards every acknowledged batch is there exactly once, and every
// batch that is there at all is whole.
BOOST_AUTO_TEST_CASE(kill_9_loses_no_acknowledged_batch_and_leaves_no_half_batch) {
  auto t = open_test_log("kill");
  const auto topic = t.unique_topic("kill");
  REQUIRE_OK(t.log->create_topics({{topic, 3}}));
  const std::string location =
      t.options.backend == "embedded" ? t.options.embedded.path + "-child" : t.options.kafka.brokers;
  const std::string child_txid = "xyd-test-kill-child-" + topic;
  std::mt19937 random(std::random_device{}());
  std::set<int> acknowledged;
  int first_batch = 0;
  for (int round = 0; round < 3; ++round) {
    int out[2];
    BOOST_REQUIRE(pipe(out) == 0);
    pid_t child = fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
      dup2(out[1], 1);
      close(out[0]);
      execl(XYD_APPEND_CHILD, XYD_APPEND_CHILD, t.options.backend.c_str(), location.c_str(), topic.c_str(),
            child_txid.c_str(), std::to_string(first_batch).c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    FILE* lines = fdopen(out[0], "r");
    const auto kill_after = std::chrono::milliseconds(std::uniform_int_distribution<int>(800, 2500)(random));
    std::thread killer([&] {
      std::this_thread::sleep_for(kill_after);
      kill(child, SIGKILL);
    });
    int batch = 0;
    while (fscanf(lines, "%d", &batch) == 1) acknowledged.insert(batch);
    killer.join();
    fclose(lines);
    int status = 0;
    waitpid(child, &status, 0);
    BOOST_CHECK_MESSAGE(WIFSIGNALED(status), "the appender should have died by SIGKILL");
    first_batch += 100000;
  }
  BOOST_REQUIRE_MESSAGE(!acknowledged.empty(), "the child acknowledged nothing before being killed");
  if (t.options.backend == "embedded") {
    t.options.embedded.path = location;
    t.reopen();
  } else {
    t.reopen(child_txid);  // a producer with the killed one's id fences it and aborts its open transaction
  }
  // Read everything there is (at least every acknowledged batch).
  auto records = read_records(*t.log, xyd::test::from_beginning(*t.log, topic), acknowledged.size() * 10, 60s);
  std::map<int, std::multiset<int>> batches;
  for (const auto& r : records) {
    int b = 0, i = 0;
    BOOST_REQUIRE(sscanf(r.value.c_str(), "%d/%d", &b, &i) == 2);
    batches[b].insert(i);
  }
  for (int b : acknowledged) BOOST_CHECK_MESSAGE(batches.contains(b), "acknowledged batch " << b << " is lost");
  for (const auto& [b, items] : batches) {
    BOOST_CHECK_MESSAGE(items.size() == 10, "batch " << b << " has " << items.size() << " records, not 10");
    BOOST_CHECK_MESSAGE(std::set<int>(items.begin(), items.end()).size() == items.size(),
                        "batch " << b << " has duplicates");
  }
  BOOST_TEST_MESSAGE("acknowledged " << acknowledged.size() << " batches, found " << batches.size());
}

BOOST_AUTO_TEST_CASE(reader_position_reaches_the_end_offset_once_caught_up) {
  auto t = open_test_log("position");
  const auto topic = t.unique_topic("position");
  REQUIRE_OK(t.log->create_topics({{topic, 1}}));
  for (int i = 0; i < 3; ++i) REQUIRE_OK(t.log->append(std::vector<OutRecord>{record(topic, "k", std::to_string(i))}));
  // An aborted transaction in between (Kafka): readers pass over its records and marker.
  xyd::test::write_aborted_transaction(t, {record(topic, "k", "aborted")}, nullptr);
  REQUIRE_OK(t.log->append(std::vector<OutRecord>{record(topic, "k", "3")}));
  const TopicPartition tp{topic, 0};
  auto end = t.log->end_offset(tp);
  REQUIRE_OK(end);
  auto reader = t.log->reader();
  REQUIRE_OK(reader);
  REQUIRE_OK((*reader)->assign({{tp, 0}}));
  auto start = (*reader)->position(tp);
  REQUIRE_OK(start);
  BOOST_CHECK_EQUAL(*start, 0);
  // On Kafka, transaction markers are written just after commit returns, so the end offset is
  // read again until the reader's position has reached it.
  size_t seen = 0;
  int64_t position = 0, last_end = *end;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while ((seen < 4 || position < last_end) && std::chrono::steady_clock::now() < deadline) {
    auto records = (*reader)->poll(200ms, 100);
    REQUIRE_OK(records);
    seen += records->size();
    auto p = (*reader)->position(tp);
    REQUIRE_OK(p);
    position = *p;
    auto e = t.log->end_offset(tp);
    REQUIRE_OK(e);
    last_end = *e;
  }
  BOOST_CHECK_EQUAL(seen, 4u);
  BOOST_CHECK_GE(last_end, *end);
  BOOST_CHECK_EQUAL(position, last_end);
}

BOOST_AUTO_TEST_CASE(unknown_topic_is_refused_and_nothing_is_written) {
  auto t = open_test_log("unknown");
  const auto topic = t.unique_topic("known");
  REQUIRE_OK(t.log->create_topics({{topic, 1}}));
  std::vector<OutRecord> batch = {record(topic, "a", "1"), record(t.unique_topic("missing"), "b", "2")};
  auto appended = t.log->append(batch);
  BOOST_REQUIRE(!appended.ok());
  BOOST_CHECK(appended.error().code == xyd::Errc::not_found || appended.error().code == xyd::Errc::unavailable);
  auto records = read_records(*t.log, xyd::test::from_beginning(*t.log, topic), 1, 1500ms);
  BOOST_CHECK_EQUAL(records.size(), 0u);
  // An existing topic with another partition count is a conflict.
  auto again = t.log->create_topics({{topic, 2}});
  BOOST_REQUIRE(!again.ok());
  BOOST_CHECK(again.error().code == xyd::Errc::conflict);
}

// The broker is frozen (SIGSTOP) while appends are in flight, so produce requests time out and
// the idempotent producer sends them again; the broker, thawed, must keep each record once. Kafka
// only: the embedded log has no producer to retry.
BOOST_AUTO_TEST_CASE(no_duplicate_after_a_producer_retry,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                       return xyd::test::on_kafka();
                     })) {
  const char* pidfile = std::getenv("XYD_TEST_KAFKA_PIDFILE");
  BOOST_REQUIRE_MESSAGE(pidfile && *pidfile, "XYD_TEST_KAFKA_PIDFILE is not set (ops/test.sh sets it)");
  pid_t broker = 0;
  {
    FILE* f = std::fopen(pidfile, "r");
    BOOST_REQUIRE_MESSAGE(f, "cannot read " << pidfile);
    BOOST_REQUIRE(std::fscanf(f, "%d", &broker) == 1);
    std::fclose(f);
  }
  auto t = open_test_log("retry");
  std::atomic<int64_t> retries{0};
  t.options.kafka.request_timeout = 1000ms;
  t.options.kafka.statistics = [&](std::string_view json) {
    auto stats = nlohmann::json::parse(json, nullptr, false);
    if (stats.is_discarded() || !stats.contains("brokers")) return;
    int64_t sum = 0;
    // Produce retries, or requests that timed out and were sent again by the idempotent producer.
    for (const auto& [name, b] : stats["brokers"].items())
      sum += b.value("txretries", int64_t{0}) + b.value("req_timeouts", int64_t{0});
    retries = std::max<int64_t>(retries, sum);
  };
  t.reopen();
  const auto topic = t.unique_topic("retry");
  REQUIRE_OK(t.log->create_topics({{topic, 3}}));
  constexpr int kBatches = 40, kEach = 500;
  std::atomic<int> done{0};
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      std::vector<OutRecord> batch;
      for (int i = 0; i < kEach; ++i)
        batch.push_back(record(topic, "k" + std::to_string(i), std::to_string(b) + "/" + std::to_string(i)));
      auto appended = t.log->append(batch);
      BOOST_REQUIRE_MESSAGE(appended.ok(), "append " << b << ": " << error_of(appended));
      ++done;
      std::this_thread::sleep_for(20ms);
    }
  });
  while (done < 5) std::this_thread::sleep_for(5ms);
  BOOST_REQUIRE(kill(broker, SIGSTOP) == 0);
  std::this_thread::sleep_for(3500ms);
  BOOST_REQUIRE(kill(broker, SIGCONT) == 0);
  writer.join();
  auto records = read_records(*t.log, xyd::test::from_beginning(*t.log, topic), kBatches * kEach, 60s);
  std::set<std::string> values;
  for (const auto& r : records) BOOST_CHECK_MESSAGE(values.insert(r.value).second, "duplicate " << r.value);
  BOOST_CHECK_EQUAL(records.size(), size_t(kBatches * kEach));
  std::this_thread::sleep_for(1500ms);  // one more statistics interval
  BOOST_TEST_MESSAGE("producer retries counted by librdkafka: " << retries.load());
  BOOST_CHECK_MESSAGE(retries > 0, "the freeze caused no retry, so the test proved nothing");
}

BOOST_AUTO_TEST_SUITE_END()

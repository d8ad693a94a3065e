// `xyd audit verify` on the backend under test (registered once per backend): a clean log verifies;
// a forged event appended to an aggregate, and a stored event altered in place, are each named
// as the first broken link (aggregate, version, topic/partition@offset, what is wrong).
// Altering in place: on the embedded log, the record's value is rewritten in the RocksDB
// "records" column family with the log closed; on Kafka, a byte of the JSON value is changed in
// the broker's segment file (the test's producer does not compress, and librdkafka's check.crcs
// is off, as by default, so the altered bytes reach the verifier as any reader would get them).
#define BOOST_TEST_MODULE audit_verify
#include <rocksdb/db.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "events/codec.h"
#include "events/embedded/record_codec.h"
#include "projections/runtime/chain_audit.h"
#include "tests/support/event_fixture.h"

using namespace xyd;
using projections::runtime::audit_chains;
using projections::runtime::ChainAuditOptions;

namespace {

projections::VerifyReport verify(test::EventFixture& f) {
  ChainAuditOptions options;
  options.topic_prefix = f.prefix;
  auto report = audit_chains(*f.t.log, options);
  BOOST_REQUIRE_MESSAGE(report.ok(), report.error().to_string());
  return std::move(report).value();
}

// Appends one event of an aggregate now and returns where it landed.
log::Position append_now(test::EventFixture& f, const std::string& type, const std::string& id, const std::string& name,
                         nlohmann::json data) {
  f.flush();
  f.add(type, id, name, std::move(data));
  auto positions = f.t.log->append(f.pending);
  BOOST_REQUIRE_MESSAGE(positions.ok(), positions.error().to_string());
  f.pending.clear();
  ++f.appended;
  return positions->front();
}

void alter_embedded_record(const std::string& path, const log::Position& at, const std::string& from,
                           const std::string& to) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {{rocksdb::kDefaultColumnFamilyName, {}}, {"records", {}}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string key = log::record_key(at.tp, at.offset);
  std::string stored;
  BOOST_REQUIRE(db->Get(rocksdb::ReadOptions(), handles[1], key, &stored).ok());
  log::Record record;
  BOOST_REQUIRE(log::decode_record_value(stored, record));
  const auto found = record.value.find(from);
  BOOST_REQUIRE(found != std::string::npos);
  record.value.replace(found, from.size(), to);
  log::OutRecord rewritten{at.tp.topic, record.key, record.value, record.headers, at.tp.partition};
  BOOST_REQUIRE(
      db->Put(rocksdb::WriteOptions(), handles[1], key, log::encode_record_value(rewritten, record.timestamp_ms)).ok());
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
}

void alter_kafka_segment(const log::Position& at, const std::string& from, const std::string& to) {
  const char* pidfile = std::getenv("XYD_TEST_KAFKA_PIDFILE");
  BOOST_REQUIRE_MESSAGE(pidfile && *pidfile,
                        "XYD_TEST_KAFKA_PIDFILE is not set: this test alters the test broker's segment file and "
                        "finds the broker's data folder beside its pid file (ops/test.sh sets it)");
  const auto folder =
      std::filesystem::path(pidfile).parent_path() / "logs" / (at.tp.topic + "-" + std::to_string(at.tp.partition));
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists(folder), "no segment folder " << folder);
  bool altered = false;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".log") continue;
    std::fstream segment(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(segment)), std::istreambuf_iterator<char>());
    const auto found = bytes.find(from);
    if (found == std::string::npos) continue;
    segment.clear();
    segment.seekp(static_cast<std::streamoff>(found));
    segment.write(to.data(), static_cast<std::streamsize>(to.size()));
    segment.flush();
    altered = true;
  }
  BOOST_REQUIRE_MESSAGE(altered, "the event's bytes were not found in " << folder << " (is the producer compressing?)");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(audit_verify)

BOOST_AUTO_TEST_CASE(a_clean_log_verifies) {
  auto f = test::make_fixture("clean");
  f.add_applications(25, 400);
  for (int i = 0; i < 30; ++i)
    f.add("enterprise", "ent-" + std::to_string(i % 10), i < 10 ? "EnterpriseRegistered" : "EnterpriseCertified");
  f.flush();
  auto report = verify(f);
  BOOST_CHECK(report.clean());
  BOOST_CHECK_EQUAL(report.events, f.appended);
  BOOST_CHECK_EQUAL(report.aggregates, 35u);
  // One aggregate alone.
  ChainAuditOptions one;
  one.topic_prefix = f.prefix;
  one.aggregate_type = "application";
  one.aggregate_id = "app-3";
  auto single = audit_chains(*f.t.log, one);
  BOOST_REQUIRE(single.ok());
  BOOST_CHECK(single->clean());
  BOOST_CHECK_EQUAL(single->events, static_cast<uint64_t>(f.chains.version_of("application", "app-3")));
}

BOOST_AUTO_TEST_CASE(a_forged_event_appended_to_an_aggregate_is_named) {
  auto f = test::make_fixture("forged");
  f.add_applications(5, 40);
  f.flush();
  // A second writer that never saw the history forks application app-2 at version 1.
  projections::ChainedEvents forger(f.prefix, "/xyd/forger");
  auto forged = forger.next("application", "app-2", "ApplicationSubmitted", {{"amount", 99999999}});
  BOOST_REQUIRE(forged.ok());
  std::vector<log::OutRecord> records = {*forged};
  auto positions = f.t.log->append(records);
  BOOST_REQUIRE(positions.ok());
  auto report = verify(f);
  BOOST_REQUIRE_EQUAL(report.first_breaks.size(), 1u);
  const auto& b = report.first_breaks[0];
  BOOST_CHECK_EQUAL(b.aggregate_type, "application");
  BOOST_CHECK_EQUAL(b.aggregate_id, "app-2");
  BOOST_CHECK_EQUAL(b.version, 1);
  BOOST_CHECK(b.tp == positions->front().tp);
  BOOST_CHECK_EQUAL(b.offset, positions->front().offset);
  BOOST_CHECK(b.link == projections::Link::version_repeated);
  BOOST_TEST_MESSAGE("reported: " << b.to_string());
}

BOOST_AUTO_TEST_CASE(a_stored_event_altered_in_place_is_named) {
  auto f = test::make_fixture("tampered");
  if (f.t.options.backend == "kafka") {
    f.t.options.kafka.overrides["compression.type"] = "none";  // the JSON as bytes in the segment
    f.t.reopen();
  }
  f.add_applications(5, 30);
  const auto at = append_now(f, "application", "app-1", "CreditGranted", {{"amount", 123456789}});
  f.add_applications(5, 20);  // later events of the same aggregate still link to its stored hash
  f.flush();
  BOOST_REQUIRE(verify(f).clean());
  // 1,234,567.89 yuan of credit becomes 9,234,567.89: the stored hash is left as it was.
  const std::string from = "\"amount\":123456789", to = "\"amount\":923456789";
  if (f.t.options.backend == "embedded") {
    f.t.log.reset();
    alter_embedded_record(f.t.options.embedded.path, at, from, to);
    f.t.reopen();
  } else {
    alter_kafka_segment(at, from, to);
  }
  auto report = verify(f);
  BOOST_CHECK_EQUAL(report.broken_links, 1u);
  BOOST_REQUIRE_EQUAL(report.first_breaks.size(), 1u);
  const auto& b = report.first_breaks[0];
  BOOST_CHECK_EQUAL(b.aggregate_id, "app-1");
  BOOST_CHECK(b.tp == at.tp);
  BOOST_CHECK_EQUAL(b.offset, at.offset);
  BOOST_CHECK(b.link == projections::Link::content_altered);
  BOOST_TEST_MESSAGE("reported: " << b.to_string());
}

BOOST_AUTO_TEST_SUITE_END()

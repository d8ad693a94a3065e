// The command processor on the backend under test, in process: idempotency (also across a
// restart and after the aggregate store is lost), refusals, and dead-lettering of malformed
// command records.
#define BOOST_TEST_MODULE command_processor
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <thread>

#include "aggregates/account.h"
#include "aggregates/processor/write_side.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "tests/log/test_log.h"

using namespace std::chrono_literals;
using namespace xyd;
using namespace xyd::domain;

namespace {

Command registration(const std::string& id, const std::string& phone) {
  Command c;
  c.id = id;
  c.name = "RegisterAccount";
  c.aggregate_type = "account";
  c.aggregate_id = account_id_for_phone(phone);
  c.body = {{"phone", phone}, {"kind", "enterprise_user"}, {"region", "440300"}};
  c.body_hash = events::sha256_hex(c.body.dump());
  return c;
}

std::string unique_phone() {
  static int n = 0;
  return "17" + std::to_string(100 + std::rand() % 900) + std::to_string(100000 + n++);
}

struct Fixture {
  test::TestLog t = test::open_test_log("processor");
  std::string state_dir = t.options.embedded.path + "-state-" + events::uuid_v7().substr(0, 8);
  std::unique_ptr<WriteSide> side;

  Fixture() {
    BOOST_REQUIRE(t.log->create_topics(events::standard_topics(6)).ok());  // as xyd serve makes them
    start();
  }
  void start() {
    WriteSideOptions options;
    options.state_dir = state_dir;
    options.node = "processor-test";
    auto started = WriteSide::start(*t.log, options);
    BOOST_REQUIRE_MESSAGE(started.ok(), started.error().to_string());
    side = std::move(started).value();
  }
  Outcome run(const Command& c) {
    auto outcome = side->gateway().submit(c);
    BOOST_REQUIRE_MESSAGE(outcome.ok(), outcome.error().to_string());
    return *outcome;
  }
  // Events of one account aggregate in the log.
  size_t events_of(const std::string& account_id) {
    auto by = test::read_records(*t.log, test::from_beginning(*t.log, "xyd.events.account"), 1000000, 3s);
    size_t n = 0;
    for (const auto& r : by) n += r.key == account_id;
    return n;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(XYD_PROCESSOR_SUITE)

BOOST_AUTO_TEST_CASE(a_repeated_command_returns_the_first_outcome_and_appends_nothing) {
  Fixture f;
  const auto phone = unique_phone();
  auto command = registration("register:" + phone, phone);
  auto first = f.run(command);
  BOOST_REQUIRE(first.accepted);
  BOOST_CHECK_EQUAL(first.version, 1);
  auto second = f.run(command);
  BOOST_CHECK(second.accepted);
  BOOST_CHECK(second.replayed);
  BOOST_CHECK_EQUAL(second.events.dump(), first.events.dump());
  BOOST_CHECK_EQUAL(f.events_of(command.aggregate_id), 1u);

  // The same key with another body is refused; the phone registered under a new key is a conflict.
  auto other = command;
  other.body["region"] = "110000";
  other.body_hash = events::sha256_hex(other.body.dump());
  auto reused = f.run(other);
  BOOST_CHECK(!reused.accepted);
  BOOST_REQUIRE(reused.error);
  BOOST_CHECK_EQUAL(reused.error->rule, "same-key-same-body");
  auto duplicate = f.run(registration("register-again:" + phone, phone));
  BOOST_CHECK(!duplicate.accepted);
  BOOST_CHECK(duplicate.error->code == Errc::conflict);
  BOOST_CHECK_EQUAL(f.events_of(command.aggregate_id), 1u);
}

BOOST_AUTO_TEST_CASE(idempotency_and_state_survive_a_restart_and_a_lost_store) {
  Fixture f;
  const auto phone = unique_phone();
  auto command = registration("register:" + phone, phone);
  auto first = f.run(command);
  BOOST_REQUIRE(first.accepted);
  f.side.reset();
  f.start();  // restart with the store
  auto replay = f.run(command);
  BOOST_CHECK(replay.replayed);
  BOOST_CHECK_EQUAL(replay.events.dump(), first.events.dump());
  f.side.reset();
  std::filesystem::remove_all(f.state_dir);  // the store is lost: caught up from the log
  f.start();
  auto after_loss = f.run(command);
  BOOST_CHECK(after_loss.replayed);
  BOOST_CHECK_EQUAL(after_loss.events.dump(), first.events.dump());
  auto duplicate = f.run(registration("register-again:" + phone, phone));
  BOOST_CHECK(!duplicate.accepted);
  BOOST_CHECK_EQUAL(f.events_of(command.aggregate_id), 1u);
}

BOOST_AUTO_TEST_CASE(a_malformed_command_record_goes_to_the_dead_letter_topic) {
  Fixture f;
  const std::string key = "acc-junk-" + events::uuid_v7();  // the topic may hold earlier runs' dead letters
  std::vector<log::OutRecord> junk = {{"xyd.commands", key, "{\"not\": \"a command\"}", {}, {}}};
  BOOST_REQUIRE(f.t.log->append(junk).ok());
  std::vector<log::Record> dead;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (dead.empty() && std::chrono::steady_clock::now() < deadline)
    for (auto& r : test::read_records(*f.t.log, test::from_beginning(*f.t.log, "xyd.dlq"), 1000000, 1s))
      if (r.key == key) dead.push_back(r);
  BOOST_REQUIRE_EQUAL(dead.size(), 1u);
  BOOST_CHECK_EQUAL(dead.front().value, junk.front().value);
  BOOST_REQUIRE(dead.front().header("xyd_reason"));
  BOOST_CHECK(dead.front().header("xyd_reason")->find("command.id") != std::string::npos);
  // The processor goes on.
  const auto phone = unique_phone();
  BOOST_CHECK(f.run(registration("after-junk:" + phone, phone)).accepted);
}

BOOST_AUTO_TEST_SUITE_END()

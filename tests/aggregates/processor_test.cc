// The command processor on the backend under test, in process: idempotency (also across a
// restart and after the aggregate store is lost), refusals, and dead-lettering of malformed
// command records.
#define BOOST_TEST_MODULE command_processor
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "aggregates/account.h"
#include "aggregates/processor/write_side.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "tests/support/test_log.h"

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
  DecideFunction decide = decide_checked;
  void start() {
    WriteSideOptions options;
    options.decide = decide;
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

BOOST_AUTO_TEST_SUITE(command_processor)

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

// Records written straight into xyd.commands, bypassing the API: what an attacker with a route
// around the API (or a buggy client of the topic) could send.
struct HostileRecord {
  std::string key;
  std::string value;
  bool answered;  // a command with an id gets a refusal outcome; anything else is dead-lettered
};

std::string command_json(const std::string& id, const std::string& name, const std::string& type,
                         const std::string& aggregate, const nlohmann::json& body,
                         const nlohmann::json& context = nlohmann::json::object()) {
  return nlohmann::json{{"id", id},
                        {"name", name},
                        {"aggregate_type", type},
                        {"aggregate_id", aggregate},
                        {"actor", {{"account", ""}, {"role", "system"}, {"institution", ""}, {"region", ""}}},
                        {"body", body},
                        {"context", context}}
      .dump();
}

std::vector<HostileRecord> hostile_records(const std::string& run) {
  const std::string phone = unique_phone();
  const std::string account = account_id_for_phone(phone);
  std::vector<HostileRecord> out;
  out.push_back({"junk-" + run, "not json at all {", false});
  out.push_back({"utf8-" + run, std::string("{\"id\": \"\xff\xfe\"}"), false});
  out.push_back({"deep-" + run, std::string(100000, '[') + std::string(100000, ']'), false});
  out.push_back({"array-body-" + run,
                 R"({"id":"c-array-)" + run +
                     R"(","name":"CreateAccount","aggregate_type":"account","aggregate_id":"x","body":[1]})",
                 false});
  // The server's first crash: a number where a string belongs.
  out.push_back(
      {account,
       command_json("c-type-" + run, "CreateAccount", "account", account,
                    {{"phone", phone}, {"kind", "account_manager"}, {"region", "440300"}, {"institution", 5}}),
       true});
  out.push_back({account,
                 command_json("c-region-" + run, "CreateAccount", "account", account,
                              {{"phone", phone}, {"kind", "enterprise_user"}, {"region", {1, 2}}}),
                 true});
  // Integers past int64, amounts past the ceiling.
  out.push_back({"app-" + run,
                 R"({"id":"c-huge-)" + run +
                     R"(","name":"DisburseLoan","aggregate_type":"application","aggregate_id":"app-)" + run +
                     R"(","actor":{"role":"system"},"body":{"loan_number":"L1","amount":18446744073709551615}})",
                 true});
  // Context facts of the wrong types (the server fills them in; here the record bypassed it).
  out.push_back({"app2-" + run,
                 command_json("c-context-" + run, "SubmitApplication", "application", "app2-" + run,
                              {{"enterprise", "e1"},
                               {"product", "p1"},
                               {"amount", 100},
                               {"term_months", 12},
                               {"purpose", "x"},
                               {"channel", "web"}},
                              {{"enterprise", {{"exists", "yes"}, {"owner", 7}, {"region", {1}}}},
                               {"product", {{"exists", 1}, {"service_regions", "all"}}},
                               {"institution", {{"status", false}}}}),
                 true});
  return out;
}

std::string id_of(const std::string& value) {
  auto j = nlohmann::json::parse(value, nullptr, false);
  return j.is_object() && j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "";
}

BOOST_AUTO_TEST_CASE(hostile_command_records_are_refused_or_dead_lettered_and_the_next_command_is_served) {
  Fixture f;
  const std::string run = events::uuid_v7();
  const auto hostile = hostile_records(run);
  std::vector<log::OutRecord> records;
  for (const auto& h : hostile) records.push_back({"xyd.commands", h.key, h.value, {}, {}});
  BOOST_REQUIRE(f.t.log->append(records).ok());

  // The processor is still up: a good command after them is decided.
  const auto phone = unique_phone();
  BOOST_REQUIRE(f.run(registration("after-hostile:" + phone, phone)).accepted);

  // Every command with an id got a refusal outcome that names no internals; the rest are dead letters.
  std::map<std::string, nlohmann::json> outcomes;
  for (auto& r : test::read_records(*f.t.log, test::from_beginning(*f.t.log, "xyd.outcomes"), 1000000, 3s)) {
    auto j = nlohmann::json::parse(r.value, nullptr, false);
    if (j.is_object() && j.contains("command_id")) outcomes[j["command_id"].get<std::string>()] = j;
  }
  std::set<std::string> dead_keys;
  for (auto& r : test::read_records(*f.t.log, test::from_beginning(*f.t.log, "xyd.dlq"), 1000000, 3s)) {
    BOOST_CHECK(r.header("xyd_reason"));
    dead_keys.insert(r.key);
  }
  for (const auto& h : hostile) {
    if (!h.answered) {
      BOOST_CHECK_MESSAGE(dead_keys.count(h.key), "dead letter for " + h.key);
      continue;
    }
    const std::string id = id_of(h.value);
    BOOST_REQUIRE_MESSAGE(outcomes.count(id), "an outcome for " + id);
    const auto& outcome = outcomes[id];
    BOOST_CHECK_MESSAGE(!outcome["accepted"].get<bool>(), id + " refused");
    const std::string text = outcome.dump();
    BOOST_CHECK_MESSAGE(
        text.find("json.exception") == std::string::npos && text.find("type_error") == std::string::npos,
        id + " says nothing internal: " + text);
    const auto& error = outcome["error"];
    BOOST_CHECK_MESSAGE(error["code"] == "invalid_argument" || error["rule"] == "internal-error",
                        id + " is a clean refusal: " + text);
  }
  // Wrong types are refused naming the field.
  BOOST_CHECK_EQUAL(outcomes["c-type-" + run]["error"]["field"], "institution");
  BOOST_CHECK_EQUAL(outcomes["c-region-" + run]["error"]["field"], "region");
  BOOST_CHECK_EQUAL(outcomes["c-huge-" + run]["error"]["field"], "amount");

  // A restart finds nothing left to choke on.
  f.side.reset();
  f.start();
  const auto later = unique_phone();
  BOOST_CHECK(f.run(registration("after-restart:" + later, later)).accepted);
}

BOOST_AUTO_TEST_CASE(a_decision_that_throws_is_an_internal_error_refusal_and_the_partition_moves_on) {
  Fixture f;
  // A decision that fails as no domain rule does: an exception with internals in its text.
  f.side.reset();
  f.decide = [](const Aggregate& aggregate, const AggregateState& state, const Command& c) {
    if (c.id.starts_with("explode:")) throw std::runtime_error("[json.exception.type_error.302] secret internals");
    return decide_checked(aggregate, state, c);
  };
  f.start();
  const auto phone = unique_phone();
  auto exploded = f.run(registration("explode:" + phone, phone));
  BOOST_CHECK(!exploded.accepted);
  BOOST_REQUIRE(exploded.error);
  BOOST_CHECK_EQUAL(exploded.error->rule, "internal-error");
  BOOST_CHECK(exploded.error->message.find("internal error ") == 0);
  BOOST_CHECK(exploded.error->message.find("secret") == std::string::npos);
  BOOST_CHECK(exploded.error->message.find("json.exception") == std::string::npos);
  BOOST_CHECK_EQUAL(f.events_of(account_id_for_phone(phone)), 0u);
  // The refusal was committed like any outcome: a repeat gets it again, and the next command is served.
  BOOST_CHECK(f.run(registration("explode:" + phone, phone)).replayed);
  BOOST_CHECK(f.run(registration("fine:" + phone, phone)).accepted);
  // And a restart does not meet the exploding command again.
  f.side.reset();
  f.start();
  const auto later = unique_phone();
  BOOST_CHECK(f.run(registration("fine-later:" + later, later)).accepted);
}

BOOST_AUTO_TEST_SUITE_END()

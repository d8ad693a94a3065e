// The data-source connector end to end, through `xyd serve` on the backend under test: records over
// HTTP (POST /api/v1/data-sources/{source}/records) and, on Kafka, on the topic xyd.data-sources
// become EnterpriseProfileChanged / RiskSignalRecorded (read back from the audit view); a repeated
// record changes nothing; a malformed one is refused naming its field and rule (a problem document
// over HTTP, a dead letter with the reason on the topic) and changes nothing; every call is in the
// source's flow log. Hostile records written straight into the input topics on both logs (not JSON,
// ill-formed UTF-8, deep nesting, wrong types, huge numbers), on xyd.data-sources and on a bank's
// xyd.in.<institution>: each is dead-lettered with its reason, the consumers stay up, and a good
// record after them is applied.
#define BOOST_TEST_MODULE connectors_data_source
#include <signal.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <set>
#include <thread>

#include "events/kafka/kafka_log.h"
#include "events/log/open_log.h"
#include "tests/support/backend.h"
#include "tests/support/connector_world.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

struct World : ConnectorWorld {
  std::string uscc, e1;
  World() : ConnectorWorld("data-source", {"--bank-inbound"}) {
    register_owner("owner", 20);
    uscc = make_uscc("440300", run + "02");
    e1 = enterprise("owner", "440300", run + "02", false);
  }

  json record(const std::string& id, json fields) const {
    json r = {{"schema", "xyd.data-source.v1"}, {"record_id", id}, {"uscc", uscc}};
    r.update(fields);
    return r;
  }
  // The names of the enterprise's events, as the audit view lists them once it shows `version`.
  std::vector<json> history() {
    const int64_t version = call("admin", "GET", "/api/v1/enterprises/" + e1).body.value("version", int64_t{0});
    for (int tries = 0; tries < 50; ++tries) {
      auto reply = call("admin", "GET", "/api/v1/audit/enterprise/" + e1 + "?limit=500");
      if (reply.status == 200 && static_cast<int64_t>(reply.body["items"].size()) == version)
        return reply.body["items"].get<std::vector<json>>();
      std::this_thread::sleep_for(100ms);
    }
    BOOST_FAIL("the audit view did not catch up");
    return {};
  }
  int64_t version() { return call("admin", "GET", "/api/v1/enterprises/" + e1).body.value("version", int64_t{0}); }

  // A bank with an application it has accepted (its manager m1): the bank's id and the order's.
  std::pair<std::string, std::string> accepted_application() {
    const std::string bank = onboard("bank", "440300");
    create("m1", 3, {{"kind", "account_manager"}, {"region", "440300"}, {"institution", bank}});
    ok("admin", "POST", "/api/v1/institutions/" + bank + "/managers", {{"manager", ids["m1"]}});
    const std::string product = publish_product(bank, "440300");
    const std::string e2 = enterprise("owner", "440300", run + "03", true);
    const std::string app = "app-" + run + "-1";
    ok("owner", "POST", "/api/v1/applications",
       {{"id", app},
        {"enterprise", e2},
        {"product", product},
        {"amount", 1000000},
        {"term_months", 12},
        {"purpose", "working capital"},
        {"channel", "web"}});
    ok("m1", "POST", "/api/v1/applications/" + app + "/accept", {{"intended_amount", 1000000}, {"comment", "ok"}});
    return {bank, app};
  }

  // Appends records straight to the log, as another producer would: on Kafka from this process;
  // on the embedded log (serve's own) with the server stopped, then started again.
  void append_directly(const std::vector<xyd::log::OutRecord>& records) {
    xyd::log::LogOptions options;
    if (on_kafka()) {
      options.backend = "kafka";
      options.kafka.brokers = std::getenv("XYD_TEST_KAFKA") ? std::getenv("XYD_TEST_KAFKA") : "";
      options.kafka.transactional_id = "data-source-test-hostile-" + run;
    } else {
      server.kill_with(SIGTERM);
      options.embedded.path = data + "/log";
    }
    {
      auto log = xyd::log::open_log(options);
      BOOST_REQUIRE_MESSAGE(log.ok(), log.error().to_string());
      auto appended = (*log)->append(records);
      BOOST_REQUIRE_MESSAGE(appended.ok(), appended.error().to_string());
    }
    if (!server.running()) {
      server.start();
      BOOST_REQUIRE_MESSAGE(server.wait_healthy(), "xyd serve did not start again");
    }
  }
};

World& world() {
  return shared_setup<World>();
}

const json kSignal = {{"kind", "risk_signal"},
                      {"signal_type", "judicial"},
                      {"severity", "high"},
                      {"observed_at", "2025-10-01"},
                      {"description", "被执行人"}};

}  // namespace

BOOST_AUTO_TEST_SUITE(data_source_connector)

BOOST_AUTO_TEST_CASE(http_records_become_enterprise_events_once) {
  auto& w = world();
  const std::string path = "/api/v1/data-sources/court/records";
  // The court's feed runs as a data_source machine key, which a system admin issues.
  BOOST_CHECK_EQUAL(w.call("owner", "POST", "/api/v1/data-sources/api-keys").status, 403);
  auto key = w.ok("admin", "POST", "/api/v1/data-sources/api-keys");
  BOOST_REQUIRE_EQUAL(key["role"], "data_source");
  const std::map<std::string, std::string> as_court = {{"Authorization", "ApiKey " + key["key"].get<std::string>()}};
  const int64_t before = w.version();
  auto first = w.call("", "POST", path, w.record("r-1-" + w.run, kSignal), as_court);
  BOOST_REQUIRE_MESSAGE(first.status == 200, first.body.dump());
  BOOST_CHECK_EQUAL(w.version(), before + 1);
  auto again = w.call("admin", "POST", path, w.record("r-1-" + w.run, kSignal));  // any channel: the same record
  BOOST_CHECK_EQUAL(again.status, 200);
  BOOST_CHECK_EQUAL(again.headers["Idempotency-Replayed"], "true");
  BOOST_CHECK_EQUAL(w.version(), before + 1);

  auto changed = w.call(
      "admin", "POST", path,
      w.record("r-2-" + w.run, {{"kind", "profile_change"}, {"field", "legal_representative"}, {"after", "李四"}}));
  BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
  auto history = w.history();
  BOOST_REQUIRE_GE(history.size(), 3u);
  const auto& signal = history[history.size() - 2];
  BOOST_CHECK_EQUAL(signal["name"], "RiskSignalRecorded");
  BOOST_CHECK_EQUAL(signal["data"]["source"], "court");
  BOOST_CHECK_EQUAL(signal["data"]["signal_type"], "judicial");
  BOOST_CHECK_EQUAL(signal["actor"]["role"], "data_source");
  const auto& change = history.back();
  BOOST_CHECK_EQUAL(change["name"], "EnterpriseProfileChanged");
  BOOST_CHECK_EQUAL(change["data"]["before"], "张三");
  BOOST_CHECK_EQUAL(change["data"]["after"], "李四");
}

BOOST_AUTO_TEST_CASE(bad_http_records_are_refused_by_name_and_change_nothing) {
  auto& w = world();
  const std::string path = "/api/v1/data-sources/court/records";
  const int64_t before = w.version();
  auto refused = [&](json record, int status, const std::string& field, const std::string& rule) {
    auto reply = w.call("admin", "POST", path, record);
    BOOST_CHECK_MESSAGE(
        reply.status == status && reply.body.value("field", "") == field && reply.body.value("rule", "") == rule,
        "expected " << status << " " << field << "/" << rule << ", got " << reply.status << " " << reply.body.dump());
    BOOST_CHECK_EQUAL(reply.headers["Content-Type"].find("application/problem+json"), 0u);
  };
  json bad_uscc = w.record("r-3-" + w.run, kSignal);
  bad_uscc["uscc"] = w.uscc.substr(0, 17) + (w.uscc.back() == '0' ? "1" : "0");
  refused(bad_uscc, 400, "uscc", "gb32100-check-character");
  json unknown = w.record("r-4-" + w.run, kSignal);
  unknown["uscc"] = make_uscc("440300", w.run + "99");
  refused(unknown, 404, "uscc", "known-enterprise");
  json weather = w.record("r-5-" + w.run, kSignal);
  weather["signal_type"] = "weather";
  refused(weather, 400, "signal_type", "signal-type");
  json future = w.record("r-6-" + w.run, kSignal);
  future["observed_at"] = "2999-01-01";
  refused(future, 400, "observed_at", "not-in-future");
  json old_schema = w.record("r-7-" + w.run, kSignal);
  old_schema["schema"] = "xyd.data-source.v0";
  refused(old_schema, 400, "schema", "schema-version");
  refused(w.record("r-8-" + w.run, {{"kind", "profile_change"}, {"field", "colour"}, {"after", "red"}}), 400, "field",
          "profile-field");
  // The id of an accepted record with other content is refused, not taken as new.
  json reused = w.record("r-1-" + w.run, kSignal);
  reused["severity"] = "low";
  auto reply = w.call("admin", "POST", path, reused);
  BOOST_CHECK_MESSAGE(reply.status >= 400 && reply.status < 500, reply.body.dump());
  BOOST_CHECK_EQUAL(
      w.call("admin", "POST", "/api/v1/data-sources/Bad_Name/records", w.record("r-9", kSignal)).body.value("rule", ""),
      "source-name");
  BOOST_CHECK_EQUAL(w.call("owner", "POST", path, w.record("r-10-" + w.run, kSignal)).status, 403);
  BOOST_CHECK_EQUAL(w.version(), before);

  auto calls = w.ok("admin", "GET", "/api/v1/data-sources/court/calls?limit=1000");
  size_t accepted = 0, refusals = 0;
  for (const auto& entry : calls["items"]) (entry["outcome"]["accepted"] == true ? accepted : refusals)++;
  BOOST_CHECK_GE(accepted, 3u);  // the two records and the replay
  BOOST_CHECK_GE(refusals, 7u);
  BOOST_CHECK_EQUAL(w.call("owner", "GET", "/api/v1/data-sources/court/calls").status, 403);
}

BOOST_AUTO_TEST_CASE(topic_records_become_events_or_dead_letters) {
  auto& w = world();
  if (!on_kafka()) {
    BOOST_TEST_MESSAGE(
        "xyd.data-sources is written by other processes only on Kafka (the embedded log is serve's own)");
    BOOST_CHECK(true);
    return;
  }
  const char* brokers = std::getenv("XYD_TEST_KAFKA");
  BOOST_REQUIRE_MESSAGE(brokers && *brokers, "XYD_TEST_KAFKA is not set");
  xyd::log::KafkaLogOptions options;
  options.brokers = brokers;
  options.transactional_id = "data-source-test-" + w.run;
  auto log = xyd::log::open_kafka_log(options);
  BOOST_REQUIRE_MESSAGE(log.ok(), log.error().message);
  const int64_t before = w.version();
  json valid = w.record("k-1-" + w.run, kSignal);
  valid["source"] = "tax-bureau";
  valid["signal_type"] = "tax";
  json bad_severity = valid;
  bad_severity["record_id"] = "k-2-" + w.run;
  bad_severity["severity"] = "apocalyptic";
  json unknown = valid;
  unknown["record_id"] = "k-3-" + w.run;
  unknown["uscc"] = make_uscc("440300", w.run + "98");
  std::vector<xyd::log::OutRecord> records = {
      {"xyd.data-sources", w.uscc, valid.dump(), {}, std::nullopt},
      {"xyd.data-sources", w.uscc, valid.dump(), {}, std::nullopt},  // a duplicate
      {"xyd.data-sources", w.uscc, "{not json", {}, std::nullopt},
      {"xyd.data-sources", w.uscc, bad_severity.dump(), {}, std::nullopt},
      {"xyd.data-sources", w.uscc, unknown.dump(), {}, std::nullopt}};
  auto appended = (*log)->append(records);
  BOOST_REQUIRE_MESSAGE(appended.ok(), appended.error().message);

  json letters;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  do {
    std::this_thread::sleep_for(200ms);
    letters = w.ok("admin", "GET", "/api/v1/data-sources/dead-letters?limit=1000");
  } while (letters["items"].size() < 3 && std::chrono::steady_clock::now() < deadline);
  BOOST_REQUIRE_EQUAL(letters["items"].size(), 3u);
  std::set<std::string> rules;
  for (const auto& letter : letters["items"]) rules.insert(letter["reason"]["rule"].get<std::string>());
  BOOST_CHECK((rules == std::set<std::string>{"json", "severity", "known-enterprise"}));
  BOOST_CHECK_EQUAL(w.version(), before + 1);  // the duplicate changed nothing
  auto history = w.history();
  BOOST_CHECK_EQUAL(history.back()["name"], "RiskSignalRecorded");
  BOOST_CHECK_EQUAL(history.back()["data"]["source"], "tax-bureau");
  BOOST_CHECK_EQUAL(history.back()["actor"]["role"], "data_source");
  auto [status, dlq] = run_command_line(std::string(XYD_BINARY) + " log tail --topic xyd.dlq --data '" + w.data + "'" +
                                        backend_flags_text() + " 2>/dev/null");
  BOOST_REQUIRE_EQUAL(status, 0);
  BOOST_CHECK(dlq.find("k-2-" + w.run) != std::string::npos);
  BOOST_CHECK(dlq.find("known-enterprise") != std::string::npos);
}

// Records no parser may trust: not JSON, ill-formed UTF-8, nesting past any limit, not an object.
std::vector<std::string> unreadable_records() {
  return {"{not json",
          "\xff\xfe\xfd",
          "{\"schema\":\"\xc3\x28\"}",
          std::string(100000, '[') + std::string(100000, ']'),
          "[1,2,3]",
          "18446744073709551616",
          ""};
}

BOOST_AUTO_TEST_CASE(hostile_input_records_are_dead_lettered_and_the_consumers_go_on) {
  auto& w = world();
  const auto [bank, app] = w.accepted_application();
  const std::string topic = "xyd.in." + bank;
  // The bank consumer makes the bank's topic and subscribes to it at a later refresh.
  json inbound;
  for (int i = 0; i < 150; ++i, std::this_thread::sleep_for(200ms)) {
    inbound = w.ok("admin", "GET", "/api/v1/ops/connectors/inbound");
    const json topics = inbound.value("topics", json::array());
    if (std::find(topics.begin(), topics.end(), topic) != topics.end()) break;
  }
  BOOST_REQUIRE_MESSAGE(inbound.value("topics", json::array()).dump().find(topic) != std::string::npos, inbound.dump());

  // Bank results: unreadable, then read but of the wrong types or out of range.
  const json result = {
      {"schema", "xyd.bank-result.v1"}, {"institution", bank},        {"application", app}, {"type", "credit_granted"},
      {"credit_number", "C-" + w.run},  {"amount", 1000000},          {"rate_bp", 450},     {"term_months", 12},
      {"granted_at", "2025-03-01"},     {"valid_until", "2026-03-01"}};
  std::vector<std::string> bad_results = unreadable_records();
  auto variant = [&](int n, const char* field, const std::string& raw) {
    json r = result;
    r["serial"] = "S-bad-" + std::to_string(n) + "-" + w.run;
    std::string text = r.dump();
    const std::string key = std::string("\"") + field + "\":";
    auto at = text.find(key);
    BOOST_REQUIRE(at != std::string::npos);
    auto end = text.find_first_of(",}", at + key.size());
    return text.substr(0, at + key.size()) + raw + text.substr(end);
  };
  bad_results.push_back(variant(1, "amount", "99999999999999999999999"));
  bad_results.push_back(variant(2, "amount", "1e400"));
  bad_results.push_back(variant(3, "rate_bp", "\"450\""));
  bad_results.push_back(variant(4, "application", "{\"id\":[1]}"));
  bad_results.push_back(variant(5, "type", "7"));
  bad_results.push_back(variant(6, "credit_number", "\"\xff\xff\""));
  bad_results.push_back(
      R"({"schema":"xyd.bank-result.v1","serial":5,"institution":["x"],"application":{},"type":null})");
  json good_result = result;
  good_result["serial"] = "S-good-" + w.run;

  // Data-source records: the same unreadable ones, then wrong types and huge numbers.
  std::vector<std::string> bad_records = unreadable_records();
  json r = w.record("h-1-" + w.run, kSignal);
  r["severity"] = 1;
  bad_records.push_back(r.dump());
  r = w.record("h-2-" + w.run, kSignal);
  r["source"] = 42;
  bad_records.push_back(r.dump());
  bad_records.push_back(R"({"schema":"xyd.data-source.v1","record_id":5,"uscc":[],"kind":{}})");
  r = w.record("h-3-" + w.run, kSignal);
  bad_records.push_back(r.dump().substr(0, r.dump().size() - 1) + ",\"observed_at\":1e400}");
  json good_record = w.record("h-good-" + w.run, kSignal);

  const int64_t version_before = w.version();
  const size_t bank_letters_before =
      w.ok("admin", "GET", "/api/v1/connectors/" + bank + "/errors?limit=1000")["items"].size();
  const size_t source_letters_before =
      w.ok("admin", "GET", "/api/v1/data-sources/dead-letters?limit=1000")["items"].size();
  std::vector<xyd::log::OutRecord> records;
  for (const auto& bytes : bad_results) records.push_back({topic, app, bytes, {}, std::nullopt});
  records.push_back({topic, app, good_result.dump(), {}, std::nullopt});
  for (const auto& bytes : bad_records) records.push_back({"xyd.data-sources", w.uscc, bytes, {}, std::nullopt});
  records.push_back({"xyd.data-sources", w.uscc, good_record.dump(), {}, std::nullopt});
  w.append_directly(records);

  // Every bad record is a dead letter with its reason, and the good ones after them are applied.
  json bank_letters, source_letters, order;
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  for (;; std::this_thread::sleep_for(300ms)) {
    bank_letters = w.ok("admin", "GET", "/api/v1/connectors/" + bank + "/errors?limit=1000")["items"];
    source_letters = w.ok("admin", "GET", "/api/v1/data-sources/dead-letters?limit=1000")["items"];
    order = w.ok("admin", "GET", "/api/v1/applications/" + app);
    const bool done = bank_letters.size() >= bank_letters_before + bad_results.size() &&
                      source_letters.size() >= source_letters_before + bad_records.size() &&
                      order.value("status", "") == "credit_granted" && w.version() == version_before + 1;
    if (done || std::chrono::steady_clock::now() > deadline) break;
  }
  BOOST_CHECK_EQUAL(bank_letters.size(), bank_letters_before + bad_results.size());
  BOOST_CHECK_EQUAL(source_letters.size(), source_letters_before + bad_records.size());
  for (const auto& letters : {bank_letters, source_letters})
    for (const auto& letter : letters)
      BOOST_CHECK_MESSAGE(!letter["reason"].value("rule", "").empty(),
                          "a dead letter without a rule: " << letter.dump());
  BOOST_CHECK_MESSAGE(order.value("status", "") == "credit_granted",
                      "the good bank result after the bad ones was not applied: " << order.dump().substr(0, 300));
  BOOST_CHECK_EQUAL(w.version(), version_before + 1);
  BOOST_CHECK_EQUAL(w.history().back()["name"], "RiskSignalRecorded");
  // Both consumers are still up.
  BOOST_CHECK_EQUAL(w.call("admin", "GET", "/healthz").status, 200);
  const json stats = w.ok("admin", "GET", "/api/v1/ops/connectors/inbound");
  BOOST_CHECK_EQUAL(stats.value("running", false), true);
  BOOST_CHECK_GE(stats.value("rejected", 0), static_cast<int>(bad_results.size()));
}

BOOST_AUTO_TEST_SUITE_END()

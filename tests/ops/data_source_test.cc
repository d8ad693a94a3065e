// The data-source connector end to end, through `xyd serve` on the backend under test: records over
// HTTP (POST /api/v1/data-sources/{source}/records) and, on Kafka, on the topic xyd.data-sources
// become EnterpriseProfileChanged / RiskSignalRecorded (read back from the audit view); a repeated
// record changes nothing; a malformed one is refused naming its field and rule (a problem document
// over HTTP, a dead letter with the reason on the topic) and changes nothing; every call is in the
// source's flow log.
#define BOOST_TEST_MODULE connectors_data_source
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <set>
#include <thread>

#include "events/kafka/kafka_log.h"
#include "tests/ops/connector_world.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

struct World : ConnectorWorld {
  std::string uscc, e1;
  World() : ConnectorWorld("data-source", free_port(41000, 41899), {}) {
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
};

World& world() { return shared_setup<World>(); }

const json kSignal = {{"kind", "risk_signal"}, {"signal_type", "judicial"}, {"severity", "high"},
                      {"observed_at", "2025-10-01"}, {"description", "被执行人"}};

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

  auto changed = w.call("admin", "POST", path,
                        w.record("r-2-" + w.run, {{"kind", "profile_change"}, {"field", "legal_representative"},
                                                  {"after", "李四"}}));
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
    BOOST_CHECK_MESSAGE(reply.status == status && reply.body.value("field", "") == field &&
                            reply.body.value("rule", "") == rule,
                        "expected " << status << " " << field << "/" << rule << ", got " << reply.status << " "
                                    << reply.body.dump());
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
  BOOST_CHECK_EQUAL(w.call("admin", "POST", "/api/v1/data-sources/Bad_Name/records", w.record("r-9", kSignal)).body.value("rule", ""),
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
  if (std::string(XYD_TEST_BACKEND) != "kafka") {
    BOOST_TEST_MESSAGE("xyd.data-sources is written by other processes only on Kafka (the embedded log is serve's own)");
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

BOOST_AUTO_TEST_SUITE_END()

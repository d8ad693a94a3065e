// Unit tests of the pure read side: the event scanner against nlohmann's parser, the hash-chain
// checks and the verifier, rule sets, the audit projection and its queries, the delinquency
// projection, on an in-memory view (no RocksDB, no log).
#define BOOST_TEST_MODULE projections_unit
#include <boost/test/unit_test.hpp>

#include "events/codec.h"
#include "projections/audit/audit_projection.h"
#include "projections/audit/audit_query.h"
#include "projections/chain_verifier.h"
#include "projections/delinquency/delinquency_projection.h"
#include "projections/event_scan.h"
#include "projections/memory_view.h"
#include "projections/progress.h"
#include "projections/sample_events.h"

using namespace xyd;
using projections::ChainedEvents;
using projections::Link;

namespace {

// Records as the log would hand them back: a topic partition, consecutive offsets.
struct FakeLog {
  std::vector<log::Record> records;
  int64_t next = 0;
  log::Record& add(const log::OutRecord& out, int32_t partition = 0) {
    log::Record r;
    r.topic = out.topic;
    r.partition = partition;
    r.offset = next++;
    r.key = out.key;
    r.value = out.value;
    r.headers = out.headers;
    r.timestamp_ms = 1700000000000 + r.offset;
    records.push_back(r);
    return records.back();
  }
};

log::OutRecord must(Result<log::OutRecord> r) {
  BOOST_REQUIRE_MESSAGE(r.ok(), r.error().to_string());
  return std::move(r).value();
}

void apply_all(projections::Projection& projection, projections::MemoryView& view,
               const std::vector<log::Record>& records) {
  auto applied = projections::apply_batch(projection, view, records, 0, records.size());
  BOOST_REQUIRE_MESSAGE(applied.ok(), applied.error().to_string());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event_scanner)

BOOST_AUTO_TEST_CASE(reads_what_nlohmann_reads_including_escapes) {
  ChainedEvents chains;
  nlohmann::json data = {{"field", "name"},
                         {"before", "旧名称 \"quoted\"\\ \n tab\t"},
                         {"after", "新 \u00e9 😀"},
                         {"source", "tax"},
                         {"nested", {{"a", {1, 2, {{"b", "}"}}}}}}};
  auto record =
      must(chains.next("enterprise", "ent-1", "EnterpriseRegistered", {}, {"acc-1", "enterprise_user", "", "440300"}));
  for (const auto& value :
       {record.value, must(chains.next("enterprise", "ent-1", "EnterpriseProfileChanged", data)).value}) {
    projections::ScannedEvent scanned;
    BOOST_REQUIRE(projections::scan_event(value, scanned).ok());
    auto expected = events::decode(value);
    BOOST_REQUIRE(expected.ok());
    BOOST_CHECK(scanned.to_envelope() == *expected);
    BOOST_CHECK(projections::hash_verified(value, scanned));
  }
}

BOOST_AUTO_TEST_CASE(names_a_missing_or_mistyped_attribute) {
  projections::ScannedEvent scanned;
  auto s = projections::scan_event(R"({"specversion":"1.0","id":"x"})", scanned);
  BOOST_REQUIRE(!s.ok());
  BOOST_CHECK_EQUAL(s.error().field, "source");
  s = projections::scan_event(
      R"({"specversion":"1.0","id":"x","source":"s","type":"t","time":"t","aggregatetype":"a","aggregateid":"b","aggregateversion":1.5,"actor":{},"schemaversion":1,"data":{}})",
      scanned);
  BOOST_REQUIRE(!s.ok());
  BOOST_CHECK_EQUAL(s.error().field, "aggregateversion");
  BOOST_CHECK(!projections::scan_event("not json", scanned).ok());
  BOOST_CHECK(!projections::scan_event(R"({"data":{"a":"unterminated})", scanned).ok());
}

BOOST_AUTO_TEST_CASE(a_non_canonical_but_intact_event_verifies_by_the_slow_path) {
  ChainedEvents chains;
  auto record = must(chains.next("account", "acc-9", "AccountRegistered"));
  auto json = nlohmann::json::parse(record.value);
  const std::string pretty = json.dump(2);  // whitespace: not the canonical bytes, same content
  projections::ScannedEvent scanned;
  BOOST_REQUIRE(projections::scan_event(pretty, scanned).ok());
  BOOST_CHECK(projections::hash_verified(pretty, scanned));
  json["data"]["phone"] = "13900000000";
  const std::string altered = json.dump();
  BOOST_REQUIRE(projections::scan_event(altered, scanned).ok());
  BOOST_CHECK(!projections::hash_verified(altered, scanned));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(chain_verifier)

BOOST_AUTO_TEST_CASE(a_clean_history_verifies) {
  ChainedEvents chains;
  FakeLog log;
  for (int i = 0; i < 20; ++i) {
    log.add(must(
        chains.next("application", "app-" + std::to_string(i % 4), i < 4 ? "ApplicationSubmitted" : "RiskScreened")));
  }
  projections::ChainVerifier verifier;
  for (const auto& r : log.records) verifier.add(r);
  BOOST_CHECK(verifier.report().clean());
  BOOST_CHECK_EQUAL(verifier.report().events, 20u);
  BOOST_CHECK_EQUAL(verifier.report().aggregates, 4u);
}

BOOST_AUTO_TEST_CASE(names_the_first_broken_link_of_each_kind) {
  ChainedEvents chains, forger;
  FakeLog log;
  log.add(must(chains.next("application", "a", "ApplicationSubmitted")));  // 0
  auto second = must(chains.next("application", "a", "RiskScreened"));
  auto json = nlohmann::json::parse(second.value);
  json["data"]["verdict"] = "pass-altered";  // content changed, hash kept
  second.value = json.dump();
  log.add(second);                                                         // 1: content altered
  log.add(must(chains.next("application", "a", "ManagerAssigned")));       // 2: still links to 1's hash
  log.add(must(chains.next("application", "b", "ApplicationSubmitted")));  // 3
  log.add(must(forger.next("application", "b", "ApplicationSubmitted")));  // 4: version 1 again (a fork)
  log.add(must(chains.next("application", "c", "ApplicationSubmitted")));  // 5
  must(chains.next("application", "c", "RiskScreened"));                   // version 2 lost
  log.add(must(chains.next("application", "c", "ManagerAssigned")));       // 6: gap
  log::OutRecord junk{"xyd.events.application", "d", "{not an event", {}, std::nullopt};
  log.add(junk);  // 7: undecodable
  projections::ChainVerifier verifier;
  for (const auto& r : log.records) verifier.add(r);
  const auto& report = verifier.report();
  BOOST_CHECK_EQUAL(report.broken_links, 4u);
  BOOST_REQUIRE_EQUAL(report.first_breaks.size(), 4u);
  BOOST_CHECK_EQUAL(report.first_breaks[0].aggregate_id, "a");
  BOOST_CHECK_EQUAL(report.first_breaks[0].version, 2);
  BOOST_CHECK_EQUAL(report.first_breaks[0].offset, 1);
  BOOST_CHECK(report.first_breaks[0].link == Link::content_altered);
  BOOST_CHECK(report.first_breaks[1].link == Link::version_repeated);
  BOOST_CHECK_EQUAL(report.first_breaks[1].offset, 4);
  BOOST_CHECK(report.first_breaks[2].link == Link::version_gap);
  BOOST_CHECK_NE(report.first_breaks[2].problem.find("version 2 missing"), std::string::npos);
  BOOST_CHECK(report.first_breaks[3].link == Link::undecodable);
  BOOST_TEST_MESSAGE(report.first_breaks[0].to_string());
}

BOOST_AUTO_TEST_CASE(a_forged_event_with_a_wrong_prev_hash_is_named) {
  ChainedEvents chains;
  FakeLog log;
  log.add(must(chains.next("product", "p", "ProductPublished")));
  // Someone re-seals version 2 with another previous hash: its own hash matches, its link does not.
  events::Envelope forged = *events::decode(must(chains.next("product", "p", "ProductDisabled")).value);
  BOOST_REQUIRE(events::seal(forged, std::string(64, '0')).ok());
  log.add(events::to_record(forged));
  projections::ChainVerifier verifier;
  for (const auto& r : log.records) verifier.add(r);
  BOOST_REQUIRE_EQUAL(verifier.report().first_breaks.size(), 1u);
  BOOST_CHECK(verifier.report().first_breaks[0].link == Link::prev_hash_mismatch);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rule_sets)

BOOST_AUTO_TEST_CASE(the_shipped_rule_sets_parse) {
  auto all = projections::load_rule_sets(XYD_RULES_DIR);
  BOOST_REQUIRE_MESSAGE(all.ok(), all.error().to_string());
  BOOST_CHECK_EQUAL(all->size(), 3u);
  auto rules = projections::load_rule_set(XYD_RULES_DIR, "delinquency");
  BOOST_REQUIRE(rules.ok());
  auto thresholds = projections::delinquency_rules(*rules);
  BOOST_REQUIRE(thresholds.ok());
  BOOST_CHECK_EQUAL(thresholds->classify(0).id, "normal");
  BOOST_CHECK_EQUAL(thresholds->classify(1).id, "special_mention");
  BOOST_CHECK_EQUAL(thresholds->classify(90).id, "special_mention");
  BOOST_CHECK_EQUAL(thresholds->classify(91).id, "substandard");
  BOOST_CHECK_EQUAL(thresholds->classify(181).label, "可疑");
  BOOST_CHECK_EQUAL(thresholds->classify(5000).id, "loss");
}

BOOST_AUTO_TEST_CASE(errors_name_the_file_and_the_field) {
  auto parsed = projections::parse_rule_set(
      R"({"rule_set":"delinquency","version":"x","written_off_class":"loss","classes":[
          {"id":"normal","label":"n","min_days_past_due":0},{"id":"loss","label":"l","min_days_past_due":0}]})",
      "rules/delinquency.json");
  BOOST_REQUIRE(!parsed.ok());
  BOOST_CHECK_EQUAL(parsed.error().field, "classes[1].min_days_past_due");
  BOOST_CHECK_NE(parsed.error().message.find("rules/delinquency.json"), std::string::npos);
  BOOST_CHECK(!projections::parse_rule_set(R"({"rule_set":"delinquency"})", "f").ok());
  auto unknown_event = projections::parse_rule_set(
      R"({"rule_set":"risk-warning","version":"1","rules":[{"id":"x","event":"NoSuchEvent","severity":"low","message":"m"}]})",
      "f");
  BOOST_REQUIRE(!unknown_event.ok());
  BOOST_CHECK_EQUAL(unknown_event.error().field, "rules[0].event");
  auto weights =
      projections::parse_rule_set(R"({"rule_set":"ranking","version":"1","rankings":{"r":{"a":60,"b":30}}})", "f");
  BOOST_REQUIRE(!weights.ok());
  BOOST_CHECK_EQUAL(weights.error().rule, "sum-100");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(audit_view)

BOOST_AUTO_TEST_CASE(history_by_aggregate_actor_and_time_with_pages_and_chain_status) {
  ChainedEvents chains;
  FakeLog log;
  const events::Actor manager{"mgr-1", "account_manager", "ins-1", "440300"};
  const events::Actor owner{"acc-2", "enterprise_user", "", "440300"};
  int minute = 0;
  auto at = [&] {
    return "2025-03-01T0" + std::to_string(1 + minute / 60) + ":" + (minute % 60 < 10 ? "0" : "") +
           std::to_string(minute % 60) + ":00.000Z";
  };
  for (int i = 0; i < 30; ++i, ++minute) {
    const std::string id = "app-" + std::to_string(i % 3);
    const auto version = chains.version_of("application", id);
    log.add(must(chains.next("application", id, version == 0 ? "ApplicationSubmitted" : "ManagerReassigned",
                             version == 0 ? nlohmann::json::object() : nlohmann::json{{"from", "m1"}, {"to", "m2"}},
                             i % 2 ? manager : owner, at())),
            i % 3);
  }
  projections::audit::AuditProjection projection;
  projection.begin(true);
  projections::MemoryView view;
  apply_all(projection, view, log.records);

  projections::audit::AuditQuery query;
  query.aggregate_type = "application";
  query.aggregate_id = "app-1";
  query.limit = 4;
  std::vector<int64_t> versions;
  while (true) {
    auto page = projections::audit::query_audit(view, query);
    BOOST_REQUIRE_MESSAGE(page.ok(), page.error().to_string());
    for (const auto& item : page->items) {
      versions.push_back(item["aggregate"]["version"].get<int64_t>());
      BOOST_CHECK_EQUAL(item["chain"]["status"], "ok");
      if (versions.back() > 1) {
        BOOST_CHECK_EQUAL(item["changes"][0]["field"], "manager");
        BOOST_CHECK_EQUAL(item["changes"][0]["after"], "m2");
      }
    }
    if (page->next_cursor.empty()) break;
    query.cursor = page->next_cursor;
  }
  BOOST_CHECK_EQUAL(versions.size(), 10u);
  for (size_t i = 0; i < versions.size(); ++i) BOOST_CHECK_EQUAL(versions[i], static_cast<int64_t>(i + 1));

  // By actor, across partitions, in time order, paged by 7.
  projections::audit::AuditQuery by_actor;
  by_actor.actor = "mgr-1";
  by_actor.limit = 7;
  std::vector<std::string> times;
  while (true) {
    auto page = projections::audit::query_audit(view, by_actor);
    BOOST_REQUIRE(page.ok());
    for (const auto& item : page->items) {
      BOOST_CHECK_EQUAL(item["actor"]["account"], "mgr-1");
      times.push_back(item["time"]);
    }
    if (page->next_cursor.empty()) break;
    by_actor.cursor = page->next_cursor;
  }
  BOOST_CHECK_EQUAL(times.size(), 15u);
  BOOST_CHECK(std::is_sorted(times.begin(), times.end()));

  // By time range [01:10, 01:20) UTC: ten events; a date bound is China Standard Time.
  projections::audit::AuditQuery by_time;
  by_time.from = "2025-03-01T01:10:00Z";
  by_time.to = "2025-03-01T09:20:00+08:00";
  auto page = projections::audit::query_audit(view, by_time);
  BOOST_REQUIRE(page.ok());
  BOOST_CHECK_EQUAL(page->items.size(), 10u);
  by_time.from = "2025-03-02";  // 2025-03-01T16:00Z: nothing after it
  by_time.to.clear();
  BOOST_CHECK_EQUAL(projections::audit::query_audit(view, by_time)->items.size(), 0u);
  by_time.from = "yesterday";
  BOOST_CHECK_EQUAL(projections::audit::query_audit(view, by_time).error().field, "from");
  by_time.from.clear();
  by_time.cursor = "zz";
  BOOST_CHECK_EQUAL(projections::audit::query_audit(view, by_time).error().field, "cursor");
}

BOOST_AUTO_TEST_CASE(a_tampered_event_shows_broken_and_the_chain_resumes_from_a_fresh_cache) {
  ChainedEvents chains;
  FakeLog log;
  log.add(must(chains.next("enterprise", "e", "EnterpriseRegistered")));
  auto second = must(chains.next("enterprise", "e", "EnterpriseWhitelisted"));
  second.value.replace(second.value.find("\"by\":\"") + 6, 1, "X");
  log.add(second);
  log.add(must(chains.next("enterprise", "e", "EnterpriseDelisted")));
  projections::MemoryView view;
  {
    projections::audit::AuditProjection first;
    first.begin(true);
    apply_all(first, view, {log.records[0], log.records[1]});
  }
  projections::audit::AuditProjection resumed;  // a restart: heads come from the rows
  resumed.begin(false);
  apply_all(resumed, view, {log.records[2]});
  projections::audit::AuditQuery query;
  query.aggregate_type = "enterprise";
  query.aggregate_id = "e";
  auto page = projections::audit::query_audit(view, query);
  BOOST_REQUIRE(page.ok());
  BOOST_REQUIRE_EQUAL(page->items.size(), 3u);
  BOOST_CHECK_EQUAL(page->items[0]["chain"]["status"], "ok");
  BOOST_CHECK_EQUAL(page->items[1]["chain"]["link"], "content_altered");
  BOOST_CHECK_EQUAL(page->items[2]["chain"]["status"], "ok");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(delinquency_view)

BOOST_AUTO_TEST_CASE(classes_follow_the_thresholds_and_name_the_rule_set_version) {
  auto rules = projections::load_rule_set(XYD_RULES_DIR, "delinquency");
  BOOST_REQUIRE(rules.ok());
  auto shared = std::make_shared<const projections::RuleSet>(*rules);
  auto projection = projections::delinquency::delinquency_spec().make(shared);
  BOOST_REQUIRE(projection.ok());
  ChainedEvents chains;
  FakeLog log;
  log.add(must(chains.next("application", "a1", "ApplicationSubmitted")));
  log.add(must(chains.next("application", "a1", "LoanDisbursed", {{"loan_number", "L1"}, {"amount", 500000}})));
  log.add(must(chains.next("application", "a1", "LoanOverdue", {{"loan_number", "L1"}, {"days_past_due", 95}})));
  log.add(must(chains.next("application", "a1", "LoanDisbursed", {{"loan_number", "L2"}})));
  log.add(must(chains.next("application", "a1", "LoanWrittenOff", {{"loan_number", "L2"}})));
  projections::MemoryView view;
  apply_all(**projection, view, log.records);
  auto l1 = projections::delinquency::get_loan(view, "L1");
  BOOST_REQUIRE(l1.ok());
  BOOST_CHECK_EQUAL((*l1)["class"], "substandard");
  BOOST_CHECK_EQUAL((*l1)["class_label"], "次级");
  BOOST_CHECK_EQUAL((*l1)["rule_set_version"], rules->version);
  auto l2 = projections::delinquency::get_loan(view, "L2");
  BOOST_CHECK_EQUAL((*l2)["class"], "loss");
  BOOST_CHECK_EQUAL((*l2)["written_off"], true);
  auto substandard = projections::delinquency::list_loans(view, "substandard", "", 10);
  BOOST_REQUIRE(substandard.ok());
  BOOST_CHECK_EQUAL((*substandard)["items"].size(), 1u);
  BOOST_CHECK(projections::delinquency::get_loan(view, "nope").error().code == Errc::not_found);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(progress_is_readable) {
  projections::ProgressFigures f{500000, 1000000, 250000, 2.0};
  BOOST_CHECK_EQUAL(projections::progress_line(f), "500,000/1,000,000 events (50.0%), 250,000 events/s, ETA 2s");
  BOOST_CHECK_NE(projections::progress_bar(f).find("[###############...............]"), std::string::npos);
  BOOST_CHECK_EQUAL(projections::duration_text(3725), "1h02m");
}

#define BOOST_TEST_MODULE enterprise
#include "aggregates/enterprise.h"

#include <fstream>

#include "tests/aggregates/domain_fixtures.h"

using namespace xyd::domain;
using namespace xyd::domain::testing;
using nlohmann::json;
using xyd::Errc;

namespace {

const std::string kUscc = "9144030071526726XG";
const std::string kId = "ent-" + kUscc;
const EnterpriseAggregate kEnterprise;
const auto kOwner = actor("acc-owner", "enterprise_user", "", "440300");
const auto kAdmin = actor("acc-admin", "system_admin");

json registration() {
  return {{"uscc", kUscc},
          {"name", "深圳某科技有限公司"},
          {"legal_representative", "张三"},
          {"region", "440305"},
          {"industry", "I"},
          {"registered_capital", 100000000},
          {"scale", "small"},
          {"founded_on", "2015-06-01"}};
}

json rule_set() {
  std::ifstream in(std::string(XYD_RULES_DIR) + "/certification.json");
  return json::parse(in);
}

json sources(bool operating = true) {
  return {{"market_supervision",
           {{"registered", true},
            {"name", "深圳某科技有限公司"},
            {"legal_representative", "张三"},
            {"operating_status", operating ? "存续" : "吊销"}}}};
}

Command certification(const std::string& method, json sources_answer = sources(), int64_t seconds = 20,
                      const std::string& agreement = "ECA-2025-01") {
  return command(kEnterprise, kId, "SubmitCertification",
                 {{"method", method}, {"agreement_version", agreement}, {"agreement_read_seconds", seconds}}, kOwner,
                 {{"rule_set", rule_set()}, {"sources", std::move(sources_answer)}});
}

AggregateState registered() {
  AggregateState state;
  step(kEnterprise, state, command(kEnterprise, kId, "RegisterEnterprise", registration(), kOwner));
  return state;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(enterprise_aggregate)

BOOST_AUTO_TEST_CASE(registration_records_the_owner) {
  AggregateState state = registered();
  BOOST_CHECK_EQUAL(state.data["owner"], "acc-owner");
  BOOST_CHECK_EQUAL(state.data["certification"], "none");
  check_refused(kEnterprise, state, command(kEnterprise, kId, "RegisterEnterprise", registration(), kOwner),
                Errc::conflict, "unique-id");
}

BOOST_AUTO_TEST_CASE(registration_refuses_bad_input_by_field) {
  auto with = [](const char* field, json value) {
    json body = registration();
    body[field] = std::move(value);
    return command(kEnterprise, kId, "RegisterEnterprise", body, kOwner);
  };
  check_refused(kEnterprise, {}, with("uscc", "9144030071526726XA"), Errc::invalid_argument, "gb32100-check-character");
  check_refused(kEnterprise, {}, with("region", "999999"), Errc::invalid_argument, "gb2260-code");
  check_refused(kEnterprise, {}, with("industry", "Z"), Errc::invalid_argument, "gb4754-section");
  check_refused(kEnterprise, {}, with("registered_capital", -1), Errc::invalid_argument, "range");
  check_refused(kEnterprise, {}, with("registered_capital", 1.5), Errc::invalid_argument, "integer");
  check_refused(kEnterprise, {}, with("scale", "large"), Errc::invalid_argument, "enterprise-scale");
  check_refused(kEnterprise, {}, with("founded_on", "2015-02-30"), Errc::invalid_argument, "date");
  auto wrong_id = with("name", "x");
  wrong_id.aggregate_id = "ent-other";
  check_refused(kEnterprise, {}, wrong_id, Errc::invalid_argument, "derived-from-uscc");
}

BOOST_AUTO_TEST_CASE(automatic_certification_runs_each_rule) {
  AggregateState state = registered();
  auto events = step(kEnterprise, state, certification("basic"));
  BOOST_CHECK_EQUAL(events.front().name, "CertificationSubmitted");
  BOOST_CHECK_EQUAL(events.back().name, "EnterpriseCertified");
  BOOST_CHECK_EQUAL(events.size(), 6u);  // submitted, 4 rules, certified
  BOOST_CHECK_EQUAL(events[1].data["result"], "pass");
  BOOST_CHECK_EQUAL(state.data["certification"], "certified");
  check_refused(kEnterprise, state, certification("basic"), Errc::refused, "not-yet-certified");
}

BOOST_AUTO_TEST_CASE(a_failed_rule_rejects_with_reasons) {
  AggregateState state = registered();
  auto events = step(kEnterprise, state, certification("basic", sources(false)));
  BOOST_CHECK_EQUAL(events.back().name, "CertificationRejected");
  BOOST_CHECK_EQUAL(events.back().data["reasons"].size(), 1u);
  BOOST_CHECK_EQUAL(state.data["certification"], "rejected");
  step(kEnterprise, state, certification("basic"));  // may certify again
  BOOST_CHECK_EQUAL(state.data["certification"], "certified");
}

BOOST_AUTO_TEST_CASE(agreement_version_and_reading_time) {
  AggregateState state = registered();
  check_refused(kEnterprise, state, certification("basic", sources(), 20, "ECA-2020"), Errc::refused,
                "current-agreement");
  check_refused(kEnterprise, state, certification("basic", sources(), 3), Errc::refused, "agreement-read-long-enough");
  check_refused(kEnterprise, state, certification("magic"), Errc::invalid_argument, "certification-method");
  auto no_rules = certification("basic");
  no_rules.context.erase("rule_set");
  check_refused(kEnterprise, state, no_rules, Errc::invalid_argument, "context-fact");
}

BOOST_AUTO_TEST_CASE(manual_review_waits_for_a_system_admin) {
  AggregateState state = registered();
  auto manual = certification("manual");
  manual.body["attachments"] = {{"business_licence", "file-1"}};
  auto events = step(kEnterprise, state, manual);
  BOOST_CHECK_EQUAL(events.back().name, "CertificationRuleEvaluated");
  BOOST_CHECK_EQUAL(state.data["certification"], "pending_review");
  check_refused(kEnterprise, state, manual, Errc::refused, "no-pending-review");
  auto review = command(kEnterprise, kId, "ReviewCertification", {{"decision", "approve"}}, kOwner);
  check_refused(kEnterprise, state, review, Errc::forbidden, "role-may-not");
  review.actor = kAdmin;
  events = step(kEnterprise, state, review);
  BOOST_CHECK_EQUAL(events.front().data["reviewer"], "acc-admin");
  BOOST_CHECK_EQUAL(state.data["certification"], "certified");
  check_refused(kEnterprise, state, review, Errc::refused, "pending-review");
}

BOOST_AUTO_TEST_CASE(profile_change_needs_the_current_value) {
  AggregateState state = registered();
  auto change = [](json before, json after) {
    return command(
        kEnterprise, kId, "ChangeEnterpriseProfile",
        {{"field", "legal_representative"}, {"before", before}, {"after", after}, {"source", "market_supervision"}},
        actor("dsrc", "data_source"));
  };
  check_refused(kEnterprise, state, change("李四", "王五"), Errc::conflict, "before-is-current");
  check_refused(kEnterprise, state, change("张三", "张三"), Errc::invalid_argument, "changes-something");
  step(kEnterprise, state, change("张三", "王五"));
  BOOST_CHECK_EQUAL(state.data["legal_representative"], "王五");
  auto region = command(kEnterprise, kId, "ChangeEnterpriseProfile",
                        {{"field", "region"}, {"before", "440305"}, {"after", "999999"}, {"source", "x"}}, kOwner);
  check_refused(kEnterprise, state, region, Errc::invalid_argument, "gb2260-code");
}

BOOST_AUTO_TEST_CASE(whitelist_signals_follows_and_scores) {
  AggregateState state = registered();
  auto gov = actor("acc-gov", "government_city", "", "440300");
  step(kEnterprise, state, command(kEnterprise, kId, "WhitelistEnterprise", json::object(), gov));
  check_refused(kEnterprise, state, command(kEnterprise, kId, "WhitelistEnterprise", json::object(), gov),
                Errc::conflict, "whitelisted-once");
  step(kEnterprise, state, command(kEnterprise, kId, "DelistEnterprise", {{"reason", "违规"}}, gov));
  check_refused(kEnterprise, state, command(kEnterprise, kId, "DelistEnterprise", {{"reason", "x"}}, gov),
                Errc::refused, "on-whitelist");
  auto other_city = actor("acc-gov2", "government_city", "", "440100");
  check_refused(kEnterprise, state, command(kEnterprise, kId, "WhitelistEnterprise", json::object(), other_city),
                Errc::forbidden, "scope-region");

  auto signal = command(kEnterprise, kId, "RecordRiskSignal",
                        {{"signal_type", "judicial"},
                         {"severity", "high"},
                         {"source", "court"},
                         {"observed_at", "2025-03-01T08:00:00+08:00"}},
                        actor("dsrc", "data_source"));
  step(kEnterprise, state, signal);
  BOOST_CHECK_EQUAL(state.data["risk_signals"]["high"], 1);
  signal.body["signal_type"] = "gossip";
  check_refused(kEnterprise, state, signal, Errc::invalid_argument, "signal-type");

  auto follower = actor("acc-mgr", "account_manager", "inst-a");
  step(kEnterprise, state, command(kEnterprise, kId, "FollowEnterprise", json::object(), follower));
  check_refused(kEnterprise, state, command(kEnterprise, kId, "FollowEnterprise", json::object(), follower),
                Errc::conflict, "follow-once");
  step(kEnterprise, state, command(kEnterprise, kId, "UnfollowEnterprise", json::object(), follower));
  check_refused(kEnterprise, state, command(kEnterprise, kId, "UnfollowEnterprise", json::object(), follower),
                Errc::refused, "following");

  auto score = command(kEnterprise, kId, "AssessCreditScore", {{"score", 720}, {"grade", "A"}, {"model_version", "m1"}},
                       actor("dsrc", "data_source"));
  step(kEnterprise, state, score);
  BOOST_CHECK_EQUAL(state.data["credit_score"], 720);
  score.body["score"] = 1001;
  check_refused(kEnterprise, state, score, Errc::invalid_argument, "range");
}

BOOST_AUTO_TEST_CASE(enterprise_users_follow_only_what_they_may_read) {
  AggregateState state = registered();
  // Another enterprise user may not read this enterprise, so it may not follow it either.
  auto stranger = actor("acc-stranger", "enterprise_user", "", "440300");
  check_refused(kEnterprise, state, command(kEnterprise, kId, "FollowEnterprise", json::object(), stranger),
                Errc::forbidden, "scope-own");
  check_refused(kEnterprise, state,
                command(kEnterprise, kId, "FollowEnterprise", json::object(), actor("acc-ind", "individual")),
                Errc::forbidden, "scope-own");
  step(kEnterprise, state, command(kEnterprise, kId, "FollowEnterprise", json::object(), kOwner));
  // A city account follows within its city only.
  check_refused(
      kEnterprise, state,
      command(kEnterprise, kId, "FollowEnterprise", json::object(), actor("acc-gz", "government_city", "", "440100")),
      Errc::forbidden, "scope-region");
}

BOOST_AUTO_TEST_CASE(a_wrong_type_is_a_refusal_never_an_exception) {
  AggregateState state = registered();
  auto change =
      command(kEnterprise, kId, "ChangeEnterpriseProfile",
              {{"field", "registered_capital"}, {"before", 100000000}, {"after", "lots"}, {"source", "x"}}, kOwner);
  check_refused(kEnterprise, state, change, Errc::invalid_argument, "integer");
  auto by_admin = command(kEnterprise, kId, "RegisterEnterprise", registration(), kAdmin);
  by_admin.body["owner"] = 5;
  check_refused(kEnterprise, {}, by_admin, Errc::invalid_argument, "string");
  by_admin.body["owner"] = "acc-owner";
  by_admin.body["region"] = json::array({"440305"});
  check_refused(kEnterprise, {}, by_admin, Errc::invalid_argument, "string");  // the field dictionary's rule
}

BOOST_AUTO_TEST_CASE(commands_on_a_missing_enterprise) {
  check_refused(kEnterprise, {}, certification("basic"), Errc::not_found, "exists");
}

BOOST_AUTO_TEST_SUITE_END()

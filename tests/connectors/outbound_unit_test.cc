// The pure parts of the outbound side and data-source intake: which application events go to
// an institution and with what body (nothing personal or internal), the Standard Webhooks
// signature (the specification's own test vector), the retry schedule, and the validation of
// data-source records (each refusal names its field and rule).
#define BOOST_TEST_MODULE connectors_outbound_unit
#include <boost/test/unit_test.hpp>

#include "connectors/data_source_record.h"
#include "connectors/outbound_message.h"
#include "connectors/webhook_delivery_policy.h"
#include "events/catalog.h"

using namespace xyd;
using namespace xyd::connectors;
using nlohmann::json;

namespace {

events::Envelope application_event(const std::string& name, json data, int64_t version) {
  events::Envelope e;
  const auto* type = events::EventCatalog::standard().by_name(name);
  BOOST_REQUIRE(type);
  e.id = "evt-" + name;
  e.type = type->type();
  e.aggregate_type = "application";
  e.aggregate_id = "app-1";
  e.subject = "app-1";
  e.version = version;
  e.time = "2026-01-02T03:04:05.678Z";
  e.data = std::move(data);
  return e;
}

const int64_t kNow = 1767225600000;  // 2026-01-01T00:00:00Z

json signal_record() {
  return {{"schema", "xyd.data-source.v1"}, {"record_id", "r-1"},        {"uscc", "9144030071526726XG"},
          {"kind", "risk_signal"},          {"signal_type", "judicial"}, {"severity", "high"},
          {"observed_at", "2025-12-01"},    {"description", "被执行人"}};
}

void check_refused(const json& record, const std::string& field, const std::string& rule) {
  auto read = read_data_source_record(record, "court", kNow);
  BOOST_REQUIRE_MESSAGE(!read.ok(), "accepted: " << record.dump());
  BOOST_CHECK_EQUAL(read.error().field, field);
  BOOST_CHECK_EQUAL(read.error().rule, rule);
}

}  // namespace

BOOST_AUTO_TEST_CASE(submission_routes_the_application_and_keeps_personal_data_home) {
  auto submitted = application_event("ApplicationSubmitted",
                                     {{"enterprise", "ent-1"},
                                      {"owner", "acc-owner"},
                                      {"institution", "ins-a"},
                                      {"product", "prd-1"},
                                      {"amount", 1000000},
                                      {"term_months", 12}},
                                     1);
  BOOST_CHECK_EQUAL(routed_institution(submitted), "ins-a");
  auto message = outbound_message(submitted, "ins-a");
  BOOST_REQUIRE(message);
  BOOST_CHECK_EQUAL((*message)["schema"], "xyd.outbound.v1");
  BOOST_CHECK_EQUAL((*message)["type"], "xyd.application.submitted.v1");  // the ce_type of its record
  BOOST_CHECK_EQUAL((*message)["event_id"], "evt-ApplicationSubmitted");
  BOOST_CHECK_EQUAL((*message)["application"], "app-1");
  BOOST_CHECK_EQUAL((*message)["institution"], "ins-a");
  BOOST_CHECK_EQUAL((*message)["version"], 1);
  BOOST_CHECK_EQUAL((*message)["at"], int64_t{1767323045678});
  BOOST_CHECK_EQUAL((*message)["data"]["amount"], 1000000);
  BOOST_CHECK(!(*message)["data"].contains("owner"));
  BOOST_CHECK_EQUAL(outbound_topic("ins-a"), "xyd.out.ins-a");
}

BOOST_AUTO_TEST_CASE(screening_goes_out_as_its_verdict_only_and_results_are_echoed_whole) {
  auto screened = application_event("RiskScreened",
                                    {{"rule_set_version", "s-1"}, {"rules", json::array({1})}, {"verdict", "pass"}}, 2);
  BOOST_CHECK(routed_institution(screened).empty());
  auto message = outbound_message(screened, "ins-a");
  BOOST_REQUIRE(message);
  BOOST_CHECK_EQUAL((*message)["data"], (json{{"rule_set_version", "s-1"}, {"verdict", "pass"}}));
  json loan = {{"loan_number", "L1"}, {"amount", 5}, {"rate_bp", 1}, {"disbursed_at", "2025-01-01"}};
  auto disbursed = outbound_message(application_event("LoanDisbursed", loan, 7), "ins-a");
  BOOST_REQUIRE(disbursed);
  BOOST_CHECK_EQUAL((*disbursed)["data"], loan);
  auto withdrawn = outbound_message(application_event("ApplicationWithdrawn", {{"by", "acc-owner"}}, 3), "ins-a");
  BOOST_REQUIRE(withdrawn);
  BOOST_CHECK(!(*withdrawn)["data"].contains("by"));
}

BOOST_AUTO_TEST_CASE(only_application_lifecycle_events_are_routed) {
  for (const char* name :
       {"ApplicationSubmitted", "RiskScreened", "ManagerAssigned", "ManagerReassigned", "ApplicationAccepted",
        "ApplicationWithdrawn", "ApplicationTerminated", "CreditGranted", "CreditDeclined", "LoanDisbursed",
        "RepaymentReceived", "LoanOverdue", "LoanWrittenOff", "LoanSettled"})
    BOOST_CHECK_MESSAGE(is_routed(name), name);
  BOOST_CHECK(!is_routed("EnterpriseRegistered"));
  BOOST_CHECK(!outbound_message(application_event("LoanSettled", {{"loan_number", "L1"}, {"settled_at", "x"}}, 9), ""));
  auto other = application_event("LoanSettled", {{"loan_number", "L1"}, {"settled_at", "x"}}, 9);
  other.aggregate_type = "enterprise";
  BOOST_CHECK(!outbound_message(other, "ins-a"));
}

BOOST_AUTO_TEST_CASE(signature_matches_the_standard_webhooks_test_vector) {
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const std::string body = R"({"test": 2432232314})";
  BOOST_CHECK_EQUAL(webhook_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
                    "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  auto headers = webhook_headers({secret, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},
                                 "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
  BOOST_CHECK_EQUAL(headers["webhook-id"], "msg_p5jXN8AQM9LWM0D4loKWxJek");
  BOOST_CHECK_EQUAL(headers["webhook-timestamp"], "1614265330");
  BOOST_CHECK(headers["webhook-signature"].starts_with("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v1,"));
  BOOST_CHECK_NE(webhook_signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, body),
                 "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

BOOST_AUTO_TEST_CASE(backoff_doubles_up_to_the_cap_with_full_jitter) {
  RetryPolicy policy{100, 1000, 5};
  BOOST_CHECK_EQUAL(backoff_ceiling_ms(policy, 1), 100);
  BOOST_CHECK_EQUAL(backoff_ceiling_ms(policy, 2), 200);
  BOOST_CHECK_EQUAL(backoff_ceiling_ms(policy, 4), 800);
  BOOST_CHECK_EQUAL(backoff_ceiling_ms(policy, 5), 1000);
  BOOST_CHECK_EQUAL(backoff_ceiling_ms(policy, 60), 1000);
  BOOST_CHECK_EQUAL(backoff_ms(policy, 3, 0.0), 0);
  BOOST_CHECK_EQUAL(backoff_ms(policy, 3, 0.5), 200);
  BOOST_CHECK_LE(backoff_ms(policy, 40, 0.999), 1000);
}

BOOST_AUTO_TEST_CASE(data_source_records_become_enterprise_commands) {
  auto signal = read_data_source_record(signal_record(), "court", kNow);
  BOOST_REQUIRE_MESSAGE(signal.ok(), signal.error().message);
  BOOST_CHECK_EQUAL(signal->name, "RecordRiskSignal");
  BOOST_CHECK_EQUAL(signal->aggregate_id, "ent-9144030071526726XG");
  BOOST_CHECK_EQUAL(signal->command_id, "data-source/court/r-1");
  BOOST_CHECK_EQUAL(signal->body["source"], "court");
  BOOST_CHECK_EQUAL(signal->body["severity"], "high");
  json change = {{"schema", "xyd.data-source.v1"},  {"record_id", "r-2"},
                 {"uscc", "91350100M000100Y43"},    {"kind", "profile_change"},
                 {"field", "legal_representative"}, {"after", "李四"}};
  auto changed = read_data_source_record(change, "samr", kNow);
  BOOST_REQUIRE(changed.ok());
  BOOST_CHECK_EQUAL(changed->name, "ChangeEnterpriseProfile");
  BOOST_CHECK(!changed->body.contains("before"));
  BOOST_CHECK_EQUAL(changed->body["after"], "李四");
  // The same record hashes the same; another content under the same id does not.
  auto again = read_data_source_record(signal_record(), "court", kNow);
  json other = signal_record();
  other["severity"] = "low";
  BOOST_CHECK_EQUAL(again->body_hash, signal->body_hash);
  BOOST_CHECK_NE(read_data_source_record(other, "court", kNow)->body_hash, signal->body_hash);
}

BOOST_AUTO_TEST_CASE(bad_records_are_refused_naming_field_and_rule) {
  auto with = [](const std::string& field, json value) {
    json r = signal_record();
    if (value.is_null())
      r.erase(field);
    else
      r[field] = value;
    return r;
  };
  check_refused(with("schema", "xyd.data-source.v0"), "schema", "schema-version");
  check_refused(with("record_id", nullptr), "record_id", "required");
  check_refused(with("record_id", "has space"), "record_id", "record-id");
  check_refused(with("uscc", "9144030071526726XA"), "uscc", "gb32100-check-character");
  check_refused(with("kind", "gossip"), "kind", "record-kind");
  check_refused(with("signal_type", "other"), "signal_type", "signal-type");
  check_refused(with("severity", "extreme"), "severity", "severity");
  check_refused(with("observed_at", "2025-02-30"), "observed_at", "rfc3339");
  check_refused(with("observed_at", "2027-06-01"), "observed_at", "not-in-future");
  json change = {{"schema", "xyd.data-source.v1"},
                 {"record_id", "r-2"},
                 {"uscc", "91350100M000100Y43"},
                 {"kind", "profile_change"},
                 {"field", "name"}};
  check_refused(change, "after", "required");
  BOOST_CHECK_EQUAL(read_data_source_record(signal_record(), "Bad Source", kNow).error().rule, "source-name");
  BOOST_CHECK_EQUAL(read_data_source_record(json::array(), "court", kNow).error().rule, "json-object");
}

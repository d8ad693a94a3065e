// The pure parts of the bank connectors' inbound side: the result schema and its checks, the
// command a result becomes, the dead-letter record, Standard Webhooks signatures, and the bank
// results view (by serial, errors, daily reconciliation) over an in-memory view.
#define BOOST_TEST_MODULE connectors_unit
#include "connectors/bank_result.h"

#include <boost/test/unit_test.hpp>

#include "connectors/bank_results_projection.h"
#include "connectors/dead_letter.h"
#include "connectors/inbound.h"
#include "connectors/webhook_signature.h"
#include "projections/memory_view.h"
#include "projections/sample_events.h"

using namespace xyd;
using namespace xyd::connectors;
using nlohmann::json;

namespace {

json credit(const std::string& serial = "S-1") {
  return {{"schema", "xyd.bank-result.v1"},
          {"serial", serial},
          {"institution", "ins-a"},
          {"application", "app-1"},
          {"type", "credit_granted"},
          {"credit_number", "CR-1"},
          {"amount", 500000},
          {"rate_bp", 450},
          {"term_months", 12},
          {"granted_at", "2025-03-01"},
          {"valid_until", "2026-03-01"}};
}

std::string rule_of(const json& body, const std::string& channel = "ins-a") {
  auto parsed = parse_bank_result(body.dump(), channel);
  return parsed.ok() ? "ok" : parsed.error().field + ":" + parsed.error().rule;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_valid_result_becomes_its_command_keyed_by_serial) {
  auto parsed = parse_bank_result(credit().dump(), "ins-a");
  BOOST_REQUIRE_MESSAGE(parsed.ok(), parsed.error().to_string());
  const auto command = to_command(*parsed);
  BOOST_CHECK_EQUAL(command.id, "bank:ins-a:S-1");
  BOOST_CHECK_EQUAL(command.name, "GrantCredit");
  BOOST_CHECK_EQUAL(command.aggregate_type, "application");
  BOOST_CHECK_EQUAL(command.aggregate_id, "app-1");
  BOOST_CHECK_EQUAL(command.actor.role, "bank_connector");
  BOOST_CHECK_EQUAL(command.actor.institution, "ins-a");
  BOOST_CHECK_EQUAL(command.body["serial"], "S-1");
  BOOST_CHECK_EQUAL(command.body["amount"], 500000);
  BOOST_CHECK(!command.body.contains("schema"));
  // The same result gives the same body hash; another amount another one.
  json other = credit();
  other["amount"] = 400000;
  BOOST_CHECK_EQUAL(to_command(*parse_bank_result(credit().dump(), "ins-a")).body_hash, command.body_hash);
  BOOST_CHECK_NE(to_command(*parse_bank_result(other.dump(), "ins-a")).body_hash, command.body_hash);
  BOOST_CHECK_EQUAL(business_date("credit_granted", parsed->fields), "2025-03-01");
  BOOST_CHECK_EQUAL(result_amount("credit_granted", parsed->fields), 500000);
  BOOST_CHECK_EQUAL(inbound_topic("ins-a"), "xyd.in.ins-a");
  BOOST_CHECK_EQUAL(institution_of_topic("xyd.in.ins-a"), "ins-a");
  BOOST_CHECK_EQUAL(institution_of_topic("xyd.dlq"), "");
}

BOOST_AUTO_TEST_CASE(every_malformed_result_is_refused_naming_field_and_rule) {
  BOOST_CHECK_EQUAL(rule_of(credit()), "ok");
  BOOST_CHECK_EQUAL(parse_bank_result("{not json", "ins-a").error().rule, "json");
  BOOST_CHECK_EQUAL(parse_bank_result("[1]", "ins-a").error().rule, "json");
  json bad = credit();
  bad["schema"] = "xyd.bank-result.v0";
  BOOST_CHECK_EQUAL(rule_of(bad), "schema:schema");
  bad = credit();
  bad.erase("serial");
  BOOST_CHECK_EQUAL(rule_of(bad), "serial:required");
  bad = credit("has space");
  BOOST_CHECK_EQUAL(rule_of(bad), "serial:serial-format");
  BOOST_CHECK_EQUAL(rule_of(credit(), "ins-b"), "institution:institution-matches-channel");
  bad = credit();
  bad["type"] = "loan_forgiven";
  BOOST_CHECK_EQUAL(rule_of(bad), "type:result-type");
  bad = credit();
  bad["amount"] = "500000";
  BOOST_CHECK_EQUAL(rule_of(bad), "amount:integer");
  bad = credit();
  bad["amount"] = 1.5;
  BOOST_CHECK_EQUAL(rule_of(bad), "amount:integer");
  bad = credit();
  bad["granted_at"] = "2025-02-30";
  BOOST_CHECK_EQUAL(rule_of(bad), "granted_at:date");
  bad = credit();
  bad["admin"] = true;
  BOOST_CHECK_EQUAL(rule_of(bad), "admin:known-field");
  bad = credit();
  bad.erase("valid_until");
  BOOST_CHECK_EQUAL(rule_of(bad), "valid_until:required");
  // A decline's date is optional; a repayment needs all its fields.
  json decline = {{"schema", "xyd.bank-result.v1"}, {"serial", "S-2"},           {"institution", "ins-a"},
                  {"application", "app-1"},         {"type", "credit_declined"}, {"reason", "cash flow"}};
  BOOST_CHECK_EQUAL(rule_of(decline), "ok");
  json repayment = {{"schema", "xyd.bank-result.v1"},
                    {"serial", "S-3"},
                    {"institution", "ins-a"},
                    {"application", "app-1"},
                    {"type", "repayment_received"},
                    {"loan_number", "L1"},
                    {"installment", 1},
                    {"principal", 100},
                    {"interest", 5},
                    {"paid_at", "2025-04-01"}};
  BOOST_CHECK_EQUAL(rule_of(repayment), "penalty:required");
}

BOOST_AUTO_TEST_CASE(a_dead_letter_keeps_the_reason_and_the_original) {
  Inbound record{"kafka",
                 "ins-a",
                 credit("S-9").dump(),
                 "kafka:xyd.in.ins-a/2@41",
                 {{"topic", "xyd.in.ins-a"}, {"partition", 2}, {"offset", 41}},
                 1735689600000};
  DeadLetter letter =
      dead_letter_for(record, make_error(Errc::refused, "over credit", "amount", "disbursed-within-credit"));
  BOOST_CHECK_EQUAL(letter.status, 422);
  BOOST_CHECK_EQUAL(letter.serial, "S-9");
  BOOST_CHECK_EQUAL(letter.business_date, "2025-03-01");
  auto out = to_record(letter);
  BOOST_CHECK_EQUAL(out.topic, "xyd.dlq");
  BOOST_CHECK_EQUAL(out.key, "ins-a");
  auto back = dead_letter_from_json(out.value);
  BOOST_REQUIRE(back.ok());
  BOOST_CHECK_EQUAL(back->id, "kafka:xyd.in.ins-a/2@41");
  BOOST_CHECK_EQUAL(back->reason.rule, "disbursed-within-credit");
  BOOST_CHECK_EQUAL(back->reason.field, "amount");
  BOOST_CHECK_EQUAL(back->original["value"], credit("S-9").dump());
  BOOST_CHECK_EQUAL(back->original["offset"], 41);
  BOOST_CHECK(!dead_letter_from_json("{}").ok());
  // Garbage keeps its bytes, with nothing read from it.
  DeadLetter garbage = dead_letter_for({"kafka", "ins-a", "\x01\x02garbage", "kafka:x/0@1", json::object(), 1},
                                       make_error(Errc::invalid_argument, "not json", "body", "json"));
  BOOST_CHECK_EQUAL(garbage.serial, "");
  BOOST_CHECK_EQUAL(garbage.status, 400);
  BOOST_CHECK_EQUAL(garbage.original["value"], "\x01\x02garbage");
}

BOOST_AUTO_TEST_CASE(webhook_signatures_as_standard_webhooks_define_them) {
  // The Standard Webhooks reference vector (standard-webhooks/libraries, spec tests).
  const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const std::string id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  const std::string body = R"({"test": 2432232314})";
  auto signature = sign_webhook(secret, id, 1614265330, body);
  BOOST_REQUIRE(signature.ok());
  BOOST_CHECK_EQUAL(*signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  const int64_t now = 1614265330 + 10;
  BOOST_CHECK(verify_webhook({secret}, {id, "1614265330", *signature}, body, now).ok());
  // Rotation: any active secret, any of several signatures.
  BOOST_CHECK(verify_webhook({"whsec_" + std::string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="), secret},
                             {id, "1614265330", "v1,AAAA v1,bm9wZQ== " + *signature}, body, now)
                  .ok());
  auto rule = [&](const std::vector<std::string>& secrets, WebhookHeaders headers, const std::string& text,
                  int64_t at) {
    Status status = verify_webhook(secrets, headers, text, at);
    return status.ok() ? std::string("ok") : status.error().field + ":" + status.error().rule;
  };
  BOOST_CHECK_EQUAL(rule({secret}, {id, "1614265330", *signature}, body + " ", now),
                    "webhook-signature:signature-mismatch");
  BOOST_CHECK_EQUAL(rule({secret}, {id + "x", "1614265330", *signature}, body, now),
                    "webhook-signature:signature-mismatch");
  BOOST_CHECK_EQUAL(rule({"whsec_" + std::string("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")},
                         {id, "1614265330", *signature}, body, now),
                    "webhook-signature:signature-mismatch");
  BOOST_CHECK_EQUAL(rule({secret}, {id, "1614265330", *signature}, body, 1614265330 + 301),
                    "webhook-timestamp:timestamp-tolerance");
  BOOST_CHECK_EQUAL(rule({secret}, {id, "1614265330", *signature}, body, 1614265330 - 301),
                    "webhook-timestamp:timestamp-tolerance");
  BOOST_CHECK_EQUAL(rule({secret}, {id, "16142x", *signature}, body, now), "webhook-timestamp:timestamp-format");
  BOOST_CHECK_EQUAL(rule({secret}, {"", "1614265330", *signature}, body, now), "webhook-id:required");
  BOOST_CHECK_EQUAL(rule({secret}, {id, "1614265330", ""}, body, now), "webhook-signature:required");
  BOOST_CHECK_EQUAL(rule({secret}, {id, "1614265330", "v2,abc"}, body, now), "webhook-signature:signature-format");
  BOOST_CHECK_EQUAL(rule({}, {id, "1614265330", *signature}, body, now), "webhook-signature:no-webhook-secret");
}

BOOST_AUTO_TEST_CASE(the_results_view_by_serial_errors_and_reconciliation) {
  projections::MemoryView view;
  auto spec = bank_results_spec();
  auto projection = spec.make(nullptr);
  BOOST_REQUIRE(projection.ok());
  projections::ChainedEvents chain;
  const events::Actor bank{"connector:ins-a", "bank_connector", "ins-a", ""};
  auto apply_event = [&](const std::string& name, json data, events::Actor actor) {
    auto record = chain.next("application", "app-1", name, std::move(data), actor);
    BOOST_REQUIRE(record.ok());
    log::Record in{record->topic, 0, 0, record->key, record->value, record->headers, 0};
    projections::ScannedEvent scanned;
    BOOST_REQUIRE(projections::scan_event(in.value, scanned).ok());
    BOOST_REQUIRE((*projection)->apply(view, {in, &scanned, nullptr}).ok());
  };
  auto apply_letter = [&](const DeadLetter& letter) {
    auto out = to_record(letter);
    log::Record in{out.topic, 0, 7, out.key, out.value, out.headers, 0};
    const Error not_event = make_error(Errc::corrupt, "not an event");
    BOOST_REQUIRE((*projection)->apply(view, {in, nullptr, &not_event}).ok());
  };
  apply_event("ApplicationSubmitted", json::object(), {});
  apply_event("CreditGranted",
              {{"credit_number", "CR-1"},
               {"amount", 500000},
               {"rate_bp", 450},
               {"term_months", 12},
               {"granted_at", "2025-03-01"},
               {"valid_until", "2026-03-01"},
               {"serial", "S-1"}},
              bank);
  apply_event("LoanDisbursed",
              {{"loan_number", "L1"},
               {"amount", 300000},
               {"rate_bp", 450},
               {"disbursed_at", "2025-03-01"},
               {"maturity", "2026-03-01"},
               {"repayment_method", "bullet"},
               {"serial", "S-2"}},
              bank);
  // A manager's hand-recorded drawdown carries no serial: not a bank result.
  apply_event("LoanDisbursed",
              {{"loan_number", "L2"},
               {"amount", 100000},
               {"rate_bp", 450},
               {"disbursed_at", "2025-03-01"},
               {"maturity", "2026-03-01"},
               {"repayment_method", "bullet"}},
              {"acc-m", "account_manager", "ins-a", ""});
  json over = credit("S-3");
  over["type"] = "loan_disbursed";
  Inbound record{
      "kafka",
      "ins-a",
      R"({"schema":"xyd.bank-result.v1","serial":"S-3","institution":"ins-a","application":"app-1","type":"loan_disbursed","amount":900000,"disbursed_at":"2025-03-01"})",
      "kafka:xyd.in.ins-a/0@3",
      json::object(),
      1735689600000};
  DeadLetter letter =
      dead_letter_for(record, make_error(Errc::refused, "over credit", "amount", "disbursed-within-credit"));
  apply_letter(letter);
  apply_letter(letter);  // delivered twice after a crash: counted once
  // A duplicate of an applied serial with another body is rejected, but the serial stays applied.
  DeadLetter conflicting =
      dead_letter_for({"webhook", "ins-a", credit("S-1").dump(), "webhook:ins-a/w-1", json::object(), 1735689600000},
                      make_error(Errc::refused, "another body", "Idempotency-Key", "same-body"));
  apply_letter(conflicting);

  auto s1 = result_by_serial(view, "ins-a", "S-1");
  BOOST_REQUIRE(s1.ok() && s1->has_value());
  BOOST_CHECK_EQUAL((**s1)["outcome"], "applied");
  BOOST_CHECK_EQUAL((**s1)["amount"], 500000);
  BOOST_CHECK_EQUAL((**s1)["rejections"], 1);
  auto s3 = result_by_serial(view, "ins-a", "S-3");
  BOOST_REQUIRE(s3.ok() && s3->has_value());
  BOOST_CHECK_EQUAL((**s3)["outcome"], "rejected");
  BOOST_CHECK_EQUAL((**s3)["reason"]["rule"], "disbursed-within-credit");
  BOOST_CHECK(!result_by_serial(view, "ins-a", "S-404")->has_value());
  BOOST_CHECK(!result_by_serial(view, "ins-b", "S-1")->has_value());

  auto errors = errors_page(view, "ins-a", "", 1);
  BOOST_REQUIRE(errors.ok());
  BOOST_REQUIRE_EQUAL((*errors)["items"].size(), 1u);
  BOOST_REQUIRE((*errors)["next_after"].is_string());
  auto rest = errors_page(view, "ins-a", (*errors)["next_after"], 10);
  BOOST_REQUIRE(rest.ok());
  BOOST_CHECK_EQUAL((*rest)["items"].size(), 1u);
  BOOST_CHECK((*rest)["next_after"].is_null());
  BOOST_CHECK_NE((*errors)["items"][0]["id"], (*rest)["items"][0]["id"]);

  auto day = reconciliation(view, "ins-a", "2025-03-01");
  BOOST_REQUIRE(day.ok());
  BOOST_CHECK_EQUAL((*day)["figures"]["credit_granted"]["count"], 1);
  BOOST_CHECK_EQUAL((*day)["figures"]["credit_granted"]["amount_fen"], 500000);
  BOOST_CHECK_EQUAL((*day)["figures"]["loan_disbursed"]["count"], 1);
  BOOST_CHECK_EQUAL((*day)["figures"]["loan_disbursed"]["amount_fen"], 300000);
  BOOST_CHECK_EQUAL((*day)["figures"]["rejected"]["count"], 2);
  BOOST_CHECK_EQUAL((*day)["figures"]["rejected"]["amount_fen"], 900000 + 500000);
  BOOST_CHECK_EQUAL((*reconciliation(view, "ins-a", "2025-03-02"))["figures"]["credit_granted"]["count"], 0);
}

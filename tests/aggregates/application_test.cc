#define BOOST_TEST_MODULE application
#include "aggregates/application.h"

#include <fstream>

#include "tests/aggregates/domain_fixtures.h"

using namespace xyd::domain;
using namespace xyd::domain::testing;
using nlohmann::json;
using xyd::Errc;

namespace {

const ApplicationAggregate kApp;
const auto kOwner = actor("acc-owner", "enterprise_user", "", "440300");
const auto kManager = actor("acc-m1", "account_manager", "inst-a");
const auto kAdminA = actor("acc-adm-a", "institution_admin", "inst-a");
const auto kBankA = actor("bank-a", "bank_connector", "inst-a");

json screening_rules() {
  std::ifstream in(std::string(XYD_RULES_DIR) + "/screening.json");
  return json::parse(in);
}

json context() {
  return {{"enterprise",
           {{"exists", true},
            {"owner", "acc-owner"},
            {"certified", true},
            {"region", "440305"},
            {"industry", "C"},
            {"name", "深圳某科技有限公司"},
            {"credit_score", 720}}},
          {"product",
           {{"exists", true},
            {"status", "enabled"},
            {"institution", "inst-a"},
            {"amount_min", 10000000},
            {"amount_max", 300000000},
            {"term_min_months", 6},
            {"term_max_months", 36},
            {"service_regions", {"440000"}},
            {"product_type", "credit"}}},
          {"institution", {{"status", "active"}, {"type", "bank"}}},
          {"managers",
           {{{"account", "acc-m2"}, {"enabled", true}, {"open_orders", 3}},
            {{"account", "acc-m1"}, {"enabled", true}, {"open_orders", 1}},
            {{"account", "acc-m0"}, {"enabled", false}, {"open_orders", 0}},
            {{"account", "acc-m3"}, {"enabled", true}, {"open_orders", 1}}}},
          {"screening", screening_rules()}};
}

json request() {
  return {{"enterprise", "ent-1"}, {"product", "prd-1"},    {"amount", 100000000},
          {"term_months", 12},     {"purpose", "流动资金"}, {"channel", "portal"}};
}

Command cmd(const std::string& name, json body, xyd::events::Actor who, json ctx = json::object()) {
  return command(kApp, "app-1", name, std::move(body), std::move(who), std::move(ctx));
}

Command submission(json ctx = context(), json body = request()) {
  return cmd("SubmitApplication", std::move(body), kOwner, std::move(ctx));
}

AggregateState assigned() {
  AggregateState state;
  step(kApp, state, submission());
  return state;
}

AggregateState accepted() {
  AggregateState state = assigned();
  step(kApp, state, cmd("AcceptApplication", {{"comment", "资料齐全"}, {"intended_amount", 80000000}}, kManager));
  return state;
}

json grant() {
  return {{"credit_number", "CR-1"},     {"amount", 80000000},         {"rate_bp", 385},           {"term_months", 12},
          {"valid_until", "2026-03-31"}, {"granted_at", "2025-04-01"}, {"serial", "bank-serial-1"}};
}

json loan(const std::string& number, int64_t amount) {
  return {{"loan_number", number},        {"amount", amount},         {"rate_bp", 385},
          {"disbursed_at", "2025-04-10"}, {"maturity", "2026-04-10"}, {"repayment_method", "equal_principal"}};
}

json repayment(const std::string& number, int64_t principal, int64_t installment = 1) {
  return {{"loan_number", number}, {"installment", installment}, {"principal", principal}, {"interest", 25000},
          {"penalty", 0},          {"paid_at", "2025-05-10"}};
}

AggregateState disbursed() {
  AggregateState state = accepted();
  step(kApp, state, cmd("GrantCredit", grant(), kBankA));
  step(kApp, state, cmd("DisburseLoan", loan("L-1", 50000000), kBankA));
  return state;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(submission_invariants)

BOOST_AUTO_TEST_CASE(submission_screens_and_dispatches_in_one_decision) {
  AggregateState state;
  auto events = step(kApp, state, submission());
  BOOST_CHECK((names(events) == std::vector<std::string>{"ApplicationSubmitted", "RiskScreened", "ManagerAssigned"}));
  BOOST_CHECK_EQUAL(events[0].data["region"], "440305");
  BOOST_CHECK_EQUAL(events[0].data["industry"], "C");
  BOOST_CHECK_EQUAL(events[0].data["institution"], "inst-a");
  BOOST_CHECK_EQUAL(events[0].data["institution_type"], "bank");
  BOOST_CHECK_EQUAL(events[1].data["verdict"], "pass");
  BOOST_CHECK_EQUAL(events[1].data["rule_set_version"], "2025.1");
  BOOST_CHECK_EQUAL(events[2].data["manager"], "acc-m1");  // least loaded, ties by account id
  BOOST_CHECK_EQUAL(events[2].data["how"], "auto");
  BOOST_CHECK_EQUAL(state.data["status"], "assigned");
  BOOST_CHECK_EQUAL(state.data["owner"], "acc-owner");
}

BOOST_AUTO_TEST_CASE(each_invariant_has_its_own_refusal) {
  auto with = [](const char* part, const char* field, json value) {
    json ctx = context();
    ctx[part][field] = std::move(value);
    return submission(ctx);
  };
  check_refused(kApp, {}, with("enterprise", "certified", false), Errc::refused, "enterprise-certified");
  check_refused(kApp, {}, with("enterprise", "exists", false), Errc::refused, "enterprise-exists");
  check_refused(kApp, {}, with("product", "status", "disabled"), Errc::refused, "product-enabled");
  check_refused(kApp, {}, with("product", "exists", false), Errc::refused, "product-exists");
  check_refused(kApp, {}, with("institution", "status", "suspended"), Errc::refused, "institution-active");
  check_refused(kApp, {}, with("product", "amount_max", 50000000), Errc::refused, "amount-within-product-range");
  check_refused(kApp, {}, with("product", "term_min_months", 24), Errc::refused, "term-within-product-range");
  check_refused(kApp, {}, with("product", "service_regions", {"110000", "440100"}), Errc::refused, "region-served");
  auto stranger = submission();
  stranger.actor = actor("acc-other", "enterprise_user");
  check_refused(kApp, {}, stranger, Errc::forbidden, "scope-own");
  json no_screening = context();
  no_screening.erase("screening");
  check_refused(kApp, {}, submission(no_screening), Errc::invalid_argument, "context-fact");
  json body = request();
  body["amount"] = 1000.5;
  check_refused(kApp, {}, submission(context(), body), Errc::invalid_argument, "integer");
  check_refused(kApp, assigned(), submission(), Errc::conflict, "unique-id");
}

BOOST_AUTO_TEST_CASE(a_rejecting_screen_terminates_at_once) {
  json ctx = context();
  ctx["enterprise"]["high_risk_signals"] = 1;
  AggregateState state;
  auto events = step(kApp, state, submission(ctx));
  BOOST_CHECK(
      (names(events) == std::vector<std::string>{"ApplicationSubmitted", "RiskScreened", "ApplicationTerminated"}));
  BOOST_CHECK_EQUAL(events[2].data["by"], "system");
  BOOST_CHECK_EQUAL(state.data["status"], "terminated");
}

BOOST_AUTO_TEST_CASE(review_verdict_still_dispatches_and_no_manager_leaves_it_unassigned) {
  json ctx = context();
  ctx["enterprise"]["medium_risk_signals"] = 1;
  ctx["managers"] = json::array({{{"account", "acc-m0"}, {"enabled", false}, {"open_orders", 0}}});
  AggregateState state;
  auto events = step(kApp, state, submission(ctx));
  BOOST_CHECK_EQUAL(events.size(), 2u);
  BOOST_CHECK_EQUAL(events[1].data["verdict"], "review");
  BOOST_CHECK_EQUAL(state.data["status"], "screened");
  check_refused(kApp, state, cmd("AcceptApplication", {{"intended_amount", 1}}, kAdminA), Errc::refused,
                "accept-when-assigned");
  auto reassign = cmd("ReassignManager", {{"to", "acc-m1"}}, kAdminA, context());
  step(kApp, state, reassign);
  BOOST_CHECK_EQUAL(state.data["status"], "assigned");
  BOOST_CHECK_EQUAL(state.data["manager"], "acc-m1");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(handling)

BOOST_AUTO_TEST_CASE(only_the_assigned_manager_or_its_admin_acts) {
  AggregateState state = assigned();
  auto accept = [](xyd::events::Actor who) { return cmd("AcceptApplication", {{"intended_amount", 1000}}, who); };
  check_refused(kApp, state, accept(actor("acc-m2", "account_manager", "inst-a")), Errc::forbidden, "scope-assigned");
  check_refused(kApp, state, accept(actor("acc-adm-b", "institution_admin", "inst-b")), Errc::forbidden,
                "scope-institution");
  check_refused(kApp, state, accept(actor("acc-m1", "account_manager", "inst-b")), Errc::forbidden, "scope-assigned");
  // decide checks it too, whatever the matrix says
  auto by_other = accept(actor("acc-m2", "account_manager", "inst-a"));
  BOOST_CHECK_EQUAL(kApp.decide(state, by_other).error().rule, "assigned-manager");
  auto other_admin = accept(actor("acc-adm-b", "institution_admin", "inst-b"));
  BOOST_CHECK_EQUAL(kApp.decide(state, other_admin).error().rule, "own-institution");
  step(kApp, state, accept(kAdminA));
  BOOST_CHECK_EQUAL(state.data["status"], "accepted");
}

BOOST_AUTO_TEST_CASE(reassignment_needs_an_enabled_manager) {
  AggregateState state = assigned();
  check_refused(kApp, state, cmd("ReassignManager", {{"to", "acc-m0"}}, kAdminA, context()), Errc::refused,
                "manager-enabled");
  check_refused(kApp, state, cmd("ReassignManager", {{"to", "acc-m1"}}, kAdminA, context()), Errc::refused,
                "different-manager");
  check_refused(kApp, state, cmd("ReassignManager", {{"to", "acc-m2"}}, kManager, context()), Errc::forbidden,
                "role-may-not");
  auto events = step(kApp, state, cmd("ReassignManager", {{"to", "acc-m2"}}, kAdminA, context()));
  BOOST_CHECK_EQUAL(events[0].data["from"], "acc-m1");
  BOOST_CHECK_EQUAL(events[0].data["by"], "acc-adm-a");
  check_refused(kApp, state, cmd("AcceptApplication", {{"intended_amount", 1}}, kManager), Errc::forbidden,
                "scope-assigned");
}

BOOST_AUTO_TEST_CASE(intended_amount_within_requested) {
  AggregateState state = assigned();
  check_refused(kApp, state, cmd("AcceptApplication", {{"intended_amount", 100000001}}, kManager), Errc::refused,
                "intended-within-requested");
}

BOOST_AUTO_TEST_CASE(terminated_withdrawn_declined_end_the_order) {
  AggregateState terminated = assigned();
  step(kApp, terminated, cmd("TerminateApplication", {{"reason", "资料不全"}}, kManager));
  BOOST_CHECK_EQUAL(terminated.data["status"], "terminated");
  check_refused(kApp, terminated, cmd("AcceptApplication", {{"intended_amount", 1}}, kManager), Errc::refused,
                "terminal-state");

  AggregateState withdrawn = accepted();
  check_refused(kApp, withdrawn, cmd("WithdrawApplication", json::object(), actor("acc-x", "enterprise_user")),
                Errc::forbidden, "scope-own");
  step(kApp, withdrawn, cmd("WithdrawApplication", {{"reason", "不需要了"}}, kOwner));
  BOOST_CHECK_EQUAL(withdrawn.data["status"], "withdrawn");
  check_refused(kApp, withdrawn, cmd("GrantCredit", grant(), kBankA), Errc::refused, "terminal-state");

  AggregateState declined = accepted();
  step(kApp, declined, cmd("DeclineCredit", {{"reason", "负债率高"}, {"serial", "s-9"}}, kBankA));
  BOOST_CHECK_EQUAL(declined.data["status"], "credit_declined");
  check_refused(kApp, declined, cmd("DisburseLoan", loan("L-1", 1), kBankA), Errc::refused, "terminal-state");

  AggregateState paid_out = disbursed();
  check_refused(kApp, paid_out, cmd("WithdrawApplication", json::object(), kOwner), Errc::refused,
                "before-disbursement");
  check_refused(kApp, paid_out, cmd("TerminateApplication", {{"reason", "x"}}, kManager), Errc::refused,
                "before-disbursement");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(credit_and_loans)

BOOST_AUTO_TEST_CASE(bank_results_of_another_institution_are_refused) {
  AggregateState state = accepted();
  auto bank_b = actor("bank-b", "bank_connector", "inst-b");
  check_refused(kApp, state, cmd("GrantCredit", grant(), bank_b), Errc::forbidden, "scope-institution");
  BOOST_CHECK_EQUAL(kApp.decide(state, cmd("GrantCredit", grant(), bank_b)).error().rule, "institution-matches");
}

BOOST_AUTO_TEST_CASE(credit_needs_acceptance) {
  AggregateState state = assigned();
  check_refused(kApp, state, cmd("GrantCredit", grant(), kBankA), Errc::refused, "credit-decision-after-acceptance");
  state = accepted();
  json bad = grant();
  bad["valid_until"] = "2025-01-01";
  check_refused(kApp, state, cmd("GrantCredit", bad, kBankA), Errc::refused, "valid-after-granted");
  check_refused(kApp, state, cmd("DisburseLoan", loan("L-1", 1), kBankA), Errc::refused, "disbursement-after-credit");
}

BOOST_AUTO_TEST_CASE(drawdowns_stay_within_the_credit) {
  AggregateState state = disbursed();
  BOOST_CHECK_EQUAL(state.data["status"], "disbursed");
  check_refused(kApp, state, cmd("DisburseLoan", loan("L-1", 1000), kBankA), Errc::conflict, "unique-loan-number");
  check_refused(kApp, state, cmd("DisburseLoan", loan("L-2", 30000001), kBankA), Errc::refused,
                "disbursed-within-credit");
  json late = loan("L-2", 1000);
  late["disbursed_at"] = "2026-04-01";
  late["maturity"] = "2027-04-01";
  check_refused(kApp, state, cmd("DisburseLoan", late, kBankA), Errc::refused, "disbursed-within-credit-validity");
  json early = loan("L-2", 1000);
  early["disbursed_at"] = "2025-03-01";
  check_refused(kApp, state, cmd("DisburseLoan", early, kBankA), Errc::refused, "disbursed-after-grant");
  step(kApp, state, cmd("DisburseLoan", loan("L-2", 30000000), kBankA));
  BOOST_CHECK_EQUAL(state.data["disbursed_total"], 80000000);
  BOOST_CHECK_EQUAL(state.data["loans"]["L-2"]["outstanding"], 30000000);
}

BOOST_AUTO_TEST_CASE(full_lifecycle_to_settlement) {
  AggregateState state = disbursed();
  step(kApp, state, cmd("DisburseLoan", loan("L-2", 30000000), kBankA));
  check_refused(kApp, state, cmd("ReceiveRepayment", repayment("L-1", 50000001), kBankA), Errc::refused,
                "principal-within-outstanding");
  check_refused(kApp, state, cmd("ReceiveRepayment", repayment("L-9", 1), kBankA), Errc::refused, "loan-exists");
  auto events = step(kApp, state, cmd("ReceiveRepayment", repayment("L-1", 20000000), kBankA));
  BOOST_CHECK_EQUAL(events.size(), 1u);
  BOOST_CHECK_EQUAL(state.data["loans"]["L-1"]["outstanding"], 30000000);
  events = step(kApp, state, cmd("ReceiveRepayment", repayment("L-1", 30000000, 2), kManager));
  BOOST_CHECK((names(events) == std::vector<std::string>{"RepaymentReceived", "LoanSettled"}));
  BOOST_CHECK_EQUAL(events[1].data["settled_at"], "2025-05-10");
  BOOST_CHECK_EQUAL(state.data["status"], "disbursed");  // L-2 still outstanding
  check_refused(kApp, state, cmd("ReceiveRepayment", repayment("L-1", 1, 3), kBankA), Errc::refused, "loan-open");
  step(kApp, state, cmd("ReceiveRepayment", repayment("L-2", 30000000), kBankA));
  BOOST_CHECK_EQUAL(state.data["status"], "settled");
  BOOST_CHECK_EQUAL(state.data["outstanding_total"], 0);
  check_refused(kApp, state, cmd("DisburseLoan", loan("L-3", 1), kBankA), Errc::refused, "terminal-state");
}

BOOST_AUTO_TEST_CASE(overdue_back_to_current_then_written_off) {
  AggregateState state = disbursed();
  json overdue = {
      {"loan_number", "L-1"}, {"days_past_due", 15}, {"overdue_principal", 5000000}, {"as_of", "2025-06-25"}};
  check_refused(kApp, state,
                cmd("WriteOffLoan", {{"loan_number", "L-1"}, {"amount", 50000000}, {"as_of", "2025-07-01"}}, kBankA),
                Errc::refused, "written-off-when-overdue");
  step(kApp, state, cmd("MarkOverdue", overdue, actor("system", "system")));
  BOOST_CHECK_EQUAL(state.data["status"], "overdue");
  json cured = {{"loan_number", "L-1"}, {"days_past_due", 0}, {"overdue_principal", 0}, {"as_of", "2025-06-30"}};
  step(kApp, state, cmd("MarkOverdue", cured, kBankA));
  BOOST_CHECK_EQUAL(state.data["status"], "disbursed");
  check_refused(kApp, state, cmd("MarkOverdue", cured, kBankA), Errc::refused, "overdue-to-cure");
  json too_much = overdue;
  too_much["overdue_principal"] = 50000001;
  check_refused(kApp, state, cmd("MarkOverdue", too_much, kBankA), Errc::refused, "overdue-within-outstanding");
  overdue["days_past_due"] = 200;
  step(kApp, state, cmd("MarkOverdue", overdue, kBankA));
  check_refused(kApp, state,
                cmd("WriteOffLoan", {{"loan_number", "L-1"}, {"amount", 1}, {"as_of", "2025-12-31"}}, kBankA),
                Errc::refused, "write-off-whole-outstanding");
  step(kApp, state,
       cmd("WriteOffLoan", {{"loan_number", "L-1"}, {"amount", 50000000}, {"as_of", "2025-12-31"}}, kBankA));
  BOOST_CHECK_EQUAL(state.data["status"], "bad_debt");
  BOOST_CHECK_EQUAL(state.data["loans"]["L-1"]["status"], "written_off");
  check_refused(kApp, state, cmd("ReceiveRepayment", repayment("L-1", 1), kBankA), Errc::refused, "terminal-state");
}

BOOST_AUTO_TEST_CASE(registered_in_the_registry_with_the_other_aggregates) {
  for (const char* type : {"account", "enterprise", "institution", "product", "demand", "application"})
    BOOST_CHECK_MESSAGE(aggregate_for(type) != nullptr, type);
}

BOOST_AUTO_TEST_SUITE_END()

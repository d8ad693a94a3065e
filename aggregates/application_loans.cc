// Credit, loans and repayments of an order, as the institution (its manager, its admin or its bank
// connector) reports them: GrantCredit / DeclineCredit, DisburseLoan (several drawdowns, their
// sum within the credit), ReceiveRepayment (principal within the loan's outstanding; the payment
// that clears a loan also emits LoanSettled), MarkOverdue and WriteOffLoan. Business dates are
// the institution's ("YYYY-MM-DD"). Pure.
#include "aggregates/application_internal.h"
#include "aggregates/fields.h"
#include "events/json_input.h"
#include "events/money.h"
#include "events/schema/application.h"

namespace xyd::domain::application {
namespace {

using nlohmann::json;

constexpr int64_t kMaxRateBp = 100000;
const std::vector<std::string> kRepaymentMethods = {"equal_installment", "equal_principal", "interest_first", "bullet",
                                                    "other"};

// Common start of every institution result: not ended, allowed status, the right actor.
Status check_result(const AggregateState& state, const Command& command, const std::vector<std::string>& allowed,
                    const std::string& rule) {
  XYD_RETURN_IF_ERROR(check_status(state, allowed, rule));
  return check_acts_on_order(state, command);
}

// The bank's serial number, when the result came from a connector (its idempotency key).
// The bank's reference for the result, when the command gives one as text.
std::optional<std::string> serial_of(const Command& command) {
  const json serial = events::member_or_null(command.body, "serial");
  if (!serial.is_string()) return std::nullopt;
  return serial.get_ref<const std::string&>();
}

void add_serial(json& data, const Command& command) {
  if (auto serial = serial_of(command)) data["serial"] = *serial;
}

Status check_not_before(const std::string& date, const std::string& earliest, const std::string& field,
                        const std::string& rule) {
  if (date.substr(0, 10) < earliest.substr(0, 10))
    return refuse(Errc::refused, field + " " + date + " is before " + earliest, field, rule);
  return Status();
}

// The loan a command names, open (current or overdue).
Result<json> open_loan(const AggregateState& state, const Command& command, std::string& number) {
  XYD_ASSIGN_OR_RETURN(number, required_string(command.body, "loan_number"));
  const json loans = events::object_or_empty(state.data, "loans");
  if (!loans.contains(number))
    return refuse(Errc::refused, "the order has no loan " + number, "loan_number", "loan-exists");
  const json& loan = loans[number];
  const std::string status = events::string_or(loan, "status");
  if (status != "current" && status != "overdue")
    return refuse(Errc::refused, "loan " + number + " is " + status + ": nothing happens after that", "loan_number",
                  "loan-open");
  return loan;
}

const std::vector<std::string> kLoanStatuses = {"disbursed", "overdue"};

}  // namespace

Decision grant_credit(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_result(state, command, {"accepted"}, "credit-decision-after-acceptance"));
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string number, required_string(body, "credit_number"));
  XYD_ASSIGN_OR_RETURN(int64_t amount, required_int(body, "amount", 1));
  XYD_ASSIGN_OR_RETURN(int64_t rate, required_int(body, "rate_bp", 0, kMaxRateBp));
  XYD_ASSIGN_OR_RETURN(int64_t term, required_int(body, "term_months", 1, 600));
  XYD_ASSIGN_OR_RETURN(std::string granted_at, required_date(body, "granted_at"));
  XYD_ASSIGN_OR_RETURN(std::string valid_until, required_date(body, "valid_until"));
  XYD_RETURN_IF_ERROR(check_not_before(valid_until, granted_at, "valid_until", "valid-after-granted"));
  const events::application::CreditGranted granted{.credit_number = number,
                                                   .amount = {amount},
                                                   .rate_bp = {rate},
                                                   .term_months = term,
                                                   .valid_until = {valid_until},
                                                   .granted_at = {granted_at},
                                                   .by = command.actor.account,
                                                   .serial = serial_of(command)};
  return one_event(events::application::kCreditGranted, events::encode(granted));
}

Decision decline_credit(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_result(state, command, {"accepted"}, "credit-decision-after-acceptance"));
  XYD_ASSIGN_OR_RETURN(std::string reason, required_string(command.body, "reason"));
  json data = {{"reason", reason}, {"by", command.actor.account}};
  if (command.body.contains("declined_at")) {
    XYD_ASSIGN_OR_RETURN(data["declined_at"], required_date(command.body, "declined_at"));
  }
  add_serial(data, command);
  return one_event(events::application::kCreditDeclined, std::move(data));
}

Decision disburse_loan(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(
      check_result(state, command, {"credit_granted", "disbursed", "overdue"}, "disbursement-after-credit"));
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string number, required_string(body, "loan_number"));
  if (events::object_or_empty(state.data, "loans").contains(number))
    return refuse(Errc::conflict, "loan number " + number + " is already disbursed on this order", "loan_number",
                  "unique-loan-number");
  XYD_ASSIGN_OR_RETURN(int64_t amount, required_int(body, "amount", 1));
  XYD_ASSIGN_OR_RETURN(int64_t rate, required_int(body, "rate_bp", 0, kMaxRateBp));
  XYD_ASSIGN_OR_RETURN(std::string disbursed_at, required_date(body, "disbursed_at"));
  XYD_ASSIGN_OR_RETURN(std::string maturity, required_date(body, "maturity"));
  XYD_ASSIGN_OR_RETURN(std::string method,
                       required_one_of(body, "repayment_method", kRepaymentMethods, "repayment-method"));
  const json credit = events::object_or_empty(state.data, "credit");
  const int64_t granted = events::int_or(credit, "amount");
  const int64_t disbursed = events::int_or(state.data, "disbursed_total");
  const auto after = events::checked_add(disbursed, amount);
  if (!after || *after > granted)
    return refuse(Errc::refused,
                  "disbursing " + std::to_string(amount) + " after " + std::to_string(disbursed) +
                      " exceeds the credit granted, " + std::to_string(granted),
                  "amount", "disbursed-within-credit");
  XYD_RETURN_IF_ERROR(
      check_not_before(disbursed_at, events::string_or(credit, "granted_at"), "disbursed_at", "disbursed-after-grant"));
  if (disbursed_at > events::string_or(credit, "valid_until"))
    return refuse(Errc::refused, "the credit was valid until " + events::string_or(credit, "valid_until"),
                  "disbursed_at", "disbursed-within-credit-validity");
  if (maturity <= disbursed_at)
    return refuse(Errc::invalid_argument, "maturity must come after disbursed_at", "maturity",
                  "maturity-after-disbursement");
  const events::application::LoanDisbursed loan{.loan_number = number,
                                                .amount = {amount},
                                                .rate_bp = {rate},
                                                .disbursed_at = {disbursed_at},
                                                .maturity = {maturity},
                                                .repayment_method = method,
                                                .credit_number = events::string_or(credit, "credit_number"),
                                                .by = command.actor.account,
                                                .serial = serial_of(command)};
  return one_event(events::application::kLoanDisbursed, events::encode(loan));
}

Decision receive_repayment(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_result(state, command, kLoanStatuses, "repayment-after-disbursement"));
  std::string number;
  XYD_ASSIGN_OR_RETURN(json loan, open_loan(state, command, number));
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(int64_t installment, required_int(body, "installment", 1));
  XYD_ASSIGN_OR_RETURN(int64_t principal, required_int(body, "principal", 0));
  XYD_ASSIGN_OR_RETURN(int64_t interest, required_int(body, "interest", 0));
  XYD_ASSIGN_OR_RETURN(int64_t penalty, required_int(body, "penalty", 0));
  XYD_ASSIGN_OR_RETURN(std::string paid_at, required_date(body, "paid_at"));
  const auto principal_and_interest = events::checked_add(principal, interest);
  const auto paid = principal_and_interest ? events::checked_add(*principal_and_interest, penalty) : std::nullopt;
  if (!paid)
    return refuse(Errc::invalid_argument, "principal + interest + penalty exceeds the largest amount", "principal",
                  "amount-ceiling");
  if (*paid == 0)
    return refuse(Errc::invalid_argument, "a repayment pays something", "principal", "repayment-not-empty");
  const int64_t outstanding = events::int_or(loan, "outstanding");
  if (principal > outstanding)
    return refuse(
        Errc::refused,
        "principal " + std::to_string(principal) + " exceeds the loan's outstanding " + std::to_string(outstanding),
        "principal", "principal-within-outstanding");
  XYD_RETURN_IF_ERROR(
      check_not_before(paid_at, events::string_or(loan, "disbursed_at"), "paid_at", "paid-after-disbursement"));
  json data = {{"loan_number", number},
               {"installment", installment},
               {"principal", principal},
               {"interest", interest},
               {"penalty", penalty},
               {"paid_at", paid_at},
               {"outstanding_after", outstanding - principal},
               {"by", command.actor.account}};
  add_serial(data, command);
  std::vector<NewEvent> events = {{events::application::kRepaymentReceived, std::move(data)}};
  if (outstanding == principal)
    events.push_back({events::application::kLoanSettled, {{"loan_number", number}, {"settled_at", paid_at}}});
  return events;
}

Decision mark_overdue(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_result(state, command, kLoanStatuses, "overdue-after-disbursement"));
  std::string number;
  XYD_ASSIGN_OR_RETURN(json loan, open_loan(state, command, number));
  XYD_ASSIGN_OR_RETURN(int64_t days, required_int(command.body, "days_past_due", 0, 100000));
  XYD_ASSIGN_OR_RETURN(int64_t overdue, required_int(command.body, "overdue_principal", 0));
  XYD_ASSIGN_OR_RETURN(std::string as_of, required_date(command.body, "as_of"));
  if (overdue > events::int_or(loan, "outstanding"))
    return refuse(Errc::refused, "overdue principal exceeds the loan's outstanding", "overdue_principal",
                  "overdue-within-outstanding");
  if (days == 0 && overdue != 0)
    return refuse(Errc::invalid_argument, "a loan 0 days past due has no overdue principal", "overdue_principal",
                  "current-has-no-overdue-principal");
  if (days == 0 && events::string_or(loan, "status") != "overdue")
    return refuse(Errc::refused, "loan " + number + " is current already", "days_past_due", "overdue-to-cure");
  XYD_RETURN_IF_ERROR(
      check_not_before(as_of, events::string_or(loan, "disbursed_at"), "as_of", "as-of-after-disbursement"));
  json data = {{"loan_number", number}, {"days_past_due", days}, {"overdue_principal", overdue}, {"as_of", as_of}};
  add_serial(data, command);
  return one_event(events::application::kLoanOverdue, std::move(data));
}

Decision write_off_loan(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_result(state, command, kLoanStatuses, "write-off-after-disbursement"));
  std::string number;
  XYD_ASSIGN_OR_RETURN(json loan, open_loan(state, command, number));
  if (events::string_or(loan, "status") != "overdue")
    return refuse(Errc::refused, "only an overdue loan is written off", "loan_number", "written-off-when-overdue");
  XYD_ASSIGN_OR_RETURN(int64_t amount, required_int(command.body, "amount", 1));
  XYD_ASSIGN_OR_RETURN(std::string as_of, required_date(command.body, "as_of"));
  const int64_t outstanding = events::int_or(loan, "outstanding");
  if (amount != outstanding)
    return refuse(Errc::refused, "a write-off covers the loan's whole outstanding " + std::to_string(outstanding),
                  "amount", "write-off-whole-outstanding");
  const events::application::LoanWrittenOff written_off{.loan_number = number,
                                                        .amount = {amount},
                                                        .as_of = {as_of},
                                                        .by = command.actor.account,
                                                        .serial = serial_of(command)};
  return one_event(events::application::kLoanWrittenOff, events::encode(written_off));
}

}  // namespace xyd::domain::application

#include "aggregates/application.h"

#include "aggregates/application_internal.h"
#include "aggregates/fields.h"
#include "events/json_input.h"
#include "events/money.h"
#include "events/schema/application.h"

namespace xyd::domain {
namespace {

using nlohmann::json;

const DecideTable& table() {
  static const DecideTable t = {"application",
                                "SubmitApplication",
                                {{"SubmitApplication", &application::submit},
                                 {"ReassignManager", &application::reassign_manager},
                                 {"AcceptApplication", &application::accept},
                                 {"TerminateApplication", &application::terminate},
                                 {"WithdrawApplication", &application::withdraw},
                                 {"GrantCredit", &application::grant_credit},
                                 {"DeclineCredit", &application::decline_credit},
                                 {"DisburseLoan", &application::disburse_loan},
                                 {"ReceiveRepayment", &application::receive_repayment},
                                 {"MarkOverdue", &application::mark_overdue},
                                 {"WriteOffLoan", &application::write_off_loan}}};
  return t;
}

int64_t int_at(const json& object, const char* field) {
  return events::int_or(object, field);
}
// Sums of a decided history: each amount was checked when decided; a forged one must not wrap.
int64_t plus(int64_t a, int64_t b) {
  return events::saturating_add(a, b);
}
int64_t minus(int64_t a, int64_t b) {
  return b == INT64_MIN ? INT64_MAX : events::saturating_add(a, -b);
}

// The order's status once it has loans: bad_debt or settled when every loan is closed, else
// overdue while any loan is overdue, else disbursed.
std::string status_from_loans(const json& loans) {
  bool all_closed = true, any_overdue = false, any_written_off = false;
  for (const auto& [number, loan] : loans.items()) {
    const std::string status = events::string_or(loan, "status", "current");
    all_closed = all_closed && (status == "settled" || status == "written_off");
    any_overdue = any_overdue || status == "overdue";
    any_written_off = any_written_off || status == "written_off";
  }
  if (all_closed) return any_written_off ? "bad_debt" : "settled";
  return any_overdue ? "overdue" : "disbursed";
}

// A loan event's data as its struct; nullopt (the event then changes nothing) when it is not what
// the catalog declares, which the write side never writes.
template <class Payload>
std::optional<Payload> decoded(const json& data) {
  auto payload = events::decode<Payload>(data);
  if (!payload.ok()) return std::nullopt;
  return std::move(*payload);
}

// The loan `number` of the order, made when it is not there yet.
json& loan_of(json& s, const std::string& number) {
  return s["loans"][number];
}

void apply_loan_event(json& s, const std::string& event_name, const json& data) {
  namespace app = events::application;
  if (event_name == app::kLoanDisbursed) {
    const auto e = decoded<app::LoanDisbursed>(data);
    if (!e) return;
    loan_of(s, e->loan_number) = {{"amount", e->amount.value},    {"outstanding", e->amount.value},
                                  {"rate_bp", e->rate_bp.value},  {"disbursed_at", e->disbursed_at.text},
                                  {"maturity", e->maturity.text}, {"repayment_method", e->repayment_method},
                                  {"status", "current"},          {"days_past_due", 0},
                                  {"overdue_principal", 0},       {"repaid_principal", 0},
                                  {"repaid_interest", 0},         {"repaid_penalty", 0}};
    s["disbursed_total"] = plus(int_at(s, "disbursed_total"), e->amount.value);
    s["outstanding_total"] = plus(int_at(s, "outstanding_total"), e->amount.value);
  } else if (event_name == app::kRepaymentReceived) {
    const auto e = decoded<app::RepaymentReceived>(data);
    if (!e) return;
    json& loan = loan_of(s, e->loan_number);
    for (const auto& [field, paid] :
         {std::pair{"repaid_principal", e->principal}, std::pair{"repaid_interest", e->interest},
          std::pair{"repaid_penalty", e->penalty}})
      loan[field] = plus(int_at(loan, field), paid.value);
    loan["outstanding"] = minus(int_at(loan, "outstanding"), e->principal.value);
    loan["last_installment"] = e->installment;
    s["outstanding_total"] = minus(int_at(s, "outstanding_total"), e->principal.value);
  } else if (event_name == app::kLoanOverdue) {
    const auto e = decoded<app::LoanOverdue>(data);
    if (!e) return;
    json& loan = loan_of(s, e->loan_number);
    loan["days_past_due"] = e->days_past_due;
    loan["overdue_principal"] = e->overdue_principal.value;
    loan["status"] = e->days_past_due > 0 ? "overdue" : "current";
  } else if (event_name == app::kLoanWrittenOff) {
    const auto e = decoded<app::LoanWrittenOff>(data);
    if (!e) return;
    json& loan = loan_of(s, e->loan_number);
    loan["status"] = "written_off";
    loan["written_off_amount"] = e->amount.value;
    s["outstanding_total"] = minus(int_at(s, "outstanding_total"), int_at(loan, "outstanding"));
    loan["outstanding"] = 0;
  } else if (event_name == app::kLoanSettled) {
    const auto e = decoded<app::LoanSettled>(data);
    if (!e) return;
    json& loan = loan_of(s, e->loan_number);
    loan["status"] = "settled";
    loan["days_past_due"] = 0;
    loan["overdue_principal"] = 0;
    loan["settled_at"] = e->settled_at.text;
  } else {
    return;
  }
  s["status"] = status_from_loans(s["loans"]);
}

}  // namespace

bool is_terminal_application_status(const std::string& status) {
  return status == "settled" || status == "bad_debt" || status == "terminated" || status == "withdrawn" ||
         status == "credit_declined";
}

template <>
const std::string& ApplicationAggregate::type() const {
  return table().type;
}

template <>
Result<std::vector<NewEvent>> ApplicationAggregate::decide(const AggregateState& state, const Command& command) const {
  return dispatch(table(), state, command);
}

template <>
Subject ApplicationAggregate::subject(const AggregateState& state, const Command& command) const {
  Subject s;
  if (state.exists()) {
    s.owner = events::string_or(state.data, "owner");
    s.institution = events::string_or(state.data, "institution");
    s.region = events::string_or(state.data, "region");
    s.manager = events::string_or(state.data, "manager");
    return s;
  }
  const json enterprise = events::object_or_empty(command.context, "enterprise");
  s.owner = events::string_or(enterprise, "owner");
  s.region = events::string_or(enterprise, "region");
  s.institution = events::string_or(events::object_or_empty(command.context, "product"), "institution");
  return s;
}

template <>
void ApplicationAggregate::apply(AggregateState& state, const std::string& event_name, const json& data) const {
  auto& s = state.data;
  if (event_name == events::application::kApplicationSubmitted) {
    s = data;
    s["status"] = "submitted";
    s["manager"] = "";
    s["loans"] = json::object();
    s["disbursed_total"] = 0;
    s["outstanding_total"] = 0;
  } else if (event_name == events::application::kRiskScreened) {
    s["status"] = "screened";
    s["screening"] = {{"verdict", events::member_or_null(data, "verdict")},
                      {"rule_set_version", events::member_or_null(data, "rule_set_version")}};
  } else if (event_name == events::application::kManagerAssigned ||
             event_name == events::application::kManagerReassigned) {
    s["manager"] = events::string_or(data, event_name == events::application::kManagerAssigned ? "manager" : "to");
    if (s["status"] == "screened") s["status"] = "assigned";
  } else if (event_name == events::application::kApplicationAccepted) {
    s["status"] = "accepted";
    s["intended_amount"] = events::member_or_null(data, "intended_amount");
  } else if (event_name == events::application::kApplicationTerminated ||
             event_name == events::application::kApplicationWithdrawn) {
    s["status"] = event_name == events::application::kApplicationTerminated ? "terminated" : "withdrawn";
    s["ended_by"] = events::member_or_null(data, "by");
  } else if (event_name == events::application::kCreditGranted) {
    s["status"] = "credit_granted";
    s["credit"] = data;
  } else if (event_name == events::application::kCreditDeclined) {
    s["status"] = "credit_declined";
  } else {
    apply_loan_event(s, event_name, data);
  }
}

}  // namespace xyd::domain

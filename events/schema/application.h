// The events of the Application (申请/订单) aggregate (shared/DOMAIN.md): their names, and each one's
// data as a struct (events/schema/payload.h): its fields with named types for their kinds,
// std::optional where only some events carry one. The catalog (events/catalog.h) is made from these
// structs; deciders and projections name events by the constants and read data by decode<>().
// Pure; any thread.
#pragma once

#include "events/schema/payload.h"

namespace xyd::events::application {

inline constexpr char kApplicationSubmitted[] = "ApplicationSubmitted";
inline constexpr char kRiskScreened[] = "RiskScreened";
inline constexpr char kManagerAssigned[] = "ManagerAssigned";
inline constexpr char kManagerReassigned[] = "ManagerReassigned";
inline constexpr char kApplicationAccepted[] = "ApplicationAccepted";
inline constexpr char kApplicationTerminated[] = "ApplicationTerminated";
inline constexpr char kApplicationWithdrawn[] = "ApplicationWithdrawn";
inline constexpr char kCreditGranted[] = "CreditGranted";
inline constexpr char kCreditDeclined[] = "CreditDeclined";
inline constexpr char kLoanDisbursed[] = "LoanDisbursed";
inline constexpr char kRepaymentReceived[] = "RepaymentReceived";
inline constexpr char kLoanOverdue[] = "LoanOverdue";
inline constexpr char kLoanWrittenOff[] = "LoanWrittenOff";
inline constexpr char kLoanSettled[] = "LoanSettled";

// Each event's data (events/schema/payload.h).
struct ApplicationSubmitted {
  static constexpr const char* kName = kApplicationSubmitted;
  std::string enterprise;
  std::string product;
  std::string institution;
  Fen amount;
  int64_t term_months = 0;
  std::string purpose;
  std::string region;
  std::string industry;
  std::string channel;
  std::optional<std::string> enterprise_name;
  std::optional<std::string> owner;
  std::optional<std::string> product_type;
  std::optional<std::string> institution_type;
  std::optional<std::string> demand;
  static constexpr auto members() {
    return std::tuple{member("enterprise", &ApplicationSubmitted::enterprise),
                      member("product", &ApplicationSubmitted::product),
                      member("institution", &ApplicationSubmitted::institution),
                      member("amount", &ApplicationSubmitted::amount),
                      member("term_months", &ApplicationSubmitted::term_months),
                      member("purpose", &ApplicationSubmitted::purpose),
                      member("region", &ApplicationSubmitted::region),
                      member("industry", &ApplicationSubmitted::industry),
                      member("channel", &ApplicationSubmitted::channel),
                      member("enterprise_name", &ApplicationSubmitted::enterprise_name),
                      member("owner", &ApplicationSubmitted::owner),
                      member("product_type", &ApplicationSubmitted::product_type),
                      member("institution_type", &ApplicationSubmitted::institution_type),
                      member("demand", &ApplicationSubmitted::demand)};
  }
};

struct RiskScreened {
  static constexpr const char* kName = kRiskScreened;
  std::string rule_set_version;
  List rules;
  std::string verdict;
  static constexpr auto members() {
    return std::tuple{member("rule_set_version", &RiskScreened::rule_set_version),
                      member("rules", &RiskScreened::rules), member("verdict", &RiskScreened::verdict)};
  }
};

struct ManagerAssigned {
  static constexpr const char* kName = kManagerAssigned;
  std::string manager;
  std::string how;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("manager", &ManagerAssigned::manager), member("how", &ManagerAssigned::how),
                      member("by", &ManagerAssigned::by)};
  }
};

struct ManagerReassigned {
  static constexpr const char* kName = kManagerReassigned;
  std::string from;
  std::string to;
  std::string by;
  std::optional<std::string> reason;
  static constexpr auto members() {
    return std::tuple{member("from", &ManagerReassigned::from), member("to", &ManagerReassigned::to),
                      member("by", &ManagerReassigned::by), member("reason", &ManagerReassigned::reason)};
  }
};

struct ApplicationAccepted {
  static constexpr const char* kName = kApplicationAccepted;
  std::string manager;
  std::string comment;
  Fen intended_amount;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{
        member("manager", &ApplicationAccepted::manager), member("comment", &ApplicationAccepted::comment),
        member("intended_amount", &ApplicationAccepted::intended_amount), member("by", &ApplicationAccepted::by)};
  }
};

struct ApplicationTerminated {
  static constexpr const char* kName = kApplicationTerminated;
  std::string reason;
  std::string by;
  static constexpr auto members() {
    return std::tuple{member("reason", &ApplicationTerminated::reason), member("by", &ApplicationTerminated::by)};
  }
};

struct ApplicationWithdrawn {
  static constexpr const char* kName = kApplicationWithdrawn;
  std::string by;
  std::optional<std::string> reason;
  static constexpr auto members() {
    return std::tuple{member("by", &ApplicationWithdrawn::by), member("reason", &ApplicationWithdrawn::reason)};
  }
};

struct CreditGranted {
  static constexpr const char* kName = kCreditGranted;
  std::string credit_number;
  Fen amount;
  BasisPoints rate_bp;
  int64_t term_months = 0;
  Date valid_until;
  Date granted_at;
  std::optional<std::string> by;
  std::optional<std::string> serial;
  static constexpr auto members() {
    return std::tuple{member("credit_number", &CreditGranted::credit_number),
                      member("amount", &CreditGranted::amount),
                      member("rate_bp", &CreditGranted::rate_bp),
                      member("term_months", &CreditGranted::term_months),
                      member("valid_until", &CreditGranted::valid_until),
                      member("granted_at", &CreditGranted::granted_at),
                      member("by", &CreditGranted::by),
                      member("serial", &CreditGranted::serial)};
  }
};

struct CreditDeclined {
  static constexpr const char* kName = kCreditDeclined;
  std::string reason;
  std::optional<std::string> by;
  std::optional<Date> declined_at;
  std::optional<std::string> serial;
  static constexpr auto members() {
    return std::tuple{member("reason", &CreditDeclined::reason), member("by", &CreditDeclined::by),
                      member("declined_at", &CreditDeclined::declined_at), member("serial", &CreditDeclined::serial)};
  }
};

struct LoanDisbursed {
  static constexpr const char* kName = kLoanDisbursed;
  std::string loan_number;
  Fen amount;
  BasisPoints rate_bp;
  Date disbursed_at;
  Date maturity;
  std::string repayment_method;
  std::optional<std::string> credit_number;
  std::optional<std::string> by;
  std::optional<std::string> serial;
  static constexpr auto members() {
    return std::tuple{member("loan_number", &LoanDisbursed::loan_number),
                      member("amount", &LoanDisbursed::amount),
                      member("rate_bp", &LoanDisbursed::rate_bp),
                      member("disbursed_at", &LoanDisbursed::disbursed_at),
                      member("maturity", &LoanDisbursed::maturity),
                      member("repayment_method", &LoanDisbursed::repayment_method),
                      member("credit_number", &LoanDisbursed::credit_number),
                      member("by", &LoanDisbursed::by),
                      member("serial", &LoanDisbursed::serial)};
  }
};

struct RepaymentReceived {
  static constexpr const char* kName = kRepaymentReceived;
  std::string loan_number;
  int64_t installment = 0;
  Fen principal;
  Fen interest;
  Fen penalty;
  Date paid_at;
  std::optional<Fen> outstanding_after;
  std::optional<std::string> by;
  std::optional<std::string> serial;
  static constexpr auto members() {
    return std::tuple{member("loan_number", &RepaymentReceived::loan_number),
                      member("installment", &RepaymentReceived::installment),
                      member("principal", &RepaymentReceived::principal),
                      member("interest", &RepaymentReceived::interest),
                      member("penalty", &RepaymentReceived::penalty),
                      member("paid_at", &RepaymentReceived::paid_at),
                      member("outstanding_after", &RepaymentReceived::outstanding_after),
                      member("by", &RepaymentReceived::by),
                      member("serial", &RepaymentReceived::serial)};
  }
};

struct LoanOverdue {
  static constexpr const char* kName = kLoanOverdue;
  std::string loan_number;
  int64_t days_past_due = 0;
  Fen overdue_principal;
  Date as_of;
  std::optional<std::string> serial;
  static constexpr auto members() {
    return std::tuple{member("loan_number", &LoanOverdue::loan_number),
                      member("days_past_due", &LoanOverdue::days_past_due),
                      member("overdue_principal", &LoanOverdue::overdue_principal),
                      member("as_of", &LoanOverdue::as_of), member("serial", &LoanOverdue::serial)};
  }
};

struct LoanWrittenOff {
  static constexpr const char* kName = kLoanWrittenOff;
  std::string loan_number;
  Fen amount;
  Date as_of;
  std::optional<std::string> by;
  std::optional<std::string> serial;
  static constexpr auto members() {
    return std::tuple{member("loan_number", &LoanWrittenOff::loan_number), member("amount", &LoanWrittenOff::amount),
                      member("as_of", &LoanWrittenOff::as_of), member("by", &LoanWrittenOff::by),
                      member("serial", &LoanWrittenOff::serial)};
  }
};

struct LoanSettled {
  static constexpr const char* kName = kLoanSettled;
  std::string loan_number;
  Date settled_at;
  static constexpr auto members() {
    return std::tuple{member("loan_number", &LoanSettled::loan_number), member("settled_at", &LoanSettled::settled_at)};
  }
};

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::application

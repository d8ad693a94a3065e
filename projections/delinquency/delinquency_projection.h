// The loan-delinquency projection: each loan's class in the five-class classification (正常 / 关注
// / 次级 / 可疑 / 损失) from LoanDisbursed, LoanOverdue, LoanWrittenOff and LoanSettled events, by
// the thresholds of the "delinquency" rule set; each row names the rule that classified the loan
// and the rule-set version. Rows:
//   l <loan_number>           -> JSON row
//   c <class> <loan_number>   -> ""  (loans by class)
// Called by its version's applying thread only.
#pragma once

#include <memory>

#include "projections/projection.h"

namespace xyd::projections::delinquency {

inline constexpr char kLoanRow = 'l';
inline constexpr char kClassIndex = 'c';

ProjectionSpec delinquency_spec();

class DelinquencyProjection final : public Projection {
 public:
  DelinquencyProjection(std::shared_ptr<const RuleSet> rules, DelinquencyRules thresholds)
      : rules_(std::move(rules)), thresholds_(std::move(thresholds)) {}
  Status apply(ViewWriter& view, const EventContext& event) override;

 private:
  std::shared_ptr<const RuleSet> rules_;
  DelinquencyRules thresholds_;
};

// The key of a loan's row.
std::string loan_key(std::string_view loan_number);

// Reads: one loan, or a page of loans (optionally of one class) after `cursor` (a loan number).
Result<nlohmann::json> get_loan(const ViewReader& view, const std::string& loan_number);
Result<nlohmann::json> list_loans(const ViewReader& view, const std::string& class_id, const std::string& cursor,
                                  size_t limit);

}  // namespace xyd::projections::delinquency

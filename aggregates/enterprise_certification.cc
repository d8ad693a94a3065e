// Certification of an enterprise (认证服务): SubmitCertification runs the rules of the chosen
// method from the certification rule set in context.rule_set against the data-source answers in
// context.sources; ReviewCertification is a system admin's decision on a pending one. Pure.
#include "aggregates/enterprise.h"
#include "aggregates/fields.h"
#include "aggregates/rule_eval.h"
#include "events/json_input.h"
#include "events/schema/enterprise.h"

namespace xyd::domain {
namespace {

using nlohmann::json;

Status check_can_certify(const AggregateState& state) {
  const std::string status = events::string_or(state.data, "certification", "none");
  if (status == "certified")
    return refuse(Errc::refused, "the enterprise is already certified", "certification", "not-yet-certified");
  if (status == "pending_review")
    return refuse(Errc::refused, "a certification of this enterprise awaits review", "certification",
                  "no-pending-review");
  return Status();
}

Status check_agreement(const AgreementTerms& terms, const std::string& version, int64_t seconds) {
  if (version != terms.version)
    return refuse(Errc::refused,
                  "agreement " + version + " is not the current certification agreement " + terms.version,
                  "agreement_version", "current-agreement");
  if (seconds < terms.min_read_seconds)
    return refuse(Errc::refused,
                  "the agreement must be read for at least " + std::to_string(terms.min_read_seconds) +
                      " seconds, not " + std::to_string(seconds),
                  "agreement_read_seconds", "agreement-read-long-enough");
  return Status();
}

json rule_run_data(const RuleRun& run, const std::string& version) {
  return {{"rule_id", run.rule_id},
          {"label", run.label},
          {"result", run.result ? "pass" : "fail"},
          {"data_sources", run.data_sources},
          {"rule_set_version", version}};
}

}  // namespace

Decision submit_certification(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_can_certify(state));
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string method, required_string(body, "method"));
  XYD_ASSIGN_OR_RETURN(std::string agreement, required_string(body, "agreement_version"));
  XYD_ASSIGN_OR_RETURN(int64_t seconds, required_int(body, "agreement_read_seconds", 0));
  XYD_ASSIGN_OR_RETURN(json rule_set, context_object(command.context, "rule_set"));
  XYD_ASSIGN_OR_RETURN(AgreementTerms terms, certification_agreement(rule_set));
  XYD_RETURN_IF_ERROR(check_agreement(terms, agreement, seconds));
  json facts = {{"enterprise", state.data},
                {"submission", body},
                {"sources", events::object_or_empty(command.context, "sources")}};
  XYD_ASSIGN_OR_RETURN(CertificationOutcome outcome, evaluate_certification(rule_set, method, facts));
  std::vector<NewEvent> events = {{events::enterprise::kCertificationSubmitted,
                                   {{"method", method},
                                    {"agreement_version", agreement},
                                    {"agreement_read_seconds", seconds},
                                    {"rule_set_version", outcome.version},
                                    {"manual_review", outcome.manual_review}}}};
  for (const auto& run : outcome.runs)
    events.push_back({events::enterprise::kCertificationRuleEvaluated, rule_run_data(run, outcome.version)});
  if (!outcome.reasons.empty())
    events.push_back(
        {events::enterprise::kCertificationRejected,
         {{"reasons", outcome.reasons}, {"method", method}, {"by", "system"}, {"rule_set_version", outcome.version}}});
  else if (!outcome.manual_review)
    events.push_back({events::enterprise::kEnterpriseCertified,
                      {{"method", method}, {"by", "system"}, {"rule_set_version", outcome.version}}});
  return events;
}

Decision review_certification(const AggregateState& state, const Command& command) {
  if (events::string_or(state.data, "certification", "none") != "pending_review")
    return refuse(Errc::refused, "no certification of this enterprise awaits review", "certification",
                  "pending-review");
  XYD_ASSIGN_OR_RETURN(std::string decision,
                       required_one_of(command.body, "decision", {"approve", "reject"}, "review-decision"));
  XYD_ASSIGN_OR_RETURN(auto comment, optional_string(command.body, "comment"));
  const std::string method = events::string_or(state.data, "certification_method");
  json data = {{"method", method},
               {"by", command.actor.account},
               {"reviewer", command.actor.account},
               {"comment", comment.value_or("")}};
  if (decision == "approve") return one_event(events::enterprise::kEnterpriseCertified, std::move(data));
  XYD_ASSIGN_OR_RETURN(data["reasons"], required_string_list(command.body, "reasons"));
  return one_event(events::enterprise::kCertificationRejected, std::move(data));
}

}  // namespace xyd::domain

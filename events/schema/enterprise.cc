#include "events/schema/enterprise.h"

namespace xyd::events::enterprise {
using enum FieldKind;

const AggregateEvents& schema() {
  static const AggregateEvents declared{
      "enterprise",
      {
          {kEnterpriseRegistered,
           {{"uscc", text},
            {"name", text},
            {"legal_representative", text},
            {"region", text},
            {"industry", text},
            {"registered_capital", fen},
            {"scale", text},
            {"founded_on", date},
            optional("owner", text)}},
          {kCertificationSubmitted,
           {{"method", text},
            {"agreement_version", text},
            {"agreement_read_seconds", count},
            optional("rule_set_version", text),
            optional("manual_review", flag)}},
          {kCertificationRuleEvaluated,
           {{"rule_id", text},
            {"result", text},
            {"data_sources", list},
            optional("label", text),
            optional("rule_set_version", text)}},
          {kEnterpriseCertified,
           {{"method", text},
            optional("by", text),
            optional("rule_set_version", text),
            optional("reviewer", text),
            optional("comment", text)}},
          {kCertificationRejected,
           {{"reasons", list},
            optional("method", text),
            optional("by", text),
            optional("rule_set_version", text),
            optional("reviewer", text),
            optional("comment", text)}},
          {kEnterpriseProfileChanged, {{"field", text}, {"before", any}, {"after", any}, {"source", text}}},
          {kEnterpriseWhitelisted, {{"by", text}, optional("note", text)}},
          {kEnterpriseDelisted, {{"by", text}, {"reason", text}}},
          {kRiskSignalRecorded,
           {{"signal_type", text},
            {"severity", text},
            {"source", text},
            {"observed_at", text},
            optional("description", text)}},
          {kEnterpriseFollowed, {{"account", text}}},
          {kEnterpriseUnfollowed, {{"account", text}}},
          {kCreditScoreAssessed, {{"score", count}, {"grade", text}, {"model_version", text}}},
      }};
  return declared;
}

}  // namespace xyd::events::enterprise

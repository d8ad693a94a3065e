// The events of the Enterprise (企业) aggregate (shared/DOMAIN.md): their names, and each one's
// data fields with their kinds, required or optional. The catalog (events/catalog.h) is made from
// these declarations, and deciders and projections name events by these constants. Pure; any thread.
#pragma once

#include "events/schema/field.h"

namespace xyd::events::enterprise {

inline constexpr char kEnterpriseRegistered[] = "EnterpriseRegistered";
inline constexpr char kCertificationSubmitted[] = "CertificationSubmitted";
inline constexpr char kCertificationRuleEvaluated[] = "CertificationRuleEvaluated";
inline constexpr char kEnterpriseCertified[] = "EnterpriseCertified";
inline constexpr char kCertificationRejected[] = "CertificationRejected";
inline constexpr char kEnterpriseProfileChanged[] = "EnterpriseProfileChanged";
inline constexpr char kEnterpriseWhitelisted[] = "EnterpriseWhitelisted";
inline constexpr char kEnterpriseDelisted[] = "EnterpriseDelisted";
inline constexpr char kRiskSignalRecorded[] = "RiskSignalRecorded";
inline constexpr char kEnterpriseFollowed[] = "EnterpriseFollowed";
inline constexpr char kEnterpriseUnfollowed[] = "EnterpriseUnfollowed";
inline constexpr char kCreditScoreAssessed[] = "CreditScoreAssessed";

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::enterprise

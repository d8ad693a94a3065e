// The events of the Enterprise (企业) aggregate (shared/DOMAIN.md): their names, and each one's
// data as a struct (events/schema/payload.h): its fields with named types for their kinds,
// std::optional where only some events carry one. The catalog (events/catalog.h) is made from these
// structs; deciders and projections name events by the constants and read data by decode<>().
// Pure; any thread.
#pragma once

#include "events/schema/payload.h"

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

// Each event's data (events/schema/payload.h).
struct EnterpriseRegistered {
  static constexpr const char* kName = kEnterpriseRegistered;
  std::string uscc;
  std::string name;
  std::string legal_representative;
  std::string region;
  std::string industry;
  Fen registered_capital;
  std::string scale;
  Date founded_on;
  std::optional<std::string> owner;
  static constexpr auto members() {
    return std::tuple{member("uscc", &EnterpriseRegistered::uscc),
                      member("name", &EnterpriseRegistered::name),
                      member("legal_representative", &EnterpriseRegistered::legal_representative),
                      member("region", &EnterpriseRegistered::region),
                      member("industry", &EnterpriseRegistered::industry),
                      member("registered_capital", &EnterpriseRegistered::registered_capital),
                      member("scale", &EnterpriseRegistered::scale),
                      member("founded_on", &EnterpriseRegistered::founded_on),
                      member("owner", &EnterpriseRegistered::owner)};
  }
};

struct CertificationSubmitted {
  static constexpr const char* kName = kCertificationSubmitted;
  std::string method;
  std::string agreement_version;
  int64_t agreement_read_seconds = 0;
  std::optional<std::string> rule_set_version;
  std::optional<bool> manual_review;
  static constexpr auto members() {
    return std::tuple{member("method", &CertificationSubmitted::method),
                      member("agreement_version", &CertificationSubmitted::agreement_version),
                      member("agreement_read_seconds", &CertificationSubmitted::agreement_read_seconds),
                      member("rule_set_version", &CertificationSubmitted::rule_set_version),
                      member("manual_review", &CertificationSubmitted::manual_review)};
  }
};

struct CertificationRuleEvaluated {
  static constexpr const char* kName = kCertificationRuleEvaluated;
  std::string rule_id;
  std::string result;
  List data_sources;
  std::optional<std::string> label;
  std::optional<std::string> rule_set_version;
  static constexpr auto members() {
    return std::tuple{member("rule_id", &CertificationRuleEvaluated::rule_id),
                      member("result", &CertificationRuleEvaluated::result),
                      member("data_sources", &CertificationRuleEvaluated::data_sources),
                      member("label", &CertificationRuleEvaluated::label),
                      member("rule_set_version", &CertificationRuleEvaluated::rule_set_version)};
  }
};

struct EnterpriseCertified {
  static constexpr const char* kName = kEnterpriseCertified;
  std::string method;
  std::optional<std::string> by;
  std::optional<std::string> rule_set_version;
  std::optional<std::string> reviewer;
  std::optional<std::string> comment;
  static constexpr auto members() {
    return std::tuple{member("method", &EnterpriseCertified::method), member("by", &EnterpriseCertified::by),
                      member("rule_set_version", &EnterpriseCertified::rule_set_version),
                      member("reviewer", &EnterpriseCertified::reviewer),
                      member("comment", &EnterpriseCertified::comment)};
  }
};

struct CertificationRejected {
  static constexpr const char* kName = kCertificationRejected;
  List reasons;
  std::optional<std::string> method;
  std::optional<std::string> by;
  std::optional<std::string> rule_set_version;
  std::optional<std::string> reviewer;
  std::optional<std::string> comment;
  static constexpr auto members() {
    return std::tuple{member("reasons", &CertificationRejected::reasons),
                      member("method", &CertificationRejected::method),
                      member("by", &CertificationRejected::by),
                      member("rule_set_version", &CertificationRejected::rule_set_version),
                      member("reviewer", &CertificationRejected::reviewer),
                      member("comment", &CertificationRejected::comment)};
  }
};

struct EnterpriseProfileChanged {
  static constexpr const char* kName = kEnterpriseProfileChanged;
  std::string field;
  Any before;
  Any after;
  std::string source;
  static constexpr auto members() {
    return std::tuple{
        member("field", &EnterpriseProfileChanged::field), member("before", &EnterpriseProfileChanged::before),
        member("after", &EnterpriseProfileChanged::after), member("source", &EnterpriseProfileChanged::source)};
  }
};

struct EnterpriseWhitelisted {
  static constexpr const char* kName = kEnterpriseWhitelisted;
  std::string by;
  std::optional<std::string> note;
  static constexpr auto members() {
    return std::tuple{member("by", &EnterpriseWhitelisted::by), member("note", &EnterpriseWhitelisted::note)};
  }
};

struct EnterpriseDelisted {
  static constexpr const char* kName = kEnterpriseDelisted;
  std::string by;
  std::string reason;
  static constexpr auto members() {
    return std::tuple{member("by", &EnterpriseDelisted::by), member("reason", &EnterpriseDelisted::reason)};
  }
};

struct RiskSignalRecorded {
  static constexpr const char* kName = kRiskSignalRecorded;
  std::string signal_type;
  std::string severity;
  std::string source;
  std::string observed_at;
  std::optional<std::string> description;
  static constexpr auto members() {
    return std::tuple{member("signal_type", &RiskSignalRecorded::signal_type),
                      member("severity", &RiskSignalRecorded::severity), member("source", &RiskSignalRecorded::source),
                      member("observed_at", &RiskSignalRecorded::observed_at),
                      member("description", &RiskSignalRecorded::description)};
  }
};

struct EnterpriseFollowed {
  static constexpr const char* kName = kEnterpriseFollowed;
  std::string account;
  static constexpr auto members() { return std::tuple{member("account", &EnterpriseFollowed::account)}; }
};

struct EnterpriseUnfollowed {
  static constexpr const char* kName = kEnterpriseUnfollowed;
  std::string account;
  static constexpr auto members() { return std::tuple{member("account", &EnterpriseUnfollowed::account)}; }
};

struct CreditScoreAssessed {
  static constexpr const char* kName = kCreditScoreAssessed;
  int64_t score = 0;
  std::string grade;
  std::string model_version;
  static constexpr auto members() {
    return std::tuple{member("score", &CreditScoreAssessed::score), member("grade", &CreditScoreAssessed::grade),
                      member("model_version", &CreditScoreAssessed::model_version)};
  }
};

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::enterprise

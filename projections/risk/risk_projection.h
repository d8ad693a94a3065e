// The risk-warning projection (风险预警, shared/DOMAIN.md "Risk-warning feeds"): every warning the
// "risk-warning" rule set raises on enterprise and application events (loan overdue by the rule
// set's thresholds, bad debt, high-severity risk signals, delisting), and every enterprise profile
// change, as one feed ordered by a deterministic sequence; the enterprise's current warnings (the
// risk marker on its orders); who follows which enterprise. Pure: no I/O. Rows:
//   w <seq:be64>                     -> the feed entry (JSON): kind warning|change, rule, rule set and
//                                       version, severity, message, enterprise, application, loan,
//                                       institution, region, owner, raising event {id, type, time}
//   e <enterprise> <seq:be64>        -> ""    the enterprise's entries
//   m <enterprise> <rule> <subject>  -> seq   its current warnings (subject: <application>/<loan>, signal type or "")
//   n <enterprise>                   -> {region, owner}          context of enterprise events
//   a <application>                  -> {enterprise, institution, region, owner, manager}
//   x <enterprise> <institution>     -> ""    the enterprise has orders at the institution
//   f <account> <enterprise>         -> ""    the account follows the enterprise
// The sequence is derived from the raising event alone (its time in ms × 10^6 + its aggregate
// version mod 1000 × 1000 + a hash of event id and rule mod 1000), so it grows with log order and
// a rebuild gives every unchanged warning the same sequence (docs/DECISIONS.md, "Risk-warning feeds").
// Called by its version's applying thread only.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "projections/projection.h"

namespace xyd::projections::risk {

inline constexpr char kFeed = 'w';
inline constexpr char kByEnterprise = 'e';
inline constexpr char kMarker = 'm';
inline constexpr char kEnterprise = 'n';
inline constexpr char kApplication = 'a';
inline constexpr char kInstitutionLink = 'x';
inline constexpr char kFollow = 'f';
inline constexpr const char* kChangeRule = "enterprise-profile-changed";

ProjectionSpec risk_spec();

class RiskProjection final : public Projection {
 public:
  RiskProjection(std::shared_ptr<const RuleSet> rules, std::vector<RiskWarningRule> parsed);
  Status apply(ViewWriter& view, const EventContext& event) override;

 private:
  std::shared_ptr<const RuleSet> rules_;
  std::vector<RiskWarningRule> parsed_;
  std::set<std::string, std::less<>> rule_events_;  // event names some rule reads
};

// Keys.
std::string feed_key(uint64_t sequence);
std::string marker_prefix(std::string_view enterprise);
std::string follow_prefix(std::string_view account);
std::string application_key(std::string_view application);
std::string institution_link_key(std::string_view enterprise, std::string_view institution);

// The sequence of the entry `rule` raises from an event (time "…Z" in ms, version, id).
uint64_t warning_sequence(int64_t time_ms, int64_t aggregate_version, std::string_view event_id, std::string_view rule);

}  // namespace xyd::projections::risk

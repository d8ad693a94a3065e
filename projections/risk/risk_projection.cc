#include "projections/risk/risk_projection.h"

#include "events/catalog.h"
#include "events/schema/application.h"
#include "events/schema/enterprise.h"
#include "projections/audit/audit_rows.h"
#include "projections/keys.h"
#include "projections/view_names.h"

namespace xyd::projections::risk {
namespace {

using nlohmann::json;

std::string key_of(char tag, std::initializer_list<std::string_view> parts) {
  std::string key(1, tag);
  for (auto part : parts) append_part(key, part);
  return key;
}

std::string str(const json& data, const char* name) {
  auto it = data.find(name);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

json or_null(const std::string& s) {
  return s.empty() ? json() : json(s);
}

Result<json> read_row(ViewWriter& view, const std::string& key) {
  XYD_ASSIGN_OR_RETURN(auto stored, view.get(key));
  if (!stored) return json::object();
  json row = json::parse(*stored, nullptr, false);
  if (row.is_discarded()) return make_error(Errc::corrupt, "risk row does not decode");
  return row;
}

// The marker subject of an event: its loan, its signal type, or the enterprise itself ("").
std::string subject_of(const json& data) {
  if (auto loan = str(data, "loan_number"); !loan.empty()) return loan;
  return str(data, "signal_type");
}

// The envelope fields the warning names its raising event by.
json event_ref(const events::Envelope& e) {
  return {{"id", e.id},
          {"type", e.type},
          {"time", e.time},
          {"aggregate_type", e.aggregate_type},
          {"aggregate_id", e.aggregate_id},
          {"version", e.version}};
}

}  // namespace

ProjectionSpec risk_spec() {
  ProjectionSpec spec;
  spec.name = view::kRisk;
  spec.description =
      "risk warnings (风险预警) and enterprise changes by the risk-warning rule set; risk markers; follows";
  spec.topics = event_topics({"enterprise", "application"});
  spec.rule_set = "risk-warning";
  spec.make = [](std::shared_ptr<const RuleSet> rules) -> Result<std::unique_ptr<Projection>> {
    if (!rules)
      return make_error(Errc::invalid_argument, "the risk projection needs the risk-warning rule set", "rules",
                        "rule-set-file");
    XYD_ASSIGN_OR_RETURN(auto parsed, risk_warning_rules(*rules));
    return std::unique_ptr<Projection>(new RiskProjection(std::move(rules), std::move(parsed)));
  };
  return spec;
}

RiskProjection::RiskProjection(std::shared_ptr<const RuleSet> rules, std::vector<RiskWarningRule> parsed)
    : rules_(std::move(rules)), parsed_(std::move(parsed)) {
  for (const auto& rule : parsed_) rule_events_.insert(rule.event);
}

std::string feed_key(uint64_t sequence) {
  std::string key(1, kFeed);
  append_be64(key, sequence);
  return key;
}
std::string marker_prefix(std::string_view enterprise) {
  return key_of(kMarker, {enterprise});
}
std::string follow_prefix(std::string_view account) {
  return key_of(kFollow, {account});
}
std::string application_key(std::string_view application) {
  return key_of(kApplication, {application});
}
std::string institution_link_key(std::string_view enterprise, std::string_view institution) {
  return key_of(kInstitutionLink, {enterprise, institution});
}

uint64_t warning_sequence(int64_t time_ms, int64_t aggregate_version, std::string_view event_id,
                          std::string_view rule) {
  uint64_t hash = 1469598103934665603ull;  // FNV-1a over "id/rule"
  auto mix = [&hash](std::string_view bytes) {
    for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
  };
  mix(event_id);
  mix("/");
  mix(rule);
  const uint64_t ms = time_ms > 0 ? static_cast<uint64_t>(time_ms) : 0;
  return ms * 1000000 + static_cast<uint64_t>(aggregate_version % 1000) * 1000 + hash % 1000;
}

Status RiskProjection::apply(ViewWriter& view, const EventContext& event) {
  if (event.event == nullptr) return Status();  // the audit view shows what does not decode
  const ScannedEvent& scanned = *event.event;
  const auto* type = events::EventCatalog::standard().by_type(scanned.type);
  if (type == nullptr) return Status();
  const std::string& name = type->name;
  static const std::set<std::string, std::less<>> context_events = {
      events::enterprise::kEnterpriseRegistered,  events::enterprise::kEnterpriseProfileChanged,
      events::enterprise::kEnterpriseFollowed,    events::enterprise::kEnterpriseUnfollowed,
      events::enterprise::kEnterpriseWhitelisted, events::application::kApplicationSubmitted,
      events::application::kManagerAssigned,      events::application::kManagerReassigned,
      events::application::kLoanSettled};
  if (!context_events.contains(name) && !rule_events_.contains(name)) return Status();

  events::Envelope envelope = scanned.to_envelope();
  XYD_ASSIGN_OR_RETURN(envelope, events::EventCatalog::standard().upcast(std::move(envelope)));
  const json& data = envelope.data;
  const std::string& id = envelope.aggregate_id;

  // What the event is about: the enterprise, and for an order the order's own context.
  std::string enterprise, application, institution, region, owner;
  if (envelope.aggregate_type == "enterprise") {
    enterprise = id;
    if (name == events::enterprise::kEnterpriseRegistered) {
      view.put(key_of(kEnterprise, {id}), json{{"region", str(data, "region")}, {"owner", str(data, "owner")}}.dump());
      return Status();
    }
    XYD_ASSIGN_OR_RETURN(json row, read_row(view, key_of(kEnterprise, {id})));
    region = str(row, "region");
    owner = str(row, "owner");
  } else if (envelope.aggregate_type == "application") {
    application = id;
    const std::string key = application_key(id);
    if (name == events::application::kApplicationSubmitted) {
      view.put(key, json{{"enterprise", str(data, "enterprise")},
                         {"institution", str(data, "institution")},
                         {"region", str(data, "region")},
                         {"owner", envelope.actor.account},
                         {"manager", ""}}
                        .dump());
      view.put(institution_link_key(str(data, "enterprise"), str(data, "institution")), "");
      return Status();
    }
    XYD_ASSIGN_OR_RETURN(json row, read_row(view, key));
    if (name == events::application::kManagerAssigned || name == events::application::kManagerReassigned) {
      row["manager"] = str(data, name == events::application::kManagerAssigned ? "manager" : "to");
      view.put(key, row.dump());
      return Status();
    }
    enterprise = str(row, "enterprise");
    institution = str(row, "institution");
    region = str(row, "region");
    owner = str(row, "owner");
  } else {
    return Status();  // rules on other aggregates' events raise nothing here (README)
  }

  if (name == events::enterprise::kEnterpriseFollowed || name == events::enterprise::kEnterpriseUnfollowed) {
    const std::string key = key_of(kFollow, {str(data, "account"), enterprise});
    if (name == events::enterprise::kEnterpriseFollowed)
      view.put(key, "");
    else
      view.erase(key);
    return Status();
  }

  // An order's loan numbers are its own: the marker subject of a loan names its order too.
  const std::string subject = application.empty() ? subject_of(data) : application + "/" + subject_of(data);
  const int64_t time_ms = audit::parse_time_ms(envelope.time).value_or(0);
  auto raise = [&](const std::string& kind, const std::string& rule, const std::string& severity,
                   const std::string& message) -> Result<uint64_t> {
    uint64_t sequence = warning_sequence(time_ms, envelope.version, envelope.id, rule);
    while (true) {  // two entries on one sequence: practically never; the later one takes the next
      XYD_ASSIGN_OR_RETURN(auto taken, view.get(feed_key(sequence)));
      if (!taken) break;
      ++sequence;
    }
    json entry = {{"sequence", sequence},
                  {"kind", kind},
                  {"rule", rule},
                  {"rule_set", rules_->name},
                  {"rule_set_version", rules_->version},
                  {"severity", severity},
                  {"message", message},
                  {"enterprise", enterprise},
                  {"application", or_null(application)},
                  {"loan", or_null(str(data, "loan_number"))},
                  {"institution", or_null(institution)},
                  {"region", region},
                  {"owner", owner},
                  {"subject", subject},
                  {"raised_at", envelope.time},
                  {"event", event_ref(envelope)},
                  {"details", data}};
    view.put(feed_key(sequence), entry.dump());
    std::string by_enterprise = key_of(kByEnterprise, {enterprise});
    append_be64(by_enterprise, sequence);
    view.append(by_enterprise, "");
    return sequence;
  };

  if (name == events::enterprise::kEnterpriseProfileChanged) {
    XYD_ASSIGN_OR_RETURN(uint64_t sequence,
                         raise("change", kChangeRule, "info", "企业信息变更: " + str(data, "field")));
    (void)sequence;
  }
  // Events that end warnings whatever the rules say: a settled loan is no longer overdue; an
  // enterprise back on the whitelist is no longer delisted.
  if (name == events::application::kLoanSettled || name == events::enterprise::kEnterpriseWhitelisted) {
    const std::string ended = name == events::application::kLoanSettled ? events::application::kLoanOverdue
                                                                        : events::enterprise::kEnterpriseDelisted;
    for (const auto& rule : parsed_)
      if (rule.event == ended) view.erase(key_of(kMarker, {enterprise, rule.id, subject}));
  }
  for (const auto& rule : parsed_) {
    if (rule.event != name) continue;
    const std::string marker = key_of(kMarker, {enterprise, rule.id, subject});
    if (!rule.matches(name, data)) {
      view.erase(marker);  // e.g. fewer days past due than the threshold: no longer current
      continue;
    }
    XYD_ASSIGN_OR_RETURN(uint64_t sequence, raise("warning", rule.id, rule.severity, rule.message));
    view.put(marker, std::to_string(sequence));
  }
  return Status();
}

}  // namespace xyd::projections::risk

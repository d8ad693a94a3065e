#include "aggregates/enterprise.h"

#include <algorithm>

#include "aggregates/fields.h"
#include "aggregates/identifiers.h"
#include "aggregates/reference.h"
#include "events/json_input.h"
#include "events/schema/enterprise.h"

namespace xyd::domain {
namespace {

using nlohmann::json;

const std::vector<std::string> kScales = {"micro", "small", "medium"};
const std::vector<std::string> kProfileFields = {
    "name", "legal_representative", "region", "industry", "registered_capital", "scale", "founded_on"};

// One profile field's value, checked and as it goes into the event (registration and changes
// share it).
Result<json> profile_value(const json& body, const std::string& field) {
  if (field == "region") {
    XYD_ASSIGN_OR_RETURN(std::string region, required_string(body, field));
    XYD_RETURN_IF_ERROR(check_region(region, field));
    return json(region);
  }
  if (field == "industry") {
    XYD_ASSIGN_OR_RETURN(std::string industry, required_string(body, field));
    XYD_RETURN_IF_ERROR(check_industry_section(industry, field));
    return json(industry);
  }
  if (field == "registered_capital") {
    XYD_ASSIGN_OR_RETURN(int64_t capital, required_int(body, field, 0));
    return json(capital);
  }
  if (field == "scale") {
    XYD_ASSIGN_OR_RETURN(std::string scale, required_one_of(body, field, kScales, "enterprise-scale"));
    return json(scale);
  }
  if (field == "founded_on") {
    XYD_ASSIGN_OR_RETURN(std::string date, required_date(body, field));
    return json(date);
  }
  XYD_ASSIGN_OR_RETURN(std::string text, required_string(body, field));
  return json(text);
}

// A boolean the aggregate wrote into its state; false when absent.
bool state_flag(const AggregateState& state, const std::string& field) {
  return member_or(state.data, field, false) == json(true);
}

Decision register_enterprise(const AggregateState&, const Command& command) {
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string uscc, required_string(body, "uscc"));
  XYD_RETURN_IF_ERROR(check_uscc(uscc));
  if (command.aggregate_id != enterprise_id_for_uscc(uscc))
    return refuse(Errc::invalid_argument, "the enterprise id must be ent-<uscc>", "aggregate_id", "derived-from-uscc");
  json data = {{"uscc", uscc}};
  for (const auto& field : kProfileFields) {
    XYD_ASSIGN_OR_RETURN(data[field], profile_value(body, field));
  }
  std::string owner = command.actor.account;
  if (is_platform_role(command.actor.role)) {
    XYD_ASSIGN_OR_RETURN(auto named, optional_string(body, "owner"));
    if (named) owner = *named;
  }
  if (owner.empty())
    return refuse(Errc::invalid_argument, "an enterprise is registered by (or for) an account", "owner", "required");
  data["owner"] = owner;
  return one_event(events::enterprise::kEnterpriseRegistered, std::move(data));
}

Decision change_profile(const AggregateState& state, const Command& command) {
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string field, required_one_of(body, "field", kProfileFields, "profile-field"));
  XYD_ASSIGN_OR_RETURN(std::string source, required_string(body, "source"));
  if (!body.contains("before")) return refuse(Errc::invalid_argument, "before is required", "before", "required");
  const json before = member_or(body, "before", json());
  const json after_field = json{{field, member_or(body, "after", json())}};
  auto checked = profile_value(after_field, field);
  if (!checked.ok()) {
    Error error = checked.error();
    error.field = "after";
    return error;
  }
  const json after = *checked;
  const json current = member_or(state.data, field, json());
  if (before != current)
    return refuse(Errc::conflict, field + " is now " + current.dump() + ", not " + before.dump(), "before",
                  "before-is-current");
  if (after == current)
    return refuse(Errc::invalid_argument, "after equals before: nothing changes", "after", "changes-something");
  return one_event(events::enterprise::kEnterpriseProfileChanged,
                   {{"field", field}, {"before", current}, {"after", after}, {"source", source}});
}

Decision whitelist(const AggregateState& state, const Command& command) {
  if (state_flag(state, "whitelisted"))
    return refuse(Errc::conflict, "the enterprise is already on the whitelist", "whitelisted", "whitelisted-once");
  XYD_ASSIGN_OR_RETURN(auto note, optional_string(command.body, "note"));
  return one_event(events::enterprise::kEnterpriseWhitelisted,
                   {{"by", command.actor.account}, {"note", note.value_or("")}});
}

Decision delist(const AggregateState& state, const Command& command) {
  if (!state_flag(state, "whitelisted"))
    return refuse(Errc::refused, "the enterprise is not on the whitelist", "whitelisted", "on-whitelist");
  XYD_ASSIGN_OR_RETURN(std::string reason, required_string(command.body, "reason"));
  return one_event(events::enterprise::kEnterpriseDelisted, {{"by", command.actor.account}, {"reason", reason}});
}

Decision record_risk_signal(const AggregateState&, const Command& command) {
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(
      std::string type,
      required_one_of(body, "signal_type", {"judicial", "tax", "abnormal_operation", "administrative_penalty", "other"},
                      "signal-type"));
  XYD_ASSIGN_OR_RETURN(std::string severity, required_one_of(body, "severity", {"low", "medium", "high"}, "severity"));
  XYD_ASSIGN_OR_RETURN(std::string source, required_string(body, "source"));
  XYD_ASSIGN_OR_RETURN(std::string observed_at, required_date_or_instant(body, "observed_at"));
  XYD_ASSIGN_OR_RETURN(auto description, optional_string(body, "description"));
  return one_event(events::enterprise::kRiskSignalRecorded, {{"signal_type", type},
                                                             {"severity", severity},
                                                             {"source", source},
                                                             {"observed_at", observed_at},
                                                             {"description", description.value_or("")}});
}

bool follows(const AggregateState& state, const std::string& account) {
  const json followers = member_or(state.data, "followers", json::array());
  return followers.is_array() && std::find(followers.begin(), followers.end(), account) != followers.end();
}

Status check_follower(const Command& command) {
  if (command.actor.account.empty())
    return refuse(Errc::invalid_argument, "following needs an account", "account", "required");
  return Status();
}

Decision follow(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_follower(command));
  if (follows(state, command.actor.account))
    return refuse(Errc::conflict, "the account already follows this enterprise", "account", "follow-once");
  return one_event(events::enterprise::kEnterpriseFollowed, {{"account", command.actor.account}});
}

Decision unfollow(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_follower(command));
  if (!follows(state, command.actor.account))
    return refuse(Errc::refused, "the account does not follow this enterprise", "account", "following");
  return one_event(events::enterprise::kEnterpriseUnfollowed, {{"account", command.actor.account}});
}

Decision assess_credit_score(const AggregateState&, const Command& command) {
  XYD_ASSIGN_OR_RETURN(int64_t score, required_int(command.body, "score", 0, 1000));
  XYD_ASSIGN_OR_RETURN(std::string grade, required_string(command.body, "grade"));
  XYD_ASSIGN_OR_RETURN(std::string model, required_string(command.body, "model_version"));
  return one_event(events::enterprise::kCreditScoreAssessed,
                   {{"score", score}, {"grade", grade}, {"model_version", model}});
}

const DecideTable& table() {
  static const DecideTable t = {"enterprise",
                                "RegisterEnterprise",
                                {{"RegisterEnterprise", &register_enterprise},
                                 {"SubmitCertification", &submit_certification},
                                 {"ReviewCertification", &review_certification},
                                 {"ChangeEnterpriseProfile", &change_profile},
                                 {"WhitelistEnterprise", &whitelist},
                                 {"DelistEnterprise", &delist},
                                 {"RecordRiskSignal", &record_risk_signal},
                                 {"FollowEnterprise", &follow},
                                 {"UnfollowEnterprise", &unfollow},
                                 {"AssessCreditScore", &assess_credit_score}}};
  return t;
}

void apply_certification(json& s, const std::string& event_name, const json& data) {
  if (event_name == events::enterprise::kCertificationSubmitted) {
    s["certification"] = "pending_review";
    s["certification_method"] = events::string_or(data, "method");
  } else if (event_name == events::enterprise::kEnterpriseCertified) {
    s["certification"] = "certified";
    s["certified"] = true;
  } else if (event_name == events::enterprise::kCertificationRejected) {
    s["certification"] = "rejected";
    s["certification_reasons"] = member_or(data, "reasons", json::array());
  }
}

}  // namespace

std::string enterprise_id_for_uscc(const std::string& uscc) {
  return "ent-" + uscc;
}

template <>
const std::string& EnterpriseAggregate::type() const {
  return table().type;
}

template <>
Result<std::vector<NewEvent>> EnterpriseAggregate::decide(const AggregateState& state, const Command& command) const {
  return dispatch(table(), state, command);
}

template <>
Subject EnterpriseAggregate::subject(const AggregateState& state, const Command& command) const {
  Subject s;
  if (state.exists()) {
    s.owner = events::string_or(state.data, "owner");
    s.region = events::string_or(state.data, "region");
  } else {
    const std::string named = events::string_or(command.body, "owner");
    s.owner = is_platform_role(command.actor.role) && !named.empty() ? named : command.actor.account;
    s.region = events::string_or(command.body, "region");
  }
  return s;
}

template <>
void EnterpriseAggregate::apply(AggregateState& state, const std::string& event_name, const json& data) const {
  auto& s = state.data;
  if (event_name == events::enterprise::kEnterpriseRegistered) {
    s = data;
    s["certification"] = "none";
    s["certified"] = false;
    s["whitelisted"] = false;
    s["followers"] = json::array();
    s["risk_signals"] = {{"low", 0}, {"medium", 0}, {"high", 0}};
  } else if (event_name == events::enterprise::kEnterpriseProfileChanged) {
    if (const std::string field = events::string_or(data, "field"); !field.empty())
      s[field] = member_or(data, "after", json());
  } else if (event_name == events::enterprise::kEnterpriseWhitelisted ||
             event_name == events::enterprise::kEnterpriseDelisted) {
    s["whitelisted"] = event_name == events::enterprise::kEnterpriseWhitelisted;
  } else if (event_name == events::enterprise::kRiskSignalRecorded) {
    std::string severity = events::string_or(data, "severity");
    if (severity.empty()) severity = "low";
    auto& count = s["risk_signals"][severity];
    count = count.is_number_integer() ? count.get<int64_t>() + 1 : 1;
  } else if (event_name == events::enterprise::kEnterpriseFollowed) {
    s["followers"].push_back(events::string_or(data, "account"));
  } else if (event_name == events::enterprise::kEnterpriseUnfollowed) {
    auto& followers = s["followers"];
    const json account = events::string_or(data, "account");
    if (followers.is_array())
      followers.erase(std::remove(followers.begin(), followers.end(), account), followers.end());
  } else if (event_name == events::enterprise::kCreditScoreAssessed) {
    s["credit_score"] = member_or(data, "score", json());
    s["credit_grade"] = member_or(data, "grade", json());
    s["credit_model_version"] = member_or(data, "model_version", json());
  } else {
    apply_certification(s, event_name, data);
  }
}

}  // namespace xyd::domain

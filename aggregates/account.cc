#include "aggregates/account.h"

#include <set>

#include "aggregates/identifiers.h"

namespace xyd::domain {
namespace {

Error refuse(Errc code, const std::string& message, const std::string& field, const std::string& rule) {
  return make_error(code, message, field, rule);
}

Result<std::string> required_string(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
    return refuse(Errc::invalid_argument, field + " is required (a string)", field, "required");
  return it->get<std::string>();
}

std::string optional_string(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool self_registrable(const std::string& kind) { return kind == "enterprise_user" || kind == "individual"; }
bool needs_institution(const std::string& kind) { return kind == "institution_admin" || kind == "account_manager"; }

// A government account's region must be of its level: national 000000, a province NN0000, a
// city NNNN00 (not a province).
Status check_government_region(const std::string& kind, const std::string& region) {
  const bool province = region.ends_with("0000"), city = !province && region.ends_with("00");
  if (kind == "government_national" && region != "000000")
    return refuse(Errc::invalid_argument, "a national government account has region 000000", "region",
                  "government-region-level");
  if (kind == "government_province" && (!province || region == "000000"))
    return refuse(Errc::invalid_argument, "a province government account has a province code (NN0000)", "region",
                  "government-region-level");
  if (kind == "government_city" && !city)
    return refuse(Errc::invalid_argument, "a city government account has a city code (NNNN00)", "region",
                  "government-region-level");
  return Status();
}

// The fields every new account has, checked: phone (and the id derived from it), kind, region,
// institution where the kind needs one, and a phone not registered yet.
Result<nlohmann::json> new_account(const AggregateState& state, const Command& command) {
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string phone, required_string(body, "phone"));
  XYD_RETURN_IF_ERROR(check_mobile(phone));
  XYD_ASSIGN_OR_RETURN(std::string kind, required_string(body, "kind"));
  if (!is_account_kind(kind))
    return refuse(Errc::invalid_argument, "kind '" + kind + "' is not a kind of account", "kind", "account-kind");
  XYD_ASSIGN_OR_RETURN(std::string region, required_string(body, "region"));
  XYD_RETURN_IF_ERROR(check_region_format(region));
  XYD_RETURN_IF_ERROR(check_government_region(kind, region));
  const std::string institution = optional_string(body, "institution");
  if (needs_institution(kind) && institution.empty())
    return refuse(Errc::invalid_argument, kind + " accounts belong to an institution: institution is required",
                  "institution", "required");
  if (command.aggregate_id != account_id_for_phone(phone))
    return refuse(Errc::invalid_argument, "the account id must be the one derived from the phone", "aggregate_id",
                  "derived-from-phone");
  if (state.exists())
    return refuse(Errc::conflict, "phone " + phone + " is already registered: log in, or reset the password", "phone",
                  "unique-phone");
  nlohmann::json data = {{"kind", kind}, {"phone", phone}, {"region", region}, {"credential_ref", command.id}};
  if (!institution.empty()) data["institution"] = institution;
  if (auto name = optional_string(body, "name"); !name.empty()) data["name"] = name;
  return data;
}

Result<std::vector<NewEvent>> register_account(const AggregateState& state, const Command& command) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json data, new_account(state, command));
  if (!self_registrable(data["kind"]) && command.actor.role != "system")
    return refuse(Errc::refused, data["kind"].get<std::string>() + " accounts are created by an administrator",
                  "kind", "self-registration-kinds");
  data["status"] = "active";
  return std::vector<NewEvent>{{"AccountRegistered", std::move(data)}};
}

// Which kinds each creator may create: a province its cities' government accounts (pending until
// the province approves them), an institution admin its own institution's managers, a system
// admin (or the bootstrap command) any kind.
Result<std::vector<NewEvent>> create_account(const AggregateState& state, const Command& command) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json data, new_account(state, command));
  const std::string kind = data["kind"], role = command.actor.role;
  std::string status = "active";
  if (role == "government_province") {
    if (kind != "government_city")
      return refuse(Errc::forbidden, "a province government account creates only city government accounts", "kind",
                    "creatable-kinds");
    status = "pending";
  } else if (role == "institution_admin") {
    if (kind != "account_manager")
      return refuse(Errc::forbidden, "an institution admin creates only account managers", "kind", "creatable-kinds");
    if (data.value("institution", "") != command.actor.institution)
      return refuse(Errc::forbidden, "an institution admin creates managers of its own institution only",
                    "institution", "own-institution");
  } else if (role != "system_admin" && role != "system") {
    return refuse(Errc::forbidden, "a " + role + " may not create accounts", "role", "creatable-kinds");
  }
  data["status"] = status;
  data["must_change_password"] = true;
  data["created_by"] = command.actor.account.empty() ? role : command.actor.account;
  return std::vector<NewEvent>{{"AccountRegistered", std::move(data)}};
}

Result<std::vector<NewEvent>> when_status(const AggregateState& state, const std::string& status,
                                          const std::string& rule, NewEvent event) {
  const std::string current = state.data.value("status", "");
  if (current != status)
    return refuse(Errc::refused, "the account is " + current + "; this needs it " + status, "status", rule);
  return std::vector<NewEvent>{std::move(event)};
}

std::string by(const Command& command) {
  return command.actor.account.empty() ? command.actor.role : command.actor.account;
}

}  // namespace

std::string account_id_for_phone(const std::string& phone) {
  return "acc-" + events::sha256_hex("phone:" + phone).substr(0, 20);
}

bool is_account_kind(const std::string& kind) {
  static const std::set<std::string> kinds = {
      "enterprise_user",     "individual",        "institution_admin", "account_manager", "government_national",
      "government_province", "government_city", "system_admin",      "auditor"};
  return kinds.contains(kind);
}

const std::string& AccountAggregate::type() const {
  static const std::string name = "account";
  return name;
}

Result<std::vector<NewEvent>> AccountAggregate::decide(const AggregateState& state, const Command& command) const {
  const std::string& name = command.name;
  if (name == "RegisterAccount") return register_account(state, command);
  if (name == "CreateAccount") return create_account(state, command);
  if (!state.exists())
    return refuse(Errc::not_found, "account " + command.aggregate_id + " does not exist", "aggregate_id", "exists");
  const auto& body = command.body;
  if (name == "ApproveAccount") return when_status(state, "pending", "pending-only", {"AccountApproved", {{"by", by(command)}}});
  if (name == "RejectAccount") {
    XYD_ASSIGN_OR_RETURN(std::string reason, required_string(body, "reason"));
    return when_status(state, "pending", "pending-only", {"AccountRejected", {{"by", by(command)}, {"reason", reason}}});
  }
  if (name == "EnableAccount") return when_status(state, "disabled", "disabled-only", {"AccountEnabled", {{"by", by(command)}}});
  if (name == "DisableAccount")
    return when_status(state, "active", "active-only",
                       {"AccountDisabled", {{"by", by(command)}, {"reason", optional_string(body, "reason")}}});
  if (name == "ChangePassword")
    return when_status(state, "active", "active-only",
                       {"PasswordChanged", {{"credential_ref", command.id}, {"by", by(command)}}});
  if (name == "RecordLogin") {
    nlohmann::json data = {{"client_address", optional_string(body, "client_address")},
                           {"method", optional_string(body, "method")},
                           {"session", optional_string(body, "session")}};
    return std::vector<NewEvent>{{"LoggedIn", std::move(data)}};
  }
  if (name == "RecordLoginFailure") {
    XYD_ASSIGN_OR_RETURN(std::string reason, required_string(body, "reason"));
    return std::vector<NewEvent>{
        {"LoginFailed", {{"client_address", optional_string(body, "client_address")}, {"reason", reason}}}};
  }
  return refuse(Errc::invalid_argument, "accounts take no command named " + name, "name", "known-command");
}

Subject AccountAggregate::subject(const AggregateState& state, const Command& command) const {
  const auto& source = state.exists() ? state.data : command.body;
  Subject s;
  s.account = command.aggregate_id;
  s.region = source.value("region", "");
  s.institution = source.value("institution", "");
  return s;
}

void AccountAggregate::apply(AggregateState& state, const std::string& event_name, const nlohmann::json& data) const {
  auto& s = state.data;
  if (event_name == "AccountRegistered") {
    for (const char* field : {"kind", "phone", "region", "institution", "name", "credential_ref", "created_by"})
      if (data.contains(field)) s[field] = data[field];
    // Events written before accounts had a status field: city government accounts wait.
    s["status"] = data.contains("status") ? data["status"].get<std::string>()
                  : s.value("kind", "") == "government_city" ? "pending"
                                                             : "active";
    s["must_change_password"] = data.value("must_change_password", false);
  } else if (event_name == "AccountApproved" || event_name == "AccountEnabled") {
    s["status"] = "active";
  } else if (event_name == "AccountRejected") {
    s["status"] = "rejected";
  } else if (event_name == "AccountDisabled") {
    s["status"] = "disabled";
  } else if (event_name == "PasswordChanged") {
    s["credential_ref"] = data.value("credential_ref", "");
    s["must_change_password"] = false;
  }
}

}  // namespace xyd::domain

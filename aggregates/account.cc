#include "aggregates/account.h"

#include <set>

#include "aggregates/fields.h"
#include "aggregates/identifiers.h"
#include "aggregates/reference.h"
#include "events/json_input.h"
#include "events/schema/account.h"

namespace xyd::domain {
namespace {

using nlohmann::json;

bool self_registrable(const std::string& kind) {
  return kind == "enterprise_user" || kind == "individual";
}
bool needs_institution(const std::string& kind) {
  return kind == "institution_admin" || kind == "account_manager";
}
// Kinds that count nationwide, whose region may be 000000 (no GB/T 2260 code).
bool nationwide(const std::string& kind) {
  return kind == "government_national" || kind == "system_admin" || kind == "auditor";
}

// An account's region exists in the reference data (GB/T 2260), or is 000000 for a nationwide
// kind; a government account's is of its level: national 000000, a province a province code, a
// city a prefecture-level code.
Status check_account_region(const std::string& kind, const std::string& region) {
  if (region == "000000") {
    if (nationwide(kind)) return Status();
    return refuse(Errc::invalid_argument,
                  "region 000000 (nationwide) is for national government, system admin and auditor accounts", "region",
                  "nationwide-kinds");
  }
  if (kind == "government_national")
    return refuse(Errc::invalid_argument, "a national government account has region 000000", "region",
                  "government-region-level");
  XYD_RETURN_IF_ERROR(check_region(region, "region"));
  if (kind == "government_province" && level_of(region) != RegionLevel::province)
    return refuse(Errc::invalid_argument, "a province government account has a province code (NN0000)", "region",
                  "government-region-level");
  if (kind == "government_city" && level_of(region) != RegionLevel::city)
    return refuse(Errc::invalid_argument, "a city government account has a city code (NNNN00)", "region",
                  "government-region-level");
  return Status();
}

// The fields every new account has, checked: phone (and the id derived from it), kind, region,
// institution where the kind needs one, and a phone not registered yet.
Result<json> new_account(const AggregateState& state, const Command& command) {
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string phone, required_string(body, "phone"));
  XYD_RETURN_IF_ERROR(check_mobile(phone));
  XYD_ASSIGN_OR_RETURN(std::string kind, required_string(body, "kind"));
  if (!is_account_kind(kind))
    return refuse(Errc::invalid_argument, "kind '" + kind + "' is not a kind of account", "kind", "account-kind");
  XYD_ASSIGN_OR_RETURN(std::string region, required_string(body, "region"));
  XYD_RETURN_IF_ERROR(check_account_region(kind, region));
  XYD_ASSIGN_OR_RETURN(auto institution, optional_string(body, "institution"));
  if (needs_institution(kind) && institution.value_or("").empty())
    return refuse(Errc::invalid_argument, kind + " accounts belong to an institution: institution is required",
                  "institution", "required");
  XYD_ASSIGN_OR_RETURN(auto name, optional_string(body, "name"));
  if (command.aggregate_id != account_id_for_phone(phone))
    return refuse(Errc::invalid_argument, "the account id must be the one derived from the phone", "aggregate_id",
                  "derived-from-phone");
  if (state.exists())
    return refuse(Errc::conflict, "phone " + phone + " is already registered: log in, or reset the password", "phone",
                  "unique-phone");
  json data = {{"kind", kind}, {"phone", phone}, {"region", region}, {"credential_ref", command.id}};
  if (!institution.value_or("").empty()) data["institution"] = *institution;
  if (!name.value_or("").empty()) data["name"] = *name;
  return data;
}

// Self-registration (anyone but the platform): an enterprise user or an individual, belonging to
// no institution. The kind and the absence of an institution are checked first, so the answer
// names what self-registration may not set.
Status check_self_registration(const Command& command) {
  if (command.actor.role == "system") return Status();
  if (command.body.is_object() && command.body.contains("institution"))
    return refuse(Errc::invalid_argument,
                  "self-registration takes no institution: an institution's accounts are created by its administrator",
                  "institution", "self-registration-fields");
  XYD_ASSIGN_OR_RETURN(std::string kind, required_string(command.body, "kind"));
  if (!self_registrable(kind))
    return refuse(Errc::refused, kind + " accounts are created by an administrator", "kind", "self-registration-kinds");
  return Status();
}

Result<std::vector<NewEvent>> register_account(const AggregateState& state, const Command& command) {
  XYD_RETURN_IF_ERROR(check_self_registration(command));
  XYD_ASSIGN_OR_RETURN(json data, new_account(state, command));
  data["status"] = "active";
  return std::vector<NewEvent>{{events::account::kAccountRegistered, std::move(data)}};
}

// Which kinds each creator may create (manages_account_kind): a province its cities' government
// accounts (pending until the province approves them), an institution admin its own
// institution's managers, a system admin (or the bootstrap command) any kind.
Result<std::vector<NewEvent>> create_account(const AggregateState& state, const Command& command) {
  XYD_ASSIGN_OR_RETURN(json data, new_account(state, command));
  const std::string kind = events::string_or(data, "kind"), role = command.actor.role;
  if (!manages_account_kind(role, kind))
    return refuse(Errc::forbidden, "a " + role + " may not create " + kind + " accounts", "kind", "creatable-kinds");
  if (role == "institution_admin" && events::string_or(data, "institution") != command.actor.institution)
    return refuse(Errc::forbidden, "an institution admin creates managers of its own institution only", "institution",
                  "own-institution");
  data["status"] = role == "government_province" ? "pending" : "active";
  data["must_change_password"] = true;
  data["created_by"] = command.actor.account.empty() ? role : command.actor.account;
  return std::vector<NewEvent>{{events::account::kAccountRegistered, std::move(data)}};
}

// Approving, rejecting, enabling and disabling an account: the actor must manage its kind (the
// matrix has already checked the region or institution), so no one below a system admin touches
// a system admin, and a province touches only its cities' government accounts.
Status check_manages(const AggregateState& state, const Command& command) {
  const std::string kind = events::string_or(state.data, "kind"), role = command.actor.role;
  if (!manages_account_kind(role, kind))
    return refuse(Errc::forbidden, "a " + role + " may not " + command.name + " of a " + kind + " account", "kind",
                  "manageable-kinds");
  return Status();
}

Result<std::vector<NewEvent>> when_status(const AggregateState& state, const std::string& status,
                                          const std::string& rule, NewEvent event) {
  const std::string current = events::string_or(state.data, "status");
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
  static const std::set<std::string> kinds = {"enterprise_user", "individual",          "institution_admin",
                                              "account_manager", "government_national", "government_province",
                                              "government_city", "system_admin",        "auditor"};
  return kinds.contains(kind);
}

template <>
const std::string& AccountAggregate::type() const {
  static const std::string name = "account";
  return name;
}

template <>
Result<std::vector<NewEvent>> AccountAggregate::decide(const AggregateState& state, const Command& command) const {
  const std::string& name = command.name;
  if (name == "RegisterAccount") return register_account(state, command);
  if (name == "CreateAccount") return create_account(state, command);
  if (!state.exists())
    return refuse(Errc::not_found, "account " + command.aggregate_id + " does not exist", "aggregate_id", "exists");
  const auto& body = command.body;
  if (name == "ApproveAccount" || name == "RejectAccount" || name == "EnableAccount" || name == "DisableAccount")
    XYD_RETURN_IF_ERROR(check_manages(state, command));
  if (name == "ApproveAccount")
    return when_status(state, "pending", "pending-only", {events::account::kAccountApproved, {{"by", by(command)}}});
  if (name == "RejectAccount") {
    XYD_ASSIGN_OR_RETURN(std::string reason, required_string(body, "reason"));
    return when_status(state, "pending", "pending-only",
                       {events::account::kAccountRejected, {{"by", by(command)}, {"reason", reason}}});
  }
  if (name == "EnableAccount")
    return when_status(state, "disabled", "disabled-only", {events::account::kAccountEnabled, {{"by", by(command)}}});
  if (name == "DisableAccount") {
    XYD_ASSIGN_OR_RETURN(auto reason, optional_string(body, "reason"));
    return when_status(state, "active", "active-only",
                       {events::account::kAccountDisabled, {{"by", by(command)}, {"reason", reason.value_or("")}}});
  }
  if (name == "ChangePassword")
    return when_status(state, "active", "active-only",
                       {events::account::kPasswordChanged, {{"credential_ref", command.id}, {"by", by(command)}}});
  if (name == "RecordLogin") {
    json data = json::object();
    for (const char* field : {"client_address", "method", "session"}) {
      XYD_ASSIGN_OR_RETURN(auto value, optional_string(body, field));
      data[field] = value.value_or("");
    }
    return std::vector<NewEvent>{{events::account::kLoggedIn, std::move(data)}};
  }
  if (name == "RecordLoginFailure") {
    XYD_ASSIGN_OR_RETURN(std::string reason, required_string(body, "reason"));
    XYD_ASSIGN_OR_RETURN(auto client_address, optional_string(body, "client_address"));
    return std::vector<NewEvent>{
        {events::account::kLoginFailed, {{"client_address", client_address.value_or("")}, {"reason", reason}}}};
  }
  return refuse(Errc::invalid_argument, "accounts take no command named " + name, "name", "known-command");
}

template <>
Subject AccountAggregate::subject(const AggregateState& state, const Command& command) const {
  const auto& source = state.exists() ? state.data : command.body;
  Subject s;
  s.account = command.aggregate_id;
  s.region = events::string_or(source, "region");
  s.institution = events::string_or(source, "institution");
  return s;
}

template <>
void AccountAggregate::apply(AggregateState& state, const std::string& event_name, const json& data) const {
  auto& s = state.data;
  if (event_name == events::account::kAccountRegistered) {
    for (const char* field : {"kind", "phone", "region", "institution", "name", "credential_ref", "created_by"})
      if (auto it = data.find(field); it != data.end()) s[field] = *it;
    s["status"] = events::string_or(data, "status");  // older versions upcast by the catalog
    auto must_change = data.find("must_change_password");
    s["must_change_password"] = must_change != data.end() && must_change->is_boolean() && must_change->get<bool>();
  } else if (event_name == events::account::kAccountApproved || event_name == events::account::kAccountEnabled) {
    s["status"] = "active";
  } else if (event_name == events::account::kAccountRejected) {
    s["status"] = "rejected";
  } else if (event_name == events::account::kAccountDisabled) {
    s["status"] = "disabled";
  } else if (event_name == events::account::kPasswordChanged) {
    s["credential_ref"] = events::string_or(data, "credential_ref");
    s["must_change_password"] = false;
  }
}

}  // namespace xyd::domain

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

Result<std::vector<NewEvent>> register_account(const AggregateState& state, const Command& command) {
  const auto& body = command.body;
  XYD_ASSIGN_OR_RETURN(std::string phone, required_string(body, "phone"));
  XYD_RETURN_IF_ERROR(check_mobile(phone));
  XYD_ASSIGN_OR_RETURN(std::string kind, required_string(body, "kind"));
  if (!is_account_kind(kind))
    return refuse(Errc::invalid_argument, "kind '" + kind + "' is not a kind of account", "kind", "account-kind");
  XYD_ASSIGN_OR_RETURN(std::string region, required_string(body, "region"));
  XYD_RETURN_IF_ERROR(check_region_format(region));
  if (command.aggregate_id != account_id_for_phone(phone))
    return refuse(Errc::invalid_argument, "the account id must be the one derived from the phone", "aggregate_id",
                  "derived-from-phone");
  if (state.exists())
    return refuse(Errc::conflict, "phone " + phone + " is already registered: log in, or reset the password", "phone",
                  "unique-phone");
  nlohmann::json data = {{"kind", kind}, {"phone", phone}, {"region", region}, {"credential_ref", command.id}};
  if (body.contains("institution") && body["institution"].is_string()) data["institution"] = body["institution"];
  if (body.contains("name") && body["name"].is_string()) data["name"] = body["name"];
  return std::vector<NewEvent>{{"AccountRegistered", std::move(data)}};
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
  if (command.name == "RegisterAccount") return register_account(state, command);
  if (!state.exists())
    return refuse(Errc::not_found, "account " + command.aggregate_id + " does not exist", "aggregate_id", "exists");
  return refuse(Errc::invalid_argument, "accounts take no command named " + command.name, "name", "known-command");
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
    for (const char* field : {"kind", "phone", "region", "institution", "name", "credential_ref"})
      if (data.contains(field)) s[field] = data[field];
    s["status"] = s.value("kind", "") == "government_city" ? "pending" : "active";
  } else if (event_name == "AccountApproved" || event_name == "AccountEnabled") {
    s["status"] = "active";
  } else if (event_name == "AccountRejected") {
    s["status"] = "rejected";
  } else if (event_name == "AccountDisabled") {
    s["status"] = "disabled";
  }
}

}  // namespace xyd::domain

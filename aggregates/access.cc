#include "aggregates/access.h"

#include <algorithm>
#include <map>

#include "events/json_input.h"

namespace xyd::domain {
namespace {

// Column order of the table below.
const std::vector<std::string> kRoles = {
    "enterprise_user",     "individual",      "institution_admin", "account_manager", "government_national",
    "government_province", "government_city", "system_admin",      "auditor",         "bank_connector",
    "data_source",         "system",          "anonymous"};

constexpr Scope N = Scope::none, O = Scope::own, I = Scope::institution, S = Scope::assigned, R = Scope::region,
                A = Scope::all;

struct Row {
  const char* action;
  Scope scopes[13];  // in kRoles order
};

// The role x action matrix. Columns:
//   ent  ind  iadm mgr  gnat gprv gcty sadm aud  bank dsrc sys  anon
// Commands are named as the write side names them; queries are "<subject>.read" and the like.
// Auditors change nothing: their column is N for every command.
const Row kTable[] = {
    // --- accounts
    {"RegisterAccount", {N, N, N, N, N, N, N, N, N, N, N, A, A}},
    {"CreateAccount", {N, N, I, N, N, R, N, A, N, N, N, A, N}},
    {"ApproveAccount", {N, N, N, N, N, R, N, A, N, N, N, N, N}},
    {"RejectAccount", {N, N, N, N, N, R, N, A, N, N, N, N, N}},
    {"EnableAccount", {N, N, I, N, N, R, N, A, N, N, N, N, N}},
    {"DisableAccount", {N, N, I, N, N, R, N, A, N, N, N, N, N}},
    {"ChangePassword", {O, O, O, O, O, O, O, O, O, N, N, A, N}},
    {"RecordLogin", {N, N, N, N, N, N, N, N, N, N, N, A, N}},
    {"RecordLoginFailure", {N, N, N, N, N, N, N, N, N, N, N, A, N}},
    {"account.read", {O, O, I, O, A, R, R, A, A, N, N, A, N}},
    {"account.list", {N, N, I, N, A, R, R, A, A, N, N, A, N}},
    {"machine_key.manage", {N, N, I, N, N, N, N, A, N, N, N, N, N}},
    // --- enterprises
    {"RegisterEnterprise", {O, O, N, N, N, N, N, A, N, N, N, A, N}},
    {"SubmitCertification", {O, O, N, N, N, N, N, A, N, N, N, A, N}},
    {"ReviewCertification", {N, N, N, N, N, N, N, A, N, N, N, N, N}},
    {"ChangeEnterpriseProfile", {O, O, N, N, N, N, N, A, N, N, A, A, N}},
    {"WhitelistEnterprise", {N, N, N, N, A, R, R, A, N, N, N, N, N}},
    {"DelistEnterprise", {N, N, N, N, A, R, R, A, N, N, N, N, N}},
    {"RecordRiskSignal", {N, N, N, N, N, N, N, A, N, N, A, A, N}},
    {"FollowEnterprise", {O, O, A, A, A, R, R, A, N, N, N, N, N}},  // as enterprise.read
    {"UnfollowEnterprise", {A, A, A, A, A, R, R, A, N, N, N, N, N}},
    {"AssessCreditScore", {N, N, N, N, N, N, N, A, N, N, A, A, N}},
    {"enterprise.read", {O, O, A, A, A, R, R, A, A, N, N, A, N}},
    // --- institutions
    {"OnboardInstitution", {N, N, N, N, A, R, R, A, N, N, N, N, N}},
    {"UpdateInstitution", {N, N, I, N, A, R, R, A, N, N, N, N, N}},
    {"SuspendInstitution", {N, N, N, N, A, R, R, A, N, N, N, N, N}},
    {"ResumeInstitution", {N, N, N, N, A, R, R, A, N, N, N, N, N}},
    {"RemoveInstitution", {N, N, N, N, A, R, R, A, N, N, N, N, N}},
    {"AddManager", {N, N, I, N, N, N, R, A, N, N, N, N, N}},
    {"RemoveManager", {N, N, I, N, N, N, R, A, N, N, N, N, N}},
    {"EnableManager", {N, N, I, N, N, N, R, A, N, N, N, N, N}},
    {"DisableManager", {N, N, I, N, N, N, R, A, N, N, N, N, N}},
    {"institution.read", {A, A, A, A, A, A, A, A, A, I, N, A, A}},
    // --- products
    {"PublishProduct", {N, N, I, N, N, N, N, A, N, N, N, N, N}},
    {"UpdateProduct", {N, N, I, N, N, N, N, A, N, N, N, N, N}},
    {"DisableProduct", {N, N, I, N, N, N, N, A, N, N, N, N, N}},
    {"EnableProduct", {N, N, I, N, N, N, N, A, N, N, N, N, N}},
    {"WithdrawProduct", {N, N, I, N, N, N, N, A, N, N, N, N, N}},
    {"product.read", {A, A, A, A, A, A, A, A, A, I, N, A, A}},
    // --- demands
    {"PublishDemand", {O, O, N, N, N, N, N, A, N, N, N, A, N}},
    {"ClaimDemand", {N, N, N, A, N, N, N, N, N, N, N, N, N}},
    {"AssignDemand", {N, N, A, N, N, N, N, A, N, N, N, N, N}},
    {"CloseDemand", {O, O, I, S, N, N, N, A, N, N, N, A, N}},
    {"demand.read", {O, O, A, A, A, R, R, A, A, N, N, A, N}},
    // --- applications (orders)
    {"SubmitApplication", {O, O, N, N, N, N, N, N, N, N, N, A, N}},
    {"ReassignManager", {N, N, I, N, N, N, N, A, N, N, N, A, N}},
    {"AcceptApplication", {N, N, I, S, N, N, N, N, N, N, N, N, N}},
    {"TerminateApplication", {N, N, I, S, N, N, N, N, N, N, N, N, N}},
    {"WithdrawApplication", {O, O, N, N, N, N, N, N, N, N, N, N, N}},
    {"GrantCredit", {N, N, I, S, N, N, N, N, N, I, N, N, N}},
    {"DeclineCredit", {N, N, I, S, N, N, N, N, N, I, N, N, N}},
    {"DisburseLoan", {N, N, I, S, N, N, N, N, N, I, N, N, N}},
    {"ReceiveRepayment", {N, N, I, S, N, N, N, N, N, I, N, N, N}},
    {"MarkOverdue", {N, N, I, S, N, N, N, N, N, I, N, A, N}},
    {"WriteOffLoan", {N, N, I, S, N, N, N, N, N, I, N, N, N}},
    {"application.read", {O, O, I, S, A, R, R, A, A, I, N, A, N}},
    // --- read side and operations
    {"dashboard.read", {N, N, I, N, A, R, R, A, A, N, N, A, N}},
    {"statistics.read", {N, N, I, I, A, R, R, A, A, I, N, A, N}},
    {"ranking.read", {N, N, N, N, A, R, R, A, A, N, N, A, N}},
    {"flow_log.read", {N, N, N, N, N, N, N, A, A, N, N, A, N}},
    {"audit.read", {N, N, N, N, N, N, N, A, A, N, N, A, N}},
    {"audit.verify", {N, N, N, N, N, N, N, A, A, N, N, A, N}},
    {"ops.read", {N, N, N, N, N, N, N, A, A, N, N, A, N}},
    {"ops.rebuild", {N, N, N, N, N, N, N, A, N, N, N, A, N}},
    {"risk_feed.read", {O, O, I, S, A, R, R, A, A, N, N, A, N}},
    // --- bank connectors: results by serial, dead letters, reconciliation
    {"connector.read", {N, N, I, N, N, N, N, A, A, I, N, A, N}},
    // --- outbound connectors and data sources: webhook subscriptions, delivery log, intake
    {"webhook.manage", {N, N, I, N, N, N, N, A, N, N, N, N, N}},
    {"webhook.read", {N, N, I, N, N, N, N, A, A, N, N, A, N}},
    {"outbound_delivery.read", {N, N, I, N, N, N, N, A, A, I, N, A, N}},
    {"data_source.submit", {N, N, N, N, N, N, N, A, N, N, A, A, N}},
    {"data_source_log.read", {N, N, N, N, N, N, N, A, A, N, N, A, N}},
};

const std::map<std::string, const Row*>& rows() {
  static const std::map<std::string, const Row*> index = [] {
    std::map<std::string, const Row*> m;
    for (const auto& row : kTable) m[row.action] = &row;
    return m;
  }();
  return index;
}

size_t column(const std::string& role) {
  auto it = std::find(kRoles.begin(), kRoles.end(), role.empty() ? std::string("anonymous") : role);
  return it == kRoles.end() ? kRoles.size() : static_cast<size_t>(it - kRoles.begin());
}

bool within(const events::Actor& actor, Scope scope, const Subject& s) {
  switch (scope) {
    case Scope::none:
      return false;
    case Scope::all:
      return true;
    case Scope::own:
      return !actor.account.empty() && (s.owner == actor.account || s.account == actor.account);
    case Scope::institution:
      return !actor.institution.empty() && s.institution == actor.institution;
    case Scope::assigned:
      return !actor.account.empty() && s.manager == actor.account &&
             (s.institution.empty() || s.institution == actor.institution);
    case Scope::region:
      return !s.region.empty() && region_covers(actor.role, actor.region, s.region);
  }
  return false;
}

}  // namespace

const char* scope_name(Scope scope) {
  switch (scope) {
    case Scope::none:
      return "none";
    case Scope::own:
      return "own";
    case Scope::institution:
      return "institution";
    case Scope::assigned:
      return "assigned";
    case Scope::region:
      return "region";
    case Scope::all:
      return "all";
  }
  return "none";
}

const std::vector<std::string>& all_roles() {
  return kRoles;
}

bool is_role(const std::string& role) {
  return column(role) < kRoles.size();
}

Scope scope_of(const std::string& role, const std::string& action) {
  size_t c = column(role);
  auto row = rows().find(action);
  if (c >= kRoles.size() || row == rows().end()) return Scope::none;
  return row->second->scopes[c];
}

std::vector<std::string> known_actions() {
  std::vector<std::string> actions;
  for (const auto& [name, row] : rows()) actions.push_back(name);
  return actions;
}

bool region_covers(const std::string& role, const std::string& actor_region, const std::string& region) {
  if (role == "government_national") return true;
  if (actor_region.size() != 6 || region.size() < 6) return false;
  if (role == "government_province") return region.compare(0, 2, actor_region, 0, 2) == 0;
  if (role == "government_city") return region.compare(0, 4, actor_region, 0, 4) == 0;
  return region == actor_region;
}

Status authorize(const events::Actor& actor, const std::string& action, const Subject& subject) {
  const std::string role = actor.role.empty() ? "anonymous" : actor.role;
  Scope scope = scope_of(role, action);
  if (scope == Scope::none)
    return make_error(Errc::forbidden, "a " + role + " may not " + action, "role", "role-may-not");
  if (!within(actor, scope, subject))
    return make_error(
        Errc::forbidden,
        "a " + role + " may " + action + " only within scope '" + scope_name(scope) + "', and this is outside it",
        "scope", std::string("scope-") + scope_name(scope));
  return Status();
}

Status authorize_new_value(const events::Actor& actor, const std::string& action, const Subject& target,
                           const std::string& field) {
  Status allowed = authorize(actor, action, target);
  if (allowed.ok()) return allowed;
  Error error = allowed.error();
  error.field = field;
  error.message += " (the new " + field + ")";
  return error;
}

bool manages_account_kind(const std::string& role, const std::string& kind) {
  if (role == "system" || role == "system_admin") return true;
  if (role == "government_province") return kind == "government_city";
  if (role == "institution_admin") return kind == "account_manager";
  return false;
}

nlohmann::json member_or(const nlohmann::json& source, const std::string& field, nlohmann::json fallback) {
  if (!source.is_object()) return fallback;
  auto it = source.find(field);
  return it == source.end() ? fallback : *it;
}

}  // namespace xyd::domain

// Access: who may do what (shared/DOMAIN.md, "Who uses it"), written once as data: for every
// action (each command name, each query) the scope each role has, and one check of an actor
// against the subject an action touches. The command path checks every command with it before
// deciding (decide_checked); the API checks every query with it. Pure; any thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "events/envelope.h"
#include "events/result.h"

namespace xyd::domain {

// How far a role's right to an action reaches.
enum class Scope {
  none,         // not allowed
  own,          // subjects the actor owns (its account, its enterprises and their orders)
  institution,  // subjects of the actor's institution
  assigned,     // orders (or demands) assigned to the actor, within its institution
  region,       // subjects inside the actor's region (GB/T 2260 prefix scoping)
  all,          // everything
};
const char* scope_name(Scope scope);

// Roles: the account kinds, plus the machine and internal identities.
//   enterprise_user individual institution_admin account_manager government_national
//   government_province government_city system_admin auditor    (account kinds)
//   bank_connector data_source                                   (machine identities)
//   system     (the platform itself: dispatch, timers, login records)
//   anonymous  (no credentials: registration, login)
const std::vector<std::string>& all_roles();
bool is_role(const std::string& role);

// What an action touches, as far as access goes. Empty fields are unknown / not applicable.
struct Subject {
  std::string owner;        // the account owning it (an enterprise user's enterprise and orders)
  std::string institution;  // the institution it belongs to (products, orders, managers)
  std::string region;       // the GB/T 2260 code it counts under
  std::string manager;      // the account manager assigned to it (orders, demands)
  std::string account;      // for an account: the account itself
};

// The scope `role` has for `action` (none for an unknown role or action).
Scope scope_of(const std::string& role, const std::string& action);

// Every action the table knows (commands and queries), for tests and the docs.
std::vector<std::string> known_actions();

// Whether a region-scoped actor's region covers `region`: national covers all, province the
// codes sharing its first two digits, city its first four, anything else exactly itself.
bool region_covers(const std::string& role, const std::string& actor_region, const std::string& region);

// Allows or refuses: forbidden (403) naming the action and the rule ("role-may-not" when the
// role has no right at all, "scope-<name>" when the subject is outside its scope).
[[nodiscard]] Status authorize(const events::Actor& actor, const std::string& action, const Subject& subject);

// A value a command would set (a new region, a new institution) checked as the subject it would
// make: the actor must hold `action` over the subject after the change too. The refusal is
// authorize's, with `field` named (so a city account cannot move its institution out of its city).
[[nodiscard]] Status authorize_new_value(const events::Actor& actor, const std::string& action, const Subject& target,
                                         const std::string& field);

// Whether `role` may create, approve, reject, enable or disable accounts of `kind` (on top of the
// matrix's scope): the platform and system admins any kind; a province government only city
// government accounts; an institution admin only account managers. No one else, and so no one
// below a system admin touches a system admin account.
bool manages_account_kind(const std::string& role, const std::string& kind);

// The member `field` of `source` whatever its type, or `fallback` when absent (or no object).
// A non-throwing read for subject() and apply() (strings: events::string_or): `field` of
// `source`, or `fallback` when `source` is no object or has no such member.
nlohmann::json member_or(const nlohmann::json& source, const std::string& field, nlohmann::json fallback);

}  // namespace xyd::domain

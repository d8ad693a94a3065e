// The events of the Account (账户) aggregate (shared/DOMAIN.md): their names, and each one's
// data fields with their kinds, required or optional. The catalog (events/catalog.h) is made from
// these declarations, and deciders and projections name events by these constants. Pure; any thread.
#pragma once

#include "events/schema/field.h"

namespace xyd::events::account {

inline constexpr char kAccountRegistered[] = "AccountRegistered";
inline constexpr char kAccountApproved[] = "AccountApproved";
inline constexpr char kAccountRejected[] = "AccountRejected";
inline constexpr char kAccountEnabled[] = "AccountEnabled";
inline constexpr char kAccountDisabled[] = "AccountDisabled";
inline constexpr char kPasswordChanged[] = "PasswordChanged";
inline constexpr char kLoggedIn[] = "LoggedIn";
inline constexpr char kLoginFailed[] = "LoginFailed";

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::account

// The events of the Account (账户) aggregate (shared/DOMAIN.md): their names, and each one's
// data as a struct (events/schema/payload.h): its fields with named types for their kinds,
// std::optional where only some events carry one. The catalog (events/catalog.h) is made from these
// structs; deciders and projections name events by the constants and read data by decode<>().
// Pure; any thread.
#pragma once

#include "events/schema/payload.h"

namespace xyd::events::account {

inline constexpr char kAccountRegistered[] = "AccountRegistered";
inline constexpr char kAccountApproved[] = "AccountApproved";
inline constexpr char kAccountRejected[] = "AccountRejected";
inline constexpr char kAccountEnabled[] = "AccountEnabled";
inline constexpr char kAccountDisabled[] = "AccountDisabled";
inline constexpr char kPasswordChanged[] = "PasswordChanged";
inline constexpr char kLoggedIn[] = "LoggedIn";
inline constexpr char kLoginFailed[] = "LoginFailed";

// Each event's data (events/schema/payload.h).
struct AccountRegistered {
  static constexpr const char* kName = kAccountRegistered;
  static constexpr int32_t kVersion = 2;
  std::string kind;
  std::string phone;
  std::string region;
  std::string status;
  std::optional<std::string> credential_ref;
  std::optional<std::string> institution;
  std::optional<std::string> name;
  std::optional<bool> must_change_password;
  std::optional<std::string> created_by;
  static constexpr auto members() {
    return std::tuple{member("kind", &AccountRegistered::kind),
                      member("phone", &AccountRegistered::phone),
                      member("region", &AccountRegistered::region),
                      member("status", &AccountRegistered::status),
                      member("credential_ref", &AccountRegistered::credential_ref),
                      member("institution", &AccountRegistered::institution),
                      member("name", &AccountRegistered::name),
                      member("must_change_password", &AccountRegistered::must_change_password),
                      member("created_by", &AccountRegistered::created_by)};
  }
};

struct AccountApproved {
  static constexpr const char* kName = kAccountApproved;
  std::string by;
  static constexpr auto members() { return std::tuple{member("by", &AccountApproved::by)}; }
};

struct AccountRejected {
  static constexpr const char* kName = kAccountRejected;
  std::string by;
  std::string reason;
  static constexpr auto members() {
    return std::tuple{member("by", &AccountRejected::by), member("reason", &AccountRejected::reason)};
  }
};

struct AccountEnabled {
  static constexpr const char* kName = kAccountEnabled;
  std::string by;
  static constexpr auto members() { return std::tuple{member("by", &AccountEnabled::by)}; }
};

struct AccountDisabled {
  static constexpr const char* kName = kAccountDisabled;
  std::string by;
  std::optional<std::string> reason;
  static constexpr auto members() {
    return std::tuple{member("by", &AccountDisabled::by), member("reason", &AccountDisabled::reason)};
  }
};

struct PasswordChanged {
  static constexpr const char* kName = kPasswordChanged;
  std::optional<std::string> credential_ref;
  std::optional<std::string> by;
  static constexpr auto members() {
    return std::tuple{member("credential_ref", &PasswordChanged::credential_ref), member("by", &PasswordChanged::by)};
  }
};

struct LoggedIn {
  static constexpr const char* kName = kLoggedIn;
  std::string client_address;
  std::optional<std::string> method;
  std::optional<std::string> session;
  static constexpr auto members() {
    return std::tuple{member("client_address", &LoggedIn::client_address), member("method", &LoggedIn::method),
                      member("session", &LoggedIn::session)};
  }
};

struct LoginFailed {
  static constexpr const char* kName = kLoginFailed;
  std::string client_address;
  std::string reason;
  static constexpr auto members() {
    return std::tuple{member("client_address", &LoginFailed::client_address), member("reason", &LoginFailed::reason)};
  }
};

// Every event of the aggregate, as declared.
const AggregateEvents& schema();

}  // namespace xyd::events::account

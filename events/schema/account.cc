#include "events/schema/account.h"

#include "events/json_input.h"

namespace xyd::events::account {

namespace {

// Version 1 of AccountRegistered did not always carry the status: an account created then is
// active, except a city government account, which waits for its province's approval.
Status status_from_kind(nlohmann::json& data) {
  if (!data.contains("status"))
    data["status"] = events::string_or(data, "kind") == "government_city" ? "pending" : "active";
  return Status();
}

}  // namespace

const AggregateEvents& schema() {
  static const AggregateEvents declared{
      "account",
      {event_spec<AccountRegistered>({{1, status_from_kind}}), event_spec<AccountApproved>(),
       event_spec<AccountRejected>(), event_spec<AccountEnabled>(), event_spec<AccountDisabled>(),
       event_spec<PasswordChanged>(), event_spec<LoggedIn>(), event_spec<LoginFailed>()}};
  return declared;
}

}  // namespace xyd::events::account

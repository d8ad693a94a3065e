#include "events/schema/account.h"

#include "events/json_input.h"

namespace xyd::events::account {
using enum FieldKind;

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
      {
          {kAccountRegistered,
           {{"kind", text},
            {"phone", text},
            {"region", text},
            {"status", text},
            optional("credential_ref", text),
            optional("institution", text),
            optional("name", text),
            optional("must_change_password", flag),
            optional("created_by", text)},
           2,
           {{1, status_from_kind}}},
          {kAccountApproved, {{"by", text}}},
          {kAccountRejected, {{"by", text}, {"reason", text}}},
          {kAccountEnabled, {{"by", text}}},
          {kAccountDisabled, {{"by", text}, optional("reason", text)}},
          {kPasswordChanged, {optional("credential_ref", text), optional("by", text)}},
          {kLoggedIn, {{"client_address", text}, optional("method", text), optional("session", text)}},
          {kLoginFailed, {{"client_address", text}, {"reason", text}}},
      }};
  return declared;
}

}  // namespace xyd::events::account

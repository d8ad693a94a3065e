// The Account aggregate (shared/DOMAIN.md): registration now; approval, enabling and password
// changes follow with the identity issue. An account's id is derived from its phone number, so
// the single writer of that id is what keeps phone numbers unique. Pure; any thread.
#pragma once

#include <string>

#include "aggregates/aggregate.h"

namespace xyd::domain {

// "acc-" + the first 20 hex digits of SHA-256("phone:" + phone).
std::string account_id_for_phone(const std::string& phone);

// The kinds of account DOMAIN.md lists.
bool is_account_kind(const std::string& kind);

using AccountAggregate = DomainAggregate<struct AccountTag>;

}  // namespace xyd::domain

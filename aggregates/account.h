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

class AccountAggregate final : public Aggregate {
 public:
  const std::string& type() const override;
  Result<std::vector<NewEvent>> decide(const AggregateState& state, const Command& command) const override;
  void apply(AggregateState& state, const std::string& event_name, const nlohmann::json& data) const override;
  Subject subject(const AggregateState& state, const Command& command) const override;
};

}  // namespace xyd::domain

// ApiServices: what the route handlers of one server share: the command gateway, the secret
// store, the reference view, the SMS channel, the login limiter, session settings, a clock, the
// rule sets and the certification data sources.
// Built once by `xyd serve` (or a test) before the routes; every member is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aggregates/processor/command_gateway.h"
#include "api/login_limiter.h"
#include "identity/credential_store.h"
#include "identity/sms_channel.h"
#include "projections/runtime/state_view.h"

namespace xyd::api {

struct SessionSettings {
  std::chrono::milliseconds ttl{8 * 3600 * 1000};     // a session's life from login
  std::chrono::milliseconds code_ttl{5 * 60 * 1000};  // a one-time login code's life
  std::chrono::milliseconds view_wait{3000};          // how long a command waits for the view
};

// The rule sets commands carry in their context (ops/rules/certification.json, screening.json),
// loaded once at start (load_rule_sets in context_facts.h).
struct RuleSets {
  nlohmann::json certification;
  nlohmann::json screening;
};

class DataSources;  // context_facts.h: where certification's data-source answers come from

struct ApiServices {
  domain::CommandGateway& gateway;
  identity::CredentialStore& credentials;
  const projections::runtime::StateView& state;
  identity::SmsChannel& sms;
  LoginLimiter& limiter;
  SessionSettings sessions;
  std::string operator_token;  // the local operator's token (<data>/operator-token)
  // Peers whose X-Forwarded-For names the client (IP addresses or CIDR blocks; --trusted-proxies).
  std::vector<std::string> trusted_proxies;
  std::function<int64_t()> now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  RuleSets rules;                              // empty: commands needing one are refused (context-fact)
  std::shared_ptr<const DataSources> sources;  // null: the registration stand-in (context_facts.h)
  // The risk marker of an enterprise (its current warnings, api/risk_routes.h); null: orders carry none.
  std::function<nlohmann::json(const events::Actor& reader, const std::string& enterprise)> risk_marker;
};

}  // namespace xyd::api

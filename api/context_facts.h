// Context facts: what a command needs to know about other aggregates, read from the state view by
// the server and put in `command.context`, in exactly the shapes aggregates/README.md lists
// ("Context the server fills in"); and the rule sets and certification data sources that go with
// them. Each function reads the view once per aggregate (a manager's open orders are one row,
// load/<manager>, kept by the state projection). Stateless; any request thread.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "aggregates/command.h"
#include "api/services.h"

namespace xyd::api {

// The string member `field` of a JSON object; "" when absent or not a string (the aggregate then
// refuses it by name).
std::string string_at(const nlohmann::json& body, const char* field);

// The certification and screening rule sets of `rules_dir` (ops/rules): each must be a JSON
// object with a version.
Result<RuleSets> load_rule_sets(const std::string& rules_dir);

// Where certification's data-source facts come from: the market supervision registry and the
// provincial identity platform, asked about one registered enterprise. Implementations must be
// thread-safe.
class DataSources {
 public:
  virtual ~DataSources() = default;
  // {"market_supervision": {"registered", "name", "legal_representative", "operating_status"},
  //  "provincial_identity": {"verified"}}
  virtual Result<nlohmann::json> certification_sources(const std::string& enterprise_id,
                                                       const domain::AggregateState& enterprise) const = 0;
};

// The stand-in until the data-source connector feeds real answers: the registry knows
// the enterprise exactly as it registered itself (registered when its USCC is valid, its name and
// legal representative, operating status 存续 — "operating", in the registry's own word that the
// certification rule set accepts), and the provincial platform verifies every legal person.
const DataSources& registration_data_sources();

// {"exists", "owner", "certified", "region", "industry", "name", "whitelisted", "credit_score"
//  (when assessed), "high_risk_signals", "medium_risk_signals"}; {"exists": false} when unknown.
Result<nlohmann::json> enterprise_facts(const ApiServices& services, const std::string& id);
// The product's state fields plus "exists"; {"exists": false} when unknown.
Result<nlohmann::json> product_facts(const ApiServices& services, const std::string& id);
// {"status", "type"}; {"status": "unknown", "type": ""} when the institution does not exist.
Result<nlohmann::json> institution_facts(const ApiServices& services, const std::string& id);
// The institution's managers: [{"account", "enabled", "open_orders"}]; a manager whose account is
// not active counts as not enabled.
Result<nlohmann::json> manager_facts(const ApiServices& services, const std::string& institution);

// The context of each command that needs one (aggregates/README.md); `body` is the command body
// as it will be submitted, `state` the aggregate's current state (empty for a creating command).
Result<nlohmann::json> certification_context(const ApiServices& services, const std::string& enterprise_id);
Result<nlohmann::json> application_context(const ApiServices& services, const nlohmann::json& body);

}  // namespace xyd::api

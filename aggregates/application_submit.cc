// SubmitApplication: the invariants of DOMAIN.md checked against the reference facts the server
// put in the context, then in one decision ApplicationSubmitted, RiskScreened and either
// ApplicationTerminated (verdict reject) or ManagerAssigned (automatic dispatch). Pure.
#include "aggregates/application_internal.h"
#include "aggregates/fields.h"
#include "aggregates/product.h"
#include "aggregates/rule_eval.h"
#include "events/json_input.h"
#include "events/schema/application.h"

namespace xyd::domain::application {
namespace {

using nlohmann::json;

struct Request {
  std::string enterprise, product, purpose, channel;
  std::optional<std::string> demand;
  int64_t amount = 0, term_months = 0;
};

Result<Request> read_request(const json& body) {
  Request r;
  XYD_ASSIGN_OR_RETURN(r.enterprise, required_string(body, "enterprise"));
  XYD_ASSIGN_OR_RETURN(r.product, required_string(body, "product"));
  XYD_ASSIGN_OR_RETURN(r.amount, required_int(body, "amount", 1));
  XYD_ASSIGN_OR_RETURN(r.term_months, required_int(body, "term_months", 1, 600));
  XYD_ASSIGN_OR_RETURN(r.purpose, required_string(body, "purpose"));
  XYD_ASSIGN_OR_RETURN(r.channel, required_string(body, "channel"));
  XYD_ASSIGN_OR_RETURN(r.demand, optional_string(body, "demand"));
  return r;
}

Status check_enterprise(const json& enterprise, const Command& command) {
  if (!events::bool_or(enterprise, "exists", false))
    return refuse(Errc::refused, "the enterprise does not exist", "enterprise", "enterprise-exists");
  if (!is_platform_role(command.actor.role) && events::string_or(enterprise, "owner") != command.actor.account)
    return refuse(Errc::forbidden, "only the enterprise's owner applies for it", "enterprise", "enterprise-owner");
  if (!events::bool_or(enterprise, "certified", false))
    return refuse(Errc::refused, "only certified enterprises apply", "enterprise", "enterprise-certified");
  return Status();
}

Status check_within(int64_t value, const json& product, const char* low, const char* high, const std::string& field,
                    const std::string& rule) {
  int64_t min = events::int_or(product, low), max = events::int_or(product, high);
  if (value < min || value > max)
    return refuse(Errc::refused,
                  field + " " + std::to_string(value) + " is outside the product's range " + std::to_string(min) +
                      ".." + std::to_string(max),
                  field, rule);
  return Status();
}

Status check_product(const json& product, const json& institution, const json& enterprise, const Request& r) {
  if (!events::bool_or(product, "exists", false))
    return refuse(Errc::refused, "product " + r.product + " does not exist", "product", "product-exists");
  if (events::string_or(product, "status") != "enabled")
    return refuse(Errc::refused, "the product is not enabled", "product", "product-enabled");
  if (events::string_or(institution, "status") != "active")
    return refuse(Errc::refused, "the product's institution is not active", "product", "institution-active");
  XYD_RETURN_IF_ERROR(
      check_within(r.amount, product, "amount_min", "amount_max", "amount", "amount-within-product-range"));
  XYD_RETURN_IF_ERROR(check_within(r.term_months, product, "term_min_months", "term_max_months", "term_months",
                                   "term-within-product-range"));
  const std::string region = events::string_or(enterprise, "region");
  if (!serves_region(events::array_or_empty(product, "service_regions"), region))
    return refuse(Errc::refused, "the product does not serve the enterprise's region " + region, "region",
                  "region-served");
  return Status();
}

// Least-loaded enabled manager: fewest open_orders, ties by account id; "" when none.
std::string least_loaded_manager(const json& context) {
  std::string best;
  int64_t best_load = 0;
  for (const auto& m : events::array_or_empty(context, "managers")) {
    if (!m.is_object() || !events::bool_or(m, "enabled", false)) continue;
    const std::string account = events::string_or(m, "account");
    const int64_t load = events::int_or(m, "open_orders");
    if (account.empty()) continue;
    if (best.empty() || load < best_load || (load == best_load && account < best)) {
      best = account;
      best_load = load;
    }
  }
  return best;
}

json screening_runs(const ScreeningOutcome& outcome) {
  json runs = json::array();
  for (const auto& run : outcome.runs)
    runs.push_back({{"rule_id", run.rule_id},
                    {"label", run.label},
                    {"hit", run.result},
                    {"verdict_on_hit", run.verdict},
                    {"data_sources", run.data_sources}});
  return runs;
}

json submitted_data(const Request& r, const json& enterprise, const json& product, const json& institution) {
  json data = {{"enterprise", r.enterprise},
               {"enterprise_name", events::string_or(enterprise, "name")},
               {"owner", events::string_or(enterprise, "owner")},
               {"product", r.product},
               {"product_type", events::string_or(product, "product_type")},
               {"institution", events::string_or(product, "institution")},
               {"institution_type", events::string_or(institution, "type")},
               {"amount", r.amount},
               {"term_months", r.term_months},
               {"purpose", r.purpose},
               {"region", events::string_or(enterprise, "region")},
               {"industry", events::string_or(enterprise, "industry")},
               {"channel", r.channel}};
  if (r.demand) data["demand"] = *r.demand;
  return data;
}

}  // namespace

Decision submit(const AggregateState&, const Command& command) {
  XYD_ASSIGN_OR_RETURN(Request r, read_request(command.body));
  XYD_ASSIGN_OR_RETURN(json enterprise, context_object(command.context, "enterprise"));
  XYD_ASSIGN_OR_RETURN(json product, context_object(command.context, "product"));
  XYD_ASSIGN_OR_RETURN(json institution, context_object(command.context, "institution"));
  XYD_ASSIGN_OR_RETURN(json rule_set, context_object(command.context, "screening"));
  XYD_RETURN_IF_ERROR(check_enterprise(enterprise, command));
  XYD_RETURN_IF_ERROR(check_product(product, institution, enterprise, r));
  json facts = {{"application", {{"amount", r.amount}, {"term_months", r.term_months}, {"channel", r.channel}}},
                {"enterprise", enterprise},
                {"product", product}};
  XYD_ASSIGN_OR_RETURN(ScreeningOutcome screening, evaluate_screening(rule_set, facts));
  std::vector<NewEvent> events = {
      {events::application::kApplicationSubmitted, submitted_data(r, enterprise, product, institution)},
      {events::application::kRiskScreened,
       {{"rule_set_version", screening.version},
        {"rules", screening_runs(screening)},
        {"verdict", screening.verdict}}}};
  if (screening.verdict == "reject") {
    std::string hits;
    for (const auto& run : screening.runs)
      if (run.result && run.verdict == "reject") hits += (hits.empty() ? "" : ", ") + run.rule_id;
    events.push_back({events::application::kApplicationTerminated,
                      {{"reason", "risk screening rejected: " + hits}, {"by", "system"}}});
    return events;
  }
  const std::string manager = least_loaded_manager(command.context);
  if (!manager.empty())
    events.push_back(
        {events::application::kManagerAssigned, {{"manager", manager}, {"how", "auto"}, {"by", "system"}}});
  return events;
}

}  // namespace xyd::domain::application

#include "events/catalog.h"

#include <cctype>

namespace xyd::events {
namespace {

std::string snake_case(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (!out.empty()) out.push_back('_');
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Each event of DOMAIN.md: aggregate, name, required data fields. Amounts are integer fen, rates
// integer basis points, dates "YYYY-MM-DD", instants RFC 3339.
struct Declaration {
  const char* aggregate;
  const char* name;
  std::vector<std::string> required;
};

const std::vector<Declaration>& declarations() {
  static const std::vector<Declaration> all = {
      // Account
      {"account", "AccountRegistered", {"kind", "phone", "region"}},
      {"account", "AccountApproved", {"by"}},
      {"account", "AccountRejected", {"by", "reason"}},
      {"account", "AccountEnabled", {"by"}},
      {"account", "AccountDisabled", {"by"}},
      {"account", "PasswordChanged", {}},
      {"account", "LoggedIn", {"client_address"}},
      {"account", "LoginFailed", {"client_address", "reason"}},
      // Enterprise
      {"enterprise",
       "EnterpriseRegistered",
       {"uscc", "name", "legal_representative", "region", "industry", "registered_capital", "scale", "founded_on"}},
      {"enterprise", "CertificationSubmitted", {"method", "agreement_version", "agreement_read_seconds"}},
      {"enterprise", "CertificationRuleEvaluated", {"rule_id", "result", "data_sources"}},
      {"enterprise", "EnterpriseCertified", {"method"}},
      {"enterprise", "CertificationRejected", {"reasons"}},
      {"enterprise", "EnterpriseProfileChanged", {"field", "before", "after", "source"}},
      {"enterprise", "EnterpriseWhitelisted", {"by"}},
      {"enterprise", "EnterpriseDelisted", {"by", "reason"}},
      {"enterprise", "RiskSignalRecorded", {"signal_type", "severity", "source", "observed_at"}},
      {"enterprise", "EnterpriseFollowed", {"account"}},
      {"enterprise", "EnterpriseUnfollowed", {"account"}},
      {"enterprise", "CreditScoreAssessed", {"score", "grade", "model_version"}},
      // Institution
      {"institution", "InstitutionOnboarded", {"type", "full_name", "short_name", "region"}},
      {"institution", "InstitutionUpdated", {"changes"}},
      {"institution", "InstitutionSuspended", {"reason"}},
      {"institution", "InstitutionResumed", {}},
      {"institution", "InstitutionRemoved", {}},
      {"institution", "ManagerAdded", {"manager"}},
      {"institution", "ManagerRemoved", {"manager"}},
      {"institution", "ManagerEnabled", {"manager"}},
      {"institution", "ManagerDisabled", {"manager"}},
      // Product
      {"product",
       "ProductPublished",
       {"institution", "name", "product_type", "amount_min", "amount_max", "rate_min_bp", "rate_max_bp",
        "term_min_months", "term_max_months", "service_regions", "featured", "admission_rules", "docking_mode"}},
      {"product", "ProductUpdated", {"changes"}},
      {"product", "ProductDisabled", {}},
      {"product", "ProductEnabled", {}},
      {"product", "ProductWithdrawn", {}},
      // Demand
      {"demand", "DemandPublished", {"enterprise", "amount", "term_months", "region", "product_type", "purpose"}},
      {"demand", "DemandClaimed", {"manager"}},
      {"demand", "DemandAssigned", {"manager", "by"}},
      {"demand", "DemandClosed", {"reason"}},
      // Application / order
      {"application",
       "ApplicationSubmitted",
       {"enterprise", "product", "institution", "amount", "term_months", "purpose", "region", "industry", "channel"}},
      {"application", "RiskScreened", {"rule_set_version", "rules", "verdict"}},
      {"application", "ManagerAssigned", {"manager", "how"}},
      {"application", "ManagerReassigned", {"from", "to", "by"}},
      {"application", "ApplicationAccepted", {"manager", "comment", "intended_amount"}},
      {"application", "ApplicationTerminated", {"reason", "by"}},
      {"application", "ApplicationWithdrawn", {"by"}},
      {"application",
       "CreditGranted",
       {"credit_number", "amount", "rate_bp", "term_months", "valid_until", "granted_at"}},
      {"application", "CreditDeclined", {"reason"}},
      {"application",
       "LoanDisbursed",
       {"loan_number", "amount", "rate_bp", "disbursed_at", "maturity", "repayment_method"}},
      {"application",
       "RepaymentReceived",
       {"loan_number", "installment", "principal", "interest", "penalty", "paid_at"}},
      {"application", "LoanOverdue", {"loan_number", "days_past_due", "overdue_principal", "as_of"}},
      {"application", "LoanWrittenOff", {"loan_number", "amount", "as_of"}},
      {"application", "LoanSettled", {"loan_number", "settled_at"}},
  };
  return all;
}

}  // namespace

const EventCatalog& EventCatalog::standard() {
  static const EventCatalog catalog = [] {
    EventCatalog c;
    for (const auto& d : declarations()) {
      std::string event = snake_case(d.name);
      // Drop the aggregate's own name where it leads ("AccountRegistered" -> "registered").
      std::string prefix = std::string(d.aggregate) + "_";
      if (event.starts_with(prefix)) event = event.substr(prefix.size());
      c.add(EventType{d.aggregate, d.name, "xyd." + std::string(d.aggregate) + "." + event, 1, d.required});
    }
    return c;
  }();
  return catalog;
}

void EventCatalog::add(EventType type) {
  types_.push_back(std::move(type));
}

const EventType* EventCatalog::by_name(std::string_view name) const {
  for (const auto& t : types_)
    if (t.name == name) return &t;
  return nullptr;
}

const EventType* EventCatalog::by_type(std::string_view type, int32_t* schema_version) const {
  auto dot = type.rfind(".v");
  if (dot == std::string_view::npos || dot + 2 >= type.size()) return nullptr;
  int32_t version = 0;
  for (char c : type.substr(dot + 2)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || version > 100000) return nullptr;
    version = version * 10 + (c - '0');
  }
  auto base = type.substr(0, dot);
  for (const auto& t : types_) {
    if (t.base != base) continue;
    if (schema_version) *schema_version = version;
    return &t;
  }
  return nullptr;
}

Status EventCatalog::add_version(std::string_view name, std::vector<std::string> required, Upcaster from_previous) {
  for (auto& t : types_) {
    if (t.name != name) continue;
    upcasters_[t.base][t.version] = std::move(from_previous);
    ++t.version;
    t.required = std::move(required);
    return Status();
  }
  return make_error(Errc::not_found, "no event type named " + std::string(name), "name", "declared-in-catalog");
}

Status EventCatalog::validate(const Envelope& e) const {
  int32_t version = 0;
  const EventType* t = by_type(e.type, &version);
  if (!t)
    return make_error(Errc::invalid_argument, "unknown event type '" + e.type + "'", "type", "declared-in-catalog");
  if (t->aggregate != e.aggregate_type)
    return make_error(Errc::invalid_argument,
                      "event type " + e.type + " belongs to aggregate " + t->aggregate + ", not " + e.aggregate_type,
                      "aggregatetype", "matches-type");
  if (version != e.schema_version || version < 1 || version > t->version)
    return make_error(Errc::invalid_argument,
                      "schemaversion " + std::to_string(e.schema_version) + " does not match type " + e.type +
                          " (current version " + std::to_string(t->version) + ")",
                      "schemaversion", "matches-type");
  if (version == t->version)
    for (const auto& field : t->required)
      if (!e.data.contains(field))
        return make_error(Errc::invalid_argument, t->name + " requires data." + field, "data." + field, "required");
  return Status();
}

Result<Envelope> EventCatalog::upcast(Envelope e) const {
  XYD_RETURN_IF_ERROR(validate(e));
  const EventType* t = by_type(e.type);
  auto chain = upcasters_.find(t->base);
  while (e.schema_version < t->version) {
    if (chain == upcasters_.end() || !chain->second.contains(e.schema_version))
      return make_error(Errc::fatal, "no upcaster from " + e.type, "schemaversion", "upcaster-registered");
    XYD_RETURN_IF_ERROR(chain->second.at(e.schema_version)(e.data));
    ++e.schema_version;
    e.type = t->base + ".v" + std::to_string(e.schema_version);
  }
  XYD_RETURN_IF_ERROR(validate(e));
  return e;
}

}  // namespace xyd::events

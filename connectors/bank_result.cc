#include "connectors/bank_result.h"

#include <algorithm>
#include <map>
#include <vector>

#include "aggregates/fields.h"
#include "events/envelope.h"
#include "events/json_input.h"

namespace xyd::connectors {
namespace {

using domain::refuse;
using nlohmann::json;

enum class Kind { text, integer, date };
// One member of a result type and how it is checked.
struct FieldSpec {
  const char* name;
  Kind kind;
  bool optional = false;
};
// A result type: its command, members, business date and amount.
struct TypeSpec {
  const char* command;
  std::vector<FieldSpec> fields;
  const char* date_field;
  const char* amount_field;
};

const std::map<std::string, TypeSpec>& types() {
  static const std::map<std::string, TypeSpec> specs = {
      {"credit_granted",
       {"GrantCredit",
        {{"credit_number", Kind::text},
         {"amount", Kind::integer},
         {"rate_bp", Kind::integer},
         {"term_months", Kind::integer},
         {"granted_at", Kind::date},
         {"valid_until", Kind::date}},
        "granted_at",
        "amount"}},
      {"credit_declined",
       {"DeclineCredit", {{"reason", Kind::text}, {"declined_at", Kind::date, true}}, "declined_at", ""}},
      {"loan_disbursed",
       {"DisburseLoan",
        {{"loan_number", Kind::text},
         {"amount", Kind::integer},
         {"rate_bp", Kind::integer},
         {"disbursed_at", Kind::date},
         {"maturity", Kind::date},
         {"repayment_method", Kind::text}},
        "disbursed_at",
        "amount"}},
      {"repayment_received",
       {"ReceiveRepayment",
        {{"loan_number", Kind::text},
         {"installment", Kind::integer},
         {"principal", Kind::integer},
         {"interest", Kind::integer},
         {"penalty", Kind::integer},
         {"paid_at", Kind::date}},
        "paid_at",
        "principal"}},
      {"loan_overdue",
       {"MarkOverdue",
        {{"loan_number", Kind::text},
         {"days_past_due", Kind::integer},
         {"overdue_principal", Kind::integer},
         {"as_of", Kind::date}},
        "as_of",
        "overdue_principal"}},
      {"loan_written_off",
       {"WriteOffLoan",
        {{"loan_number", Kind::text}, {"amount", Kind::integer}, {"as_of", Kind::date}},
        "as_of",
        "amount"}},
  };
  return specs;
}

const std::vector<std::string> kEnvelopeFields = {"schema", "serial", "institution", "application", "type"};

bool printable_id(const std::string& text, size_t max) {
  if (text.empty() || text.size() > max) return false;
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) return false;
  return true;
}

// The member `name` of an object, or nullptr when it is absent or null.
const json* member(const json& body, const std::string& name) {
  auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

Status check_field(const json& body, const FieldSpec& spec) {
  if (spec.optional && !member(body, spec.name)) return Status();
  switch (spec.kind) {
    case Kind::text:
      return domain::as_status(domain::required_string(body, spec.name));
    case Kind::integer:
      return domain::as_status(domain::required_int(body, spec.name));
    case Kind::date:
      return domain::as_status(domain::required_date(body, spec.name));
  }
  return Status();
}

}  // namespace

std::string inbound_topic(const std::string& institution) {
  return "xyd.in." + institution;
}

std::string institution_of_topic(std::string_view topic) {
  constexpr std::string_view prefix = "xyd.in.";
  return topic.starts_with(prefix) ? std::string(topic.substr(prefix.size())) : std::string();
}

std::string command_name(const std::string& type) {
  auto found = types().find(type);
  return found == types().end() ? std::string() : found->second.command;
}

Result<BankResult> parse_bank_result(std::string_view bytes, const std::string& channel_institution) {
  auto parsed = events::parse_json(bytes, events::kInputLimits, "body");
  if (!parsed.ok()) return parsed.error();
  const json& body = *parsed;
  if (!body.is_object()) return refuse(Errc::invalid_argument, "a bank result is one JSON object", "body", "json");
  auto schema = domain::optional_string(body, "schema");
  if (!schema.ok() || *schema != std::string(kBankResultSchema))
    return refuse(Errc::invalid_argument, "schema must be \"" + std::string(kBankResultSchema) + "\"", "schema",
                  "schema");
  BankResult result;
  XYD_ASSIGN_OR_RETURN(result.serial, domain::required_string(body, "serial"));
  if (!printable_id(result.serial, 128))
    return refuse(Errc::invalid_argument, "serial is 1 to 128 printable ASCII characters without spaces", "serial",
                  "serial-format");
  XYD_ASSIGN_OR_RETURN(result.institution, domain::required_string(body, "institution"));
  if (result.institution != channel_institution)
    return refuse(Errc::invalid_argument,
                  "institution " + result.institution + " reported on the channel of " + channel_institution,
                  "institution", "institution-matches-channel");
  XYD_ASSIGN_OR_RETURN(result.application, domain::required_string(body, "application"));
  if (!printable_id(result.application, 128))
    return refuse(Errc::invalid_argument, "application is an order id", "application", "application-format");
  XYD_ASSIGN_OR_RETURN(result.type, domain::required_string(body, "type"));
  auto spec = types().find(result.type);
  if (spec == types().end())
    return refuse(Errc::invalid_argument, "unknown result type " + result.type, "type", "result-type");
  for (const auto& field : spec->second.fields) {
    XYD_RETURN_IF_ERROR(check_field(body, field));
    if (const json* value = member(body, field.name)) result.fields[field.name] = *value;
  }
  for (const auto& [name, value] : body.items()) {
    bool known = std::find(kEnvelopeFields.begin(), kEnvelopeFields.end(), name) != kEnvelopeFields.end();
    for (const auto& field : spec->second.fields) known = known || name == field.name;
    if (!known)
      return refuse(Errc::invalid_argument, "a " + result.type + " result has no field " + name, name, "known-field");
  }
  return result;
}

domain::Command to_command(const BankResult& result) {
  domain::Command command;
  command.id = "bank:" + result.institution + ":" + result.serial;
  command.name = command_name(result.type);
  command.aggregate_type = "application";
  command.aggregate_id = result.application;
  command.actor = events::Actor{"connector:" + result.institution, "bank_connector", result.institution, ""};
  command.correlation_id = command.id;
  command.body = result.fields;
  command.body["serial"] = result.serial;
  command.body_hash = events::sha256_hex(command.body.dump());
  return command;
}

std::string business_date(const std::string& type, const json& fields) {
  auto spec = types().find(type);
  if (spec == types().end() || !fields.is_object()) return "";
  auto date = domain::optional_string(fields, spec->second.date_field);
  return date.ok() && *date && domain::is_date(**date) ? **date : "";
}

int64_t result_amount(const std::string& type, const json& fields) {
  auto spec = types().find(type);
  if (spec == types().end() || !fields.is_object() || !*spec->second.amount_field) return 0;
  auto amount = domain::required_int(fields, spec->second.amount_field);
  return amount.ok() ? *amount : 0;
}

}  // namespace xyd::connectors

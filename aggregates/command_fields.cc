#include "aggregates/command_fields.h"

#include <unordered_map>

namespace xyd::domain {
namespace {

constexpr size_t kTextBytes = 256, kLongTextBytes = 4096, kMaxListItems = 512;
constexpr int64_t kMaxCount = 1'000'000'000;

const char* type_name(FieldType type) {
  switch (type) {
    case FieldType::text:
      return "a string of at most 256 bytes";
    case FieldType::long_text:
      return "a string of at most 4096 bytes";
    case FieldType::amount:
      return "an integer number of fen from 0 to 100000000000000";
    case FieldType::count:
      return "an integer from 0 to 1000000000";
    case FieldType::boolean:
      return "true or false";
    case FieldType::string_list:
      return "a list of at most 512 strings of at most 256 bytes";
    case FieldType::object:
      return "a JSON object";
    case FieldType::scalar:
      return "a string, a number, true, false or null";
  }
  return "?";
}

Error wrong(const std::string& field, FieldType type, const std::string& rule) {
  return make_error(Errc::invalid_argument, field + " must be " + type_name(type), field, rule);
}

bool integer_within(const nlohmann::json& value, int64_t max) {
  if (value.is_number_unsigned()) return value.get_ref<const nlohmann::json::number_unsigned_t&>() <= uint64_t(max);
  if (value.is_number_integer()) {
    const int64_t n = value.get_ref<const nlohmann::json::number_integer_t&>();
    return n >= 0 && n <= max;
  }
  return false;
}

bool text_within(const nlohmann::json& value, size_t max) {
  return value.is_string() && value.get_ref<const std::string&>().size() <= max;
}

Status check_field(const std::string& field, FieldType type, const nlohmann::json& value) {
  switch (type) {
    case FieldType::text:
      if (!value.is_string()) return wrong(field, type, "string");
      if (!text_within(value, kTextBytes)) return wrong(field, type, "max-length");
      return Status();
    case FieldType::long_text:
      if (!value.is_string()) return wrong(field, type, "string");
      if (!text_within(value, kLongTextBytes)) return wrong(field, type, "max-length");
      return Status();
    case FieldType::amount:
    case FieldType::count:
      if (!value.is_number_integer()) return wrong(field, type, "integer");
      if (!integer_within(value, type == FieldType::amount ? kMaxAmountFen : kMaxCount))
        return wrong(field, type, "range");
      return Status();
    case FieldType::boolean:
      return value.is_boolean() ? Status() : wrong(field, type, "boolean");
    case FieldType::string_list:
      if (!value.is_array()) return wrong(field, type, "string-list");
      if (value.size() > kMaxListItems) return wrong(field, type, "max-items");
      for (const auto& item : value)
        if (!text_within(item, kTextBytes)) return wrong(field, type, "string-list");
      return Status();
    case FieldType::object:
      return value.is_object() ? Status() : wrong(field, type, "object");
    case FieldType::scalar:
      if (value.is_string() && !text_within(value, kTextBytes)) return wrong(field, type, "max-length");
      return value.is_primitive() && !value.is_binary() ? Status() : wrong(field, type, "scalar");
  }
  return Status();
}

// Commands whose bodies carry facts a rule set reads by name.
bool open_body(const std::string& command_name) {
  return command_name == "SubmitCertification";
}

}  // namespace

const std::vector<FieldSpec>& command_fields() {
  using T = FieldType;
  static const std::vector<FieldSpec> fields = {
      // who and where
      {"phone", T::text},
      {"kind", T::text},
      {"region", T::text},
      {"institution", T::text},
      {"name", T::text},
      {"owner", T::text},
      {"manager", T::text},
      {"to", T::text},
      {"enterprise", T::text},
      {"product", T::text},
      {"demand", T::text},
      {"application", T::text},
      {"parent", T::text},
      {"client_address", T::text},
      {"session", T::text},
      {"method", T::text},
      {"type", T::text},
      {"full_name", T::text},
      {"short_name", T::text},
      // enterprises
      {"uscc", T::text},
      {"legal_representative", T::text},
      {"industry", T::text},
      {"registered_capital", T::amount},
      {"scale", T::text},
      {"founded_on", T::text},
      {"field", T::text},
      {"source", T::text},
      {"before", T::scalar},
      {"after", T::scalar},
      {"signal_type", T::text},
      {"severity", T::text},
      {"observed_at", T::text},
      {"score", T::count},
      {"grade", T::text},
      {"model_version", T::text},
      {"agreement_version", T::text},
      {"agreement_read_seconds", T::count},
      {"decision", T::text},
      {"reasons", T::string_list},
      {"attachments", T::object},
      // products and demands
      {"product_type", T::text},
      {"amount_min", T::amount},
      {"amount_max", T::amount},
      {"rate_min_bp", T::count},
      {"rate_max_bp", T::count},
      {"term_min_months", T::count},
      {"term_max_months", T::count},
      {"service_regions", T::string_list},
      {"featured", T::boolean},
      {"admission_rules", T::object},
      {"docking_mode", T::text},
      {"link", T::long_text},
      {"changes", T::object},
      {"purpose", T::long_text},
      {"channel", T::text},
      // the lifecycle and its money
      {"amount", T::amount},
      {"intended_amount", T::amount},
      {"installment", T::amount},
      {"principal", T::amount},
      {"interest", T::amount},
      {"penalty", T::amount},
      {"overdue_principal", T::amount},
      {"rate_bp", T::count},
      {"term_months", T::count},
      {"days_past_due", T::count},
      {"credit_number", T::text},
      {"loan_number", T::text},
      {"serial", T::text},
      {"granted_at", T::text},
      {"valid_until", T::text},
      {"declined_at", T::text},
      {"disbursed_at", T::text},
      {"maturity", T::text},
      {"repayment_method", T::text},
      {"paid_at", T::text},
      {"as_of", T::text},
      // free text
      {"reason", T::long_text},
      {"comment", T::long_text},
      {"note", T::long_text},
      {"description", T::long_text},
  };
  return fields;
}

Status check_command_body(const std::string& command_name, const nlohmann::json& body) {
  if (!body.is_object())
    return make_error(Errc::invalid_argument, "the command's body must be a JSON object", "body", "object");
  // Every command of every request passes here: the dictionary is indexed once, by name.
  static const std::unordered_map<std::string_view, FieldType> by_name = [] {
    std::unordered_map<std::string_view, FieldType> index;
    for (const auto& f : command_fields()) index.emplace(f.name, f.type);
    return index;
  }();
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& name = it.key();
    const nlohmann::json& value = *it;
    if (auto spec = by_name.find(name); spec != by_name.end()) {
      XYD_RETURN_IF_ERROR(check_field(name, spec->second, value));
    } else if (open_body(command_name) && name.size() <= 64) {
      XYD_RETURN_IF_ERROR(check_field(name, FieldType::scalar, value));
    } else if (name.size() > 64) {
      return make_error(Errc::invalid_argument, "the body has a field name longer than 64 bytes", "body",
                        "known-field");
    } else {
      return make_error(Errc::invalid_argument, name + " is not a field of " + command_name, name, "known-field");
    }
  }
  return Status();
}

}  // namespace xyd::domain

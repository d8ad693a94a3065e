#include "events/schema/field.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace xyd::events {
namespace {

bool digits(std::string_view text, size_t from, size_t count) {
  if (text.size() < from + count) return false;
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(from),
                     text.begin() + static_cast<std::ptrdiff_t>(from + count),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// "YYYY-MM-DD" at the start of `text`.
bool starts_with_date(std::string_view text) {
  return digits(text, 0, 4) && text.size() >= 10 && text[4] == '-' && digits(text, 5, 2) && text[7] == '-' &&
         digits(text, 8, 2);
}

}  // namespace

std::string_view kind_name(FieldKind kind) {
  switch (kind) {
    case FieldKind::text:
      return "text";
    case FieldKind::fen:
      return "fen";
    case FieldKind::basis_points:
      return "basis points";
    case FieldKind::count:
      return "whole number";
    case FieldKind::date:
      return "date (YYYY-MM-DD)";
    case FieldKind::instant:
      return "instant (RFC 3339)";
    case FieldKind::flag:
      return "true or false";
    case FieldKind::list:
      return "list";
    case FieldKind::object:
      return "object";
    case FieldKind::any:
      return "any value";
  }
  return "unknown";
}

bool is_kind(const nlohmann::json& value, FieldKind kind) {
  switch (kind) {
    case FieldKind::text:
      return value.is_string();
    case FieldKind::fen:
    case FieldKind::basis_points:
    case FieldKind::count: {  // a whole number that fits in int64
      if (const auto* unsigned_value = value.get_ptr<const nlohmann::json::number_unsigned_t*>())
        return *unsigned_value <= static_cast<uint64_t>(INT64_MAX);
      return value.is_number_integer();
    }
    case FieldKind::date:
      return value.is_string() && value.get_ref<const std::string&>().size() == 10 &&
             starts_with_date(value.get_ref<const std::string&>());
    case FieldKind::instant: {
      if (!value.is_string()) return false;
      const auto& text = value.get_ref<const std::string&>();
      return text.size() > 10 && starts_with_date(text) && text[10] == 'T';
    }
    case FieldKind::flag:
      return value.is_boolean();
    case FieldKind::list:
      return value.is_array();
    case FieldKind::object:
      return value.is_object();
    case FieldKind::any:
      return true;
  }
  return false;
}

Status check_data(const std::string& event, const std::vector<FieldSpec>& fields, const nlohmann::json& data) {
  if (!data.is_object()) return make_error(Errc::invalid_argument, event + " data must be an object", "data", "object");
  for (const auto& field : fields) {
    const std::string& name = field.name;
    auto found = data.find(name);
    if (found == data.end()) {
      if (field.required)
        return make_error(Errc::invalid_argument, event + " requires data." + name, "data." + name, "required");
      continue;
    }
    if (!is_kind(*found, field.kind))
      return make_error(Errc::invalid_argument,
                        event + " data." + name + " must be " + std::string(kind_name(field.kind)), "data." + name,
                        "kind");
  }
  for (const auto& item : data.items()) {
    const std::string& name = item.key();
    const bool declared =
        std::any_of(fields.begin(), fields.end(), [&name](const FieldSpec& f) { return f.name == name; });
    if (!declared)
      return make_error(Errc::invalid_argument, event + " does not declare data." + name, "data." + name, "declared");
  }
  return Status();
}

}  // namespace xyd::events

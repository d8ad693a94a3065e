#include "aggregates/fields.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "events/numbers.h"

namespace xyd::domain {
namespace {

Error malformed(const std::string& field, const std::string& what, const std::string& rule) {
  return refuse(Errc::invalid_argument, field + " " + what, field, rule);
}

bool digits(const std::string& s, size_t from, size_t count) {
  if (s.size() < from + count) return false;
  for (size_t i = from; i < from + count; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// The digits at [from, from + count), which digits() has checked.
int number(const std::string& s, size_t from, size_t count) {
  return static_cast<int>(whole_number(std::string_view(s).substr(from, count), 0, 99999999).value_or(0));
}

bool is_time_suffix(const std::string& s) {
  // "THH:MM:SS" then optional fraction, then Z or an offset.
  if (s.size() < 10 || (s[0] != 'T' && s[0] != 't') || !digits(s, 1, 2) || s[3] != ':' || !digits(s, 4, 2) ||
      s[6] != ':' || !digits(s, 7, 2))
    return false;
  if (number(s, 1, 2) > 23 || number(s, 4, 2) > 59 || number(s, 7, 2) > 60) return false;
  size_t i = 9;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  std::string zone = s.substr(i);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(zone, 1, 2) && zone[3] == ':' &&
         digits(zone, 4, 2);
}

}  // namespace

bool is_date(const std::string& text) {
  static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (text.size() != 10 || !digits(text, 0, 4) || text[4] != '-' || !digits(text, 5, 2) || text[7] != '-' ||
      !digits(text, 8, 2))
    return false;
  int year = number(text, 0, 4), month = number(text, 5, 2), day = number(text, 8, 2);
  if (year < 1800 || month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= days[month - 1] + (month == 2 && leap ? 1 : 0);
}

Result<std::string> required_string(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
    return malformed(field, "is required (a string)", "required");
  return it->get<std::string>();
}

Result<std::optional<std::string>> optional_string(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return malformed(field, "must be a string", "string");
  return std::optional<std::string>(it->get<std::string>());
}

Result<int64_t> required_int(const nlohmann::json& body, const std::string& field, int64_t min, int64_t max) {
  auto it = body.find(field);
  if (it == body.end()) return malformed(field, "is required (an integer)", "required");
  if (!it->is_number_integer())
    return malformed(field, "must be an integer (amounts in fen, rates in basis points)", "integer");
  if (it->is_number_unsigned() &&
      it->get_ref<const nlohmann::json::number_unsigned_t&>() > static_cast<uint64_t>(INT64_MAX))
    return malformed(field, "must be between " + std::to_string(min) + " and " + std::to_string(max), "range");
  const int64_t value = it->is_number_unsigned()
                            ? static_cast<int64_t>(it->get_ref<const nlohmann::json::number_unsigned_t&>())
                            : it->get_ref<const nlohmann::json::number_integer_t&>();
  if (value < min || value > max)
    return malformed(
        field,
        "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", not " + std::to_string(value),
        "range");
  return value;
}

Result<bool> required_bool(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_boolean()) return malformed(field, "is required (true or false)", "boolean");
  return it->get<bool>();
}

Result<bool> optional_bool(const nlohmann::json& body, const std::string& field, bool fallback) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return fallback;
  return required_bool(body, field);
}

Result<std::string> required_date(const nlohmann::json& body, const std::string& field) {
  XYD_ASSIGN_OR_RETURN(std::string text, required_string(body, field));
  if (!is_date(text)) return malformed(field, "must be a date YYYY-MM-DD, not '" + text + "'", "date");
  return text;
}

Result<std::string> required_date_or_instant(const nlohmann::json& body, const std::string& field) {
  XYD_ASSIGN_OR_RETURN(std::string text, required_string(body, field));
  if (is_date(text) || (text.size() > 10 && is_date(text.substr(0, 10)) && is_time_suffix(text.substr(10))))
    return text;
  return malformed(field, "must be an RFC 3339 instant or a date YYYY-MM-DD, not '" + text + "'", "rfc3339");
}

Result<std::string> required_one_of(const nlohmann::json& body, const std::string& field,
                                    const std::vector<std::string>& allowed, const std::string& rule) {
  XYD_ASSIGN_OR_RETURN(std::string value, required_string(body, field));
  if (std::find(allowed.begin(), allowed.end(), value) != allowed.end()) return value;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return malformed(field, "'" + value + "' is not one of " + list, rule);
}

Result<std::vector<std::string>> required_string_list(const nlohmann::json& body, const std::string& field,
                                                      size_t min_items) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_array()) return malformed(field, "is required (a list of strings)", "required");
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string() || item.get<std::string>().empty())
      return malformed(field, "must hold non-empty strings only", "string-list");
    out.push_back(item.get<std::string>());
  }
  if (out.size() < min_items)
    return malformed(field, "needs at least " + std::to_string(min_items) + " item(s)", "non-empty");
  return out;
}

Result<nlohmann::json> required_object(const nlohmann::json& body, const std::string& field) {
  auto it = body.find(field);
  if (it == body.end() || !it->is_object()) return malformed(field, "is required (an object)", "object");
  return *it;
}

Result<nlohmann::json> context_object(const nlohmann::json& context, const std::string& name) {
  auto it = context.find(name);
  if (it == context.end() || !it->is_object())
    return refuse(Errc::invalid_argument, "the server did not fill in context." + name, "context." + name,
                  "context-fact");
  return *it;
}

}  // namespace xyd::domain

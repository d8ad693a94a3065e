#include "aggregates/identifiers.h"

#include <array>
#include <cctype>

#include "events/numbers.h"

namespace xyd::domain {
namespace {

Error bad(const std::string& field, const std::string& message, const char* rule) {
  return make_error(Errc::invalid_argument, field + ": " + message, field, rule);
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

bool is_leap(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

bool real_date(int year, int month, int day) {
  static constexpr std::array<int, 12> days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1800 || month < 1 || month > 12 || day < 1) return false;
  int limit = days[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
  return day <= limit;
}

}  // namespace

Status check_uscc(std::string_view code, const std::string& field) {
  static constexpr std::string_view alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr std::array<int, 17> weights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  if (code.size() != 18) return bad(field, "a unified social credit code has 18 characters", "gb32100-length");
  int sum = 0;
  for (size_t i = 0; i < 18; ++i) {
    auto value = alphabet.find(code[i]);
    if (value == std::string_view::npos)
      return bad(field,
                 "character " + std::to_string(i + 1) + " ('" + std::string(1, code[i]) +
                     "') is not in the code's alphabet 0-9 A-Y without I O S V Z",
                 "gb32100-alphabet");
    if (i < 17) sum += static_cast<int>(value) * weights[i];
  }
  if (!all_digits(code.substr(2, 6)))
    return bad(field, "characters 3-8 must be the registering authority's six-digit region code", "gb32100-region");
  char expected = alphabet[(31 - sum % 31) % 31];
  if (code[17] != expected)
    return bad(field, "the check character should be '" + std::string(1, expected) + "': the code is mistyped",
               "gb32100-check-character");
  return Status();
}

Status check_resident_id(std::string_view id, const std::string& field) {
  static constexpr std::array<int, 17> weights = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr std::string_view checks = "10X98765432";
  if (id.size() != 18) return bad(field, "a resident identity number has 18 characters", "gb11643-length");
  if (!all_digits(id.substr(0, 17))) return bad(field, "the first 17 characters must be digits", "gb11643-digits");
  const auto part = [id](size_t from, size_t count) {  // digits, checked above
    return static_cast<int>(whole_number(id.substr(from, count), 0, 9999).value_or(0));
  };
  const int year = part(6, 4), month = part(10, 2), day = part(12, 2);
  if (!real_date(year, month, day))
    return bad(field, "characters 7-14 must be a real birth date (YYYYMMDD)", "gb11643-birth-date");
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += (id[i] - '0') * weights[i];
  char expected = checks[sum % 11];
  char given = static_cast<char>(std::toupper(static_cast<unsigned char>(id[17])));
  if (given != expected)
    return bad(field, "the check digit should be '" + std::string(1, expected) + "': the number is mistyped",
               "gb11643-check-digit");
  return Status();
}

Status check_mobile(std::string_view phone, const std::string& field) {
  if (phone.size() != 11 || !all_digits(phone) || phone[0] != '1' || phone[1] < '3')
    return bad(field, "a mainland mobile number has 11 digits and starts with 13-19", "mainland-mobile");
  return Status();
}

Status check_region_format(std::string_view code, const std::string& field) {
  if (code.size() != 6 || !all_digits(code))
    return bad(field, "a region is a six-digit GB/T 2260 code, such as 440300", "gb2260-format");
  return Status();
}

Status check_industry_section(std::string_view section, const std::string& field) {
  if (section.size() != 1 || section[0] < 'A' || section[0] > 'T')
    return bad(field, "an industry is a GB/T 4754-2017 section letter A-T", "gb4754-section");
  return Status();
}

}  // namespace xyd::domain

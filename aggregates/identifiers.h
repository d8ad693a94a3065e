// Checks of the identifiers the platform takes as input (shared/DOMAIN.md, "Identifier checks"):
// each returns an invalid_argument naming the field and the rule it broke. Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "events/result.h"

namespace xyd::domain {

// Unified social credit code, GB 32100-2015: 18 characters, check character at the end.
[[nodiscard]] Status check_uscc(std::string_view code, const std::string& field = "uscc");
// Resident identity number, GB 11643-1999: 18 characters, a real birth date, ISO 7064 check.
[[nodiscard]] Status check_resident_id(std::string_view id, const std::string& field = "id_number");
// Mainland mobile number: 11 digits starting with 1 and a second digit 3-9.
[[nodiscard]] Status check_mobile(std::string_view phone, const std::string& field = "phone");
// GB/T 2260 region code format: six digits (existence is checked against the shipped table).
[[nodiscard]] Status check_region_format(std::string_view code, const std::string& field = "region");
// GB/T 4754-2017 industry section: one letter A-T.
[[nodiscard]] Status check_industry_section(std::string_view section, const std::string& field = "industry");

}  // namespace xyd::domain

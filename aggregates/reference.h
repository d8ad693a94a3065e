// Reference data the platform ships, versioned (shared/DOMAIN.md, "Reference data"): GB/T 2260
// regions (every province-, prefecture- and county-level code, with Chinese names), GB/T 4754
// industry sections A-T, the 11 institution types and the product types. Lookups return the
// named error the write side refuses with. Pure, immutable tables; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"

namespace xyd::domain {

// "regions=<source>;industries=GB/T 4754-2017;institution-types=1;product-types=1".
const std::string& reference_version();

enum class RegionLevel { unknown, province, city, county };
const char* region_level_name(RegionLevel level);

struct Region {
  std::string code;  // "440300"
  std::string name;  // "深圳市"
};

bool is_region(std::string_view code);
// The Chinese name, or "" for an unknown code.
std::string region_name(std::string_view code);
// By the code's shape, for a code that exists: "440000" province, "440300" city, "440305" county.
// Municipalities (北京 110000) have their city level at xx0100 (110100 北京市).
RegionLevel level_of(std::string_view code);
// The province ("440000") of any existing code; "" for an unknown code.
std::string province_of(std::string_view code);
// The city-level code ("440300") of a city or county code; "" for a province or unknown code.
std::string city_of(std::string_view code);
// Whether `scope` covers `code` by GB/T 2260 prefix scoping: a province its cities and
// counties, a city its counties, a county only itself.
bool region_scope_covers(std::string_view scope, std::string_view code);

const std::vector<Region>& provinces();
const std::vector<Region>& cities();  // every prefecture-level row, sorted by code
std::vector<Region> cities_of(std::string_view province);
const std::vector<Region>& all_regions();

// invalid_argument naming the field: rule "gb2260-format" (not six digits) or "gb2260-code"
// ("region 999999 is not a GB/T 2260 code").
[[nodiscard]] Status check_region(std::string_view code, const std::string& field = "region");

struct NamedCode {
  std::string id;    // "C", "bank", "credit"
  std::string name;  // "制造业", "银行", "信用类"
};

const std::vector<NamedCode>& industry_sections();  // 20, A-T
const std::vector<NamedCode>& institution_types();  // 11
const std::vector<NamedCode>& product_types();      // 5
std::string industry_name(std::string_view section);
bool is_institution_type(std::string_view id);
bool is_product_type(std::string_view id);

}  // namespace xyd::domain

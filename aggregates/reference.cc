#include "aggregates/reference.h"

#include <algorithm>
#include <cstring>

#include "aggregates/identifiers.h"
#include "aggregates/reference_data.h"

namespace xyd::domain {
namespace {

using reference_data::kRegionCount;
using reference_data::kRegions;
using reference_data::RegionRow;

const RegionRow* find_region(std::string_view code) {
  const RegionRow* end = kRegions + kRegionCount;
  const RegionRow* it =
      std::lower_bound(kRegions, end, code, [](const RegionRow& row, std::string_view c) { return row.code < c; });
  return it != end && it->code == code ? it : nullptr;
}

std::vector<Region> regions_where(bool (*keep)(std::string_view)) {
  std::vector<Region> out;
  for (size_t i = 0; i < kRegionCount; ++i)
    if (keep(kRegions[i].code)) out.push_back({kRegions[i].code, kRegions[i].name});
  return out;
}

bool province_shape(std::string_view code) {
  return code.substr(2) == "0000";
}
bool city_shape(std::string_view code) {
  return !province_shape(code) && code.substr(4) == "00";
}

const NamedCode* find_code(const std::vector<NamedCode>& table, std::string_view id) {
  for (const auto& entry : table)
    if (entry.id == id) return &entry;
  return nullptr;
}

}  // namespace

const std::string& reference_version() {
  static const std::string version = std::string("regions=") + reference_data::kRegionSource +
                                     ";industries=GB/T 4754-2017;institution-types=1;product-types=1";
  return version;
}

const char* region_level_name(RegionLevel level) {
  switch (level) {
    case RegionLevel::province:
      return "province";
    case RegionLevel::city:
      return "city";
    case RegionLevel::county:
      return "county";
    case RegionLevel::unknown:
      return "unknown";
  }
  return "unknown";
}

bool is_region(std::string_view code) {
  return code.size() == 6 && find_region(code) != nullptr;
}

std::string region_name(std::string_view code) {
  const RegionRow* row = code.size() == 6 ? find_region(code) : nullptr;
  return row ? row->name : "";
}

RegionLevel level_of(std::string_view code) {
  if (!is_region(code)) return RegionLevel::unknown;
  if (province_shape(code)) return RegionLevel::province;
  return city_shape(code) ? RegionLevel::city : RegionLevel::county;
}

std::string province_of(std::string_view code) {
  return is_region(code) ? std::string(code.substr(0, 2)) + "0000" : "";
}

std::string city_of(std::string_view code) {
  RegionLevel level = level_of(code);
  if (level != RegionLevel::city && level != RegionLevel::county) return "";
  return std::string(code.substr(0, 4)) + "00";
}

bool region_scope_covers(std::string_view scope, std::string_view code) {
  switch (level_of(scope)) {
    case RegionLevel::province:
      return code.size() == 6 && code.substr(0, 2) == scope.substr(0, 2);
    case RegionLevel::city:
      return code.size() == 6 && code.substr(0, 4) == scope.substr(0, 4);
    case RegionLevel::county:
      return code == scope;
    case RegionLevel::unknown:
      return false;
  }
  return false;
}

const std::vector<Region>& provinces() {
  static const std::vector<Region> list = regions_where(&province_shape);
  return list;
}

const std::vector<Region>& cities() {
  static const std::vector<Region> list = regions_where(&city_shape);
  return list;
}

std::vector<Region> cities_of(std::string_view province) {
  std::vector<Region> out;
  if (level_of(province) != RegionLevel::province) return out;
  for (const auto& city : cities())
    if (city.code.compare(0, 2, province.substr(0, 2)) == 0) out.push_back(city);
  return out;
}

const std::vector<Region>& all_regions() {
  static const std::vector<Region> list = regions_where([](std::string_view) { return true; });
  return list;
}

Status check_region(std::string_view code, const std::string& field) {
  XYD_RETURN_IF_ERROR(check_region_format(code, field));
  if (!is_region(code))
    return make_error(Errc::invalid_argument, field + ": region " + std::string(code) + " is not a GB/T 2260 code",
                      field, "gb2260-code");
  return Status();
}

const std::vector<NamedCode>& industry_sections() {
  static const std::vector<NamedCode> table = {
      {"A", "农、林、牧、渔业"},
      {"B", "采矿业"},
      {"C", "制造业"},
      {"D", "电力、热力、燃气及水生产和供应业"},
      {"E", "建筑业"},
      {"F", "批发和零售业"},
      {"G", "交通运输、仓储和邮政业"},
      {"H", "住宿和餐饮业"},
      {"I", "信息传输、软件和信息技术服务业"},
      {"J", "金融业"},
      {"K", "房地产业"},
      {"L", "租赁和商务服务业"},
      {"M", "科学研究和技术服务业"},
      {"N", "水利、环境和公共设施管理业"},
      {"O", "居民服务、修理和其他服务业"},
      {"P", "教育"},
      {"Q", "卫生和社会工作"},
      {"R", "文化、体育和娱乐业"},
      {"S", "公共管理、社会保障和社会组织"},
      {"T", "国际组织"},
  };
  return table;
}

const std::vector<NamedCode>& institution_types() {
  static const std::vector<NamedCode> table = {
      {"bank", "银行"},
      {"guarantee", "担保公司"},
      {"insurance", "保险公司"},
      {"microcredit", "小额贷款公司"},
      {"financial_leasing", "融资租赁公司"},
      {"factoring", "保理公司"},
      {"venture_capital", "风险投资机构"},
      {"consumer_finance", "消费金融公司"},
      {"asset_management", "资产管理公司"},
      {"trust", "信托公司"},
      {"other", "其他"},
  };
  return table;
}

const std::vector<NamedCode>& product_types() {
  static const std::vector<NamedCode> table = {
      {"credit", "信用类"},    {"collateral", "抵押类"}, {"guarantee", "担保类"},
      {"tax_based", "税金类"}, {"other", "其他"},
  };
  return table;
}

std::string industry_name(std::string_view section) {
  const NamedCode* found = find_code(industry_sections(), section);
  return found ? found->name : "";
}

bool is_institution_type(std::string_view id) {
  return find_code(institution_types(), id) != nullptr;
}
bool is_product_type(std::string_view id) {
  return find_code(product_types(), id) != nullptr;
}

}  // namespace xyd::domain

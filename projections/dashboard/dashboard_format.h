// How the dashboard shows numbers and names: fen as 万元 with two decimals, ratios with four
// decimals (and as basis points), enterprise names masked as on the government screens. Integer
// arithmetic only (no floating point for money). Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xyd::projections::dashboard {

// 1,234,567 fen (12,345.67 yuan) -> "1.23" (万元), rounded half away from zero.
std::string fen_to_wan(int64_t fen);
// numerator / denominator in basis points (1/10000), rounded half up; 0 when denominator <= 0.
int64_t ratio_basis_points(int64_t numerator, int64_t denominator);
// Basis points as a decimal fraction with four decimals: 1234 -> "0.1234".
std::string basis_points_text(int64_t basis_points);
// "深圳市腾讯计算机系统有限公司" -> "深圳市****有限公司": the first 3 and the last 4 characters (UTF-8
// code points) around "****"; names of 7 characters or fewer keep their first character only.
std::string mask_enterprise_name(std::string_view name);

}  // namespace xyd::projections::dashboard

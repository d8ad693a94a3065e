#include "projections/dashboard/dashboard_format.h"

#include <vector>

namespace xyd::projections::dashboard {
namespace {

__extension__ typedef __int128 wide;

std::string two_digits(int64_t n) {
  return n < 10 ? "0" + std::to_string(n) : std::to_string(n);
}

}  // namespace

std::string fen_to_wan(int64_t fen) {
  // 0.01 万元 = 100 yuan = 10,000 fen.
  const bool negative = fen < 0;
  const wide magnitude = negative ? -static_cast<wide>(fen) : static_cast<wide>(fen);
  const wide hundredths = (magnitude + 5000) / 10000;
  const int64_t whole = static_cast<int64_t>(hundredths / 100), cents = static_cast<int64_t>(hundredths % 100);
  return std::string(negative && hundredths != 0 ? "-" : "") + std::to_string(whole) + "." + two_digits(cents);
}

int64_t ratio_basis_points(int64_t numerator, int64_t denominator) {
  if (denominator <= 0) return 0;
  const wide scaled = static_cast<wide>(numerator) * 10000 * 2 + denominator;
  return static_cast<int64_t>(scaled / (static_cast<wide>(denominator) * 2));
}

std::string basis_points_text(int64_t bp) {
  const bool negative = bp < 0;
  const int64_t magnitude = negative ? -bp : bp;
  std::string fraction = std::to_string(magnitude % 10000);
  fraction.insert(0, 4 - fraction.size(), '0');
  return std::string(negative ? "-" : "") + std::to_string(magnitude / 10000) + "." + fraction;
}

std::string mask_enterprise_name(std::string_view name) {
  std::vector<std::string_view> chars;
  for (size_t i = 0; i < name.size();) {
    const unsigned char lead = static_cast<unsigned char>(name[i]);
    size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xe ? 3 : (lead >> 3) == 0x1e ? 4 : 1;
    if (i + length > name.size()) length = name.size() - i;
    chars.push_back(name.substr(i, length));
    i += length;
  }
  std::string out;
  if (chars.empty()) return out;
  if (chars.size() <= 7) {
    out.append(chars.front());
    return out + "****";
  }
  for (size_t i = 0; i < 3; ++i) out.append(chars[i]);
  out += "****";
  for (size_t i = chars.size() - 4; i < chars.size(); ++i) out.append(chars[i]);
  return out;
}

}  // namespace xyd::projections::dashboard

// Checked arithmetic on amounts (fen, int64): every place where amounts add up goes through
// these, so a sum never wraps around into a negative figure. Pure, header-only.
#pragma once

#include <cstdint>
#include <optional>

namespace xyd::events {

// a + b, or nullopt when the sum does not fit in int64.
inline std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

// a - b, or nullopt when the difference does not fit in int64.
inline std::optional<int64_t> checked_sub(int64_t a, int64_t b) {
  int64_t difference = 0;
  if (__builtin_sub_overflow(a, b, &difference)) return std::nullopt;
  return difference;
}

// a + b held at the int64 bounds: only for folding a history whose amounts were checked when
// they were decided (a forged history must not wrap, nor invoke undefined behaviour).
inline int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? INT64_MAX : INT64_MIN;
}

}  // namespace xyd::events

// What every fuzz target shares: FUZZ_CHECK, an invariant that aborts with a message when it does
// not hold (libFuzzer then keeps the input as a crash), and the JSON a target reads. Test only.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(condition, what)                                                           \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

namespace xyd::fuzz {

// The fuzz input as bytes.
inline std::string_view bytes_of(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace xyd::fuzz

#include "tests/support/backend.h"

#include <cstdio>
#include <cstdlib>

namespace xyd::test {

const std::string& backend_under_test() {
  static const std::string backend = [] {
    const char* named = std::getenv("XYD_TEST_BACKEND");
    std::string value = named ? named : "";
    if (value != "embedded" && value != "kafka") {
      std::fprintf(stderr,
                   "XYD_TEST_BACKEND is '%s': set it to embedded or kafka (CTest does; by hand: "
                   "XYD_TEST_BACKEND=embedded build/tests/<program>)\n",
                   value.c_str());
      std::exit(2);
    }
    return value;
  }();
  return backend;
}

bool on_kafka() {
  return backend_under_test() == "kafka";
}

}  // namespace xyd::test

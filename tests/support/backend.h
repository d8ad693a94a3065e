// The log backend a test program runs on, chosen at run time: XYD_TEST_BACKEND in the environment
// ("embedded" or "kafka"), which CTest sets for each registration of a suite (<suite>_embedded,
// <suite>_kafka). Read once; any thread.
#pragma once

#include <string>

namespace xyd::test {

// "embedded" or "kafka". A program started without either stops at once with a message saying how
// to run it (`XYD_TEST_BACKEND=embedded build/tests/<program>`): it never guesses a backend.
const std::string& backend_under_test();
// backend_under_test() == "kafka".
bool on_kafka();

}  // namespace xyd::test

// The one reader of whole numbers from untrusted text: the whole text, digits only, in range.
#include "events/numbers.h"

#include <boost/test/unit_test.hpp>

using namespace xyd;

BOOST_AUTO_TEST_SUITE(numbers)

BOOST_AUTO_TEST_CASE(only_a_whole_number_in_range_is_read) {
  BOOST_TEST(whole_number("10", 1, 100).value() == 10);
  BOOST_TEST(whole_number("0", 0, 0).value() == 0);
  BOOST_TEST(whole_number("-5", -10, 10).value() == -5);
  BOOST_TEST(whole_number("9223372036854775807", 0, INT64_MAX).value() == INT64_MAX);
  for (const char* bad : {"", "10abc", " 10", "10 ", "+10", "1e3", "0x10", "5.5", "-1", "101", "99999999999999999999"})
    BOOST_TEST(!whole_number(bad, 0, 100).has_value(), "'" << bad << "' is not a number from 0 to 100");
}

BOOST_AUTO_TEST_CASE(a_refusal_names_the_field_the_rule_and_the_text) {
  auto refused = read_whole_number("7x", 1, 9, "limit", "--limit");
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.error().field == "limit");
  BOOST_TEST(refused.error().rule == "range");
  BOOST_TEST(refused.error().message == "--limit must be a whole number from 1 to 9, not '7x'");
  BOOST_TEST(read_whole_number("8", 1, 9, "limit", "--limit").value() == 8);
}

BOOST_AUTO_TEST_SUITE_END()

// The one parser of untrusted JSON and the money arithmetic: limits refused as values (never an
// exception, never recursion on hostile depth), lenient reads of stored records, no wrap-around.
#include "events/json_input.h"

#include <boost/test/unit_test.hpp>

#include "events/money.h"

using namespace xyd;
using namespace xyd::events;

BOOST_AUTO_TEST_SUITE(json_input)

BOOST_AUTO_TEST_CASE(nesting_past_the_depth_limit_is_refused_before_parsing) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto parsed = parse_json(deep);
  BOOST_REQUIRE(!parsed.ok());
  BOOST_CHECK_EQUAL(parsed.error().rule, "max-depth");
  BOOST_CHECK(parse_json(std::string(32, '[') + std::string(32, ']')).ok());
  BOOST_CHECK(!parse_json(std::string(33, '{')).ok());
  // Brackets inside strings do not count.
  BOOST_CHECK(parse_json("{\"a\": \"" + std::string(1000, '[') + "\"}").ok());
  BOOST_CHECK(parse_json(R"({"a": "\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})").ok());
}

BOOST_AUTO_TEST_CASE(size_string_length_and_utf8_are_refused_with_their_rule) {
  JsonLimits small{100, 32, 10};
  auto big = parse_json(std::string(101, ' '), small);
  BOOST_REQUIRE(!big.ok());
  BOOST_CHECK_EQUAL(big.error().rule, "max-size");
  auto long_string = parse_json("\"" + std::string(11, 'x') + "\"", small);
  BOOST_REQUIRE(!long_string.ok());
  BOOST_CHECK_EQUAL(long_string.error().rule, "max-string-length");
  auto bad_utf8 = parse_json(std::string("{\"a\": \"\xff\"}"));
  BOOST_REQUIRE(!bad_utf8.ok());
  BOOST_CHECK_EQUAL(bad_utf8.error().rule, "json");
  BOOST_CHECK(!parse_json("{\"a\": 1").ok());
  // A NUL ends nlohmann's input: nothing after it may go unread.
  BOOST_CHECK(!parse_json(std::string("{\"a\":1}\0{{{{ not json", 22)).ok());
  BOOST_CHECK(!parse_json(std::string("{\"a\":\"x\0y\"}", 12)).ok());
  BOOST_CHECK(!parse_json("").ok());
  auto not_object = parse_json_object("[1]");
  BOOST_REQUIRE(!not_object.ok());
  BOOST_CHECK_EQUAL(not_object.error().rule, "object");
  auto named = parse_json("x", kInputLimits, "value");
  BOOST_CHECK_EQUAL(named.error().field, "value");
}

BOOST_AUTO_TEST_CASE(utf8_is_checked_as_rfc_3629_says) {
  BOOST_CHECK(is_utf8("信易贷 ok"));
  BOOST_CHECK(is_utf8(""));
  BOOST_CHECK(!is_utf8("\xff"));
  BOOST_CHECK(!is_utf8("\xc0\xaf"));          // overlong '/'
  BOOST_CHECK(!is_utf8("\xed\xa0\x80"));      // a surrogate
  BOOST_CHECK(!is_utf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  BOOST_CHECK(!is_utf8("\xe4\xbf"));          // cut short
}

BOOST_AUTO_TEST_CASE(lenient_reads_never_throw_on_other_types) {
  const nlohmann::json j = {{"s", 5}, {"i", "x"}, {"b", "true"}, {"o", {1}}, {"big", UINT64_MAX}, {"ok", "yes"}};
  BOOST_CHECK_EQUAL(string_or(j, "s", "fallback"), "fallback");
  BOOST_CHECK_EQUAL(string_or(j, "ok"), "yes");
  BOOST_CHECK_EQUAL(int_or(j, "i", 7), 7);
  BOOST_CHECK_EQUAL(int_or(j, "big", 7), 7);  // past int64: the fallback, never a clamp
  BOOST_CHECK_EQUAL(bool_or(j, "b", false), false);
  BOOST_CHECK(object_or_empty(j, "o").empty());
  BOOST_CHECK(array_or_empty(j, "s").empty());
  BOOST_CHECK_EQUAL(string_or(nlohmann::json::array(), "s", "f"), "f");
}

BOOST_AUTO_TEST_CASE(money_adds_up_without_wrapping) {
  BOOST_CHECK(!checked_add(INT64_MAX, 1));
  BOOST_CHECK(!checked_sub(INT64_MIN, 1));
  BOOST_CHECK_EQUAL(*checked_add(9'000'000'000'000'000'000, 200'000'000'000'000'000), 9'200'000'000'000'000'000);
  BOOST_CHECK_EQUAL(saturating_add(INT64_MAX, 5), INT64_MAX);
  BOOST_CHECK_EQUAL(saturating_add(INT64_MIN, -5), INT64_MIN);
}

BOOST_AUTO_TEST_SUITE_END()

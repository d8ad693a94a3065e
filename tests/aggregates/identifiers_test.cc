#define BOOST_TEST_MODULE identifiers
#include "aggregates/identifiers.h"

#include <boost/test/unit_test.hpp>

using namespace xyd::domain;

BOOST_AUTO_TEST_SUITE(identifiers)

BOOST_AUTO_TEST_CASE(uscc_check_character) {
  BOOST_CHECK(check_uscc("9144030071526726XG").ok());
  BOOST_CHECK(check_uscc("91350100M000100Y43").ok());
  auto wrong = check_uscc("9144030071526726XA");
  BOOST_REQUIRE(!wrong.ok());
  BOOST_CHECK_EQUAL(wrong.error().field, "uscc");
  BOOST_CHECK_EQUAL(wrong.error().rule, "gb32100-check-character");
  BOOST_CHECK_EQUAL(check_uscc("9144030071526726X").error().rule, "gb32100-length");
  BOOST_CHECK_EQUAL(check_uscc("9144030071526726IG").error().rule, "gb32100-alphabet");
}

BOOST_AUTO_TEST_CASE(resident_id_check_digit_and_birth_date) {
  BOOST_CHECK(check_resident_id("11010519491231002X").ok());
  BOOST_CHECK(check_resident_id("440524188001010014").ok());
  BOOST_CHECK_EQUAL(check_resident_id("110105194912310021").error().rule, "gb11643-check-digit");
  BOOST_CHECK_EQUAL(check_resident_id("110105194902300021").error().rule, "gb11643-birth-date");
  BOOST_CHECK_EQUAL(check_resident_id("11010519491231002", "legal_id").error().field, "legal_id");
}

BOOST_AUTO_TEST_CASE(mobile_region_and_industry) {
  BOOST_CHECK(check_mobile("13800138000").ok());
  BOOST_CHECK_EQUAL(check_mobile("12800138000").error().rule, "mainland-mobile");
  BOOST_CHECK_EQUAL(check_mobile("1380013800").error().rule, "mainland-mobile");
  BOOST_CHECK(check_region_format("440300").ok());
  BOOST_CHECK_EQUAL(check_region_format("44030").error().rule, "gb2260-format");
  BOOST_CHECK(check_industry_section("C").ok());
  BOOST_CHECK(check_industry_section("T").ok());
  BOOST_CHECK_EQUAL(check_industry_section("U").error().rule, "gb4754-section");
}

// Every single-character substitution and every swap of two different neighbours of a valid code
// is refused: both check systems (mod 31 with weights prime to 31; ISO 7064 MOD 11-2) catch them.
BOOST_AUTO_TEST_CASE(corrupted_variants_are_refused) {
  const std::string uscc_alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  for (std::string valid : {"9144030071526726XG", "91350100M000100Y43"}) {
    for (size_t i = 0; i < valid.size(); ++i) {
      for (char c : uscc_alphabet) {
        if (c == valid[i]) continue;
        std::string corrupt = valid;
        corrupt[i] = c;
        BOOST_CHECK_MESSAGE(!check_uscc(corrupt).ok(), corrupt << " passed");
      }
      if (i + 1 < valid.size() && valid[i] != valid[i + 1]) {
        std::string swapped = valid;
        std::swap(swapped[i], swapped[i + 1]);
        BOOST_CHECK_MESSAGE(!check_uscc(swapped).ok(), swapped << " passed");
      }
    }
  }
  for (std::string valid : {"11010519491231002X", "440524188001010014"}) {
    for (size_t i = 0; i < valid.size(); ++i) {
      for (char c : std::string("0123456789X")) {
        if (c == valid[i] || (c == 'X' && i + 1 < valid.size())) continue;
        std::string corrupt = valid;
        corrupt[i] = c;
        BOOST_CHECK_MESSAGE(!check_resident_id(corrupt).ok(), corrupt << " passed");
      }
      if (i + 1 < valid.size() && valid[i] != valid[i + 1]) {
        std::string swapped = valid;
        std::swap(swapped[i], swapped[i + 1]);
        BOOST_CHECK_MESSAGE(!check_resident_id(swapped).ok(), swapped << " passed");
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

// Whole-number query parameters (?limit=, ?top=): digits only and within range, else a 400 that
// names the parameter and the range. Schemathesis found "?limit=0.5" answered as a page of 5.
#include <boost/test/unit_test.hpp>

#include "api/resource_routes.h"

using namespace xyd;
using namespace xyd::api;

namespace {

Result<size_t> limit_of(const std::string& text) {
  Request request;
  request.query["limit"] = text;
  return page_limit(request, 50, 500);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_count_query_takes_digits_within_its_range) {
  BOOST_TEST(*page_limit(Request{}, 50, 500) == 50u);  // absent: the default
  BOOST_TEST(*limit_of("1") == 1u);
  BOOST_TEST(*limit_of("500") == 500u);
  for (const char* bad :
       {"0.5", "5.5", "+5", " 5", "5 ", "-1", "0", "501", "", "5abc", "0x10", "99999999999999999999999"}) {
    auto limit = limit_of(bad);
    BOOST_TEST_CONTEXT("limit=" << bad) {
      BOOST_TEST_REQUIRE(!limit.ok());
      BOOST_TEST(limit.error().field == "limit");
      BOOST_TEST(limit.error().rule == "range-1-500");
    }
  }
}

// Event payload structs (events/schema/payload.h): the catalog's declarations are made from them,
// decode() reads data through checked readers and refuses naming the field, encode() writes what
// decode() reads back, and amounts add up without wrapping.
#include <boost/test/unit_test.hpp>

#include "events/catalog.h"
#include "events/schema/account.h"
#include "events/schema/application.h"

using namespace xyd;
using namespace xyd::events;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(payloads)

BOOST_AUTO_TEST_CASE(the_catalog_declares_what_the_structs_hold) {
  const EventSpec spec = event_spec<application::LoanDisbursed>();
  BOOST_CHECK_EQUAL(spec.name, "LoanDisbursed");
  BOOST_REQUIRE_EQUAL(spec.fields.size(), 9u);
  BOOST_CHECK_EQUAL(spec.fields[1].name, "amount");
  BOOST_CHECK(spec.fields[1].kind == FieldKind::fen && spec.fields[1].required);
  BOOST_CHECK(spec.fields[2].kind == FieldKind::basis_points);
  BOOST_CHECK(spec.fields[3].kind == FieldKind::date);
  BOOST_CHECK(spec.fields[6].name == "credit_number" && !spec.fields[6].required);
  BOOST_CHECK_EQUAL(event_spec<account::AccountRegistered>().version, 2);
  const auto* type = EventCatalog::standard().by_name("LoanDisbursed");
  BOOST_REQUIRE(type);
  BOOST_CHECK_EQUAL(type->fields.size(), spec.fields.size());
}

BOOST_AUTO_TEST_CASE(decode_reads_typed_fields_and_encode_writes_them_back) {
  const json data = {
      {"loan_number", "L1"},      {"amount", 1'234'567},         {"rate_bp", 385}, {"disbursed_at", "2026-03-01"},
      {"maturity", "2027-03-01"}, {"repayment_method", "equal"}, {"by", "m1"}};
  auto loan = decode<application::LoanDisbursed>(data);
  BOOST_REQUIRE_MESSAGE(loan.ok(), loan.error().message);
  BOOST_CHECK(loan->amount == Fen{1'234'567});
  BOOST_CHECK_EQUAL(loan->rate_bp.value, 385);
  BOOST_CHECK_EQUAL(loan->disbursed_at.text, "2026-03-01");
  BOOST_CHECK(!loan->credit_number.has_value());
  BOOST_CHECK_EQUAL(loan->by.value_or(""), "m1");
  BOOST_CHECK_EQUAL(encode(*loan), data);
  BOOST_CHECK(EventCatalog::standard().check_new_data("LoanDisbursed", encode(*loan)).ok());
}

BOOST_AUTO_TEST_CASE(decode_refuses_naming_the_field) {
  json data = {{"loan_number", "L1"},          {"amount", "12"},           {"rate_bp", 385},
               {"disbursed_at", "2026-03-01"}, {"maturity", "2027-03-01"}, {"repayment_method", "equal"}};
  auto wrong_kind = decode<application::LoanDisbursed>(data);
  BOOST_REQUIRE(!wrong_kind.ok());
  BOOST_CHECK_EQUAL(wrong_kind.error().field, "data.amount");
  BOOST_CHECK_EQUAL(wrong_kind.error().rule, "kind");
  data["amount"] = 18'446'744'073'709'551'615ULL;  // does not fit in int64
  BOOST_CHECK_EQUAL(decode<application::LoanDisbursed>(data).error().field, "data.amount");
  data["amount"] = 100;
  data["disbursed_at"] = "2026-3-1";
  BOOST_CHECK_EQUAL(decode<application::LoanDisbursed>(data).error().field, "data.disbursed_at");
  data.erase("disbursed_at");
  auto missing = decode<application::LoanDisbursed>(data);
  BOOST_REQUIRE(!missing.ok());
  BOOST_CHECK_EQUAL(missing.error().rule, "required");
  BOOST_CHECK(!decode<application::LoanDisbursed>(json::array()).ok());
}

BOOST_AUTO_TEST_CASE(amounts_add_up_without_wrapping) {
  BOOST_CHECK(checked_add(Fen{1}, Fen{2}) == Fen{3});
  BOOST_CHECK(!checked_add(Fen{INT64_MAX}, Fen{1}).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

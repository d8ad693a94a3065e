#define BOOST_TEST_MODULE events
#include <boost/test/unit_test.hpp>
#include <thread>

#include "events/codec.h"

using namespace xyd::events;

namespace {

Envelope sample(int64_t version = 1) {
  Envelope e;
  e.id = uuid_v7();
  e.source = "/xyd/test";
  e.type = "xyd.application.submitted.v1";
  e.aggregate_type = "application";
  e.aggregate_id = "app-1";
  e.subject = "app-1";
  e.time = "2026-11-21T08:00:00.000Z";
  e.version = version;
  e.actor = {"acc-1", "enterprise_user", "", "440300"};
  e.correlation_id = "corr-1";
  e.data = {{"enterprise", "ent-1"}, {"product", "prd-1"}, {"institution", "ins-1"},
            {"amount", 50000000},    {"term_months", 12},  {"purpose", "周转"},
            {"region", "440305"},    {"industry", "C"},    {"channel", "web"}};
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(envelope)

BOOST_AUTO_TEST_CASE(round_trips_through_the_codec) {
  Envelope e = sample();
  BOOST_REQUIRE(seal(e, "").ok());
  auto decoded = decode(encode(e));
  BOOST_REQUIRE_MESSAGE(decoded.ok(), decoded.error().to_string());
  BOOST_CHECK(*decoded == e);
  BOOST_CHECK(hash_matches(*decoded));
}

BOOST_AUTO_TEST_CASE(canonical_encoding_is_sorted_compact_and_excludes_the_hash) {
  Envelope e = sample();
  BOOST_REQUIRE(seal(e, "abc").ok());
  auto canonical = canonical_encoding(e);
  BOOST_REQUIRE(canonical.ok());
  BOOST_CHECK(canonical->find("\"hash\"") == std::string::npos);
  BOOST_CHECK(canonical->find("\"prevhash\":\"abc\"") != std::string::npos);
  BOOST_CHECK(canonical->find(' ') == std::string::npos || canonical->find("周转") != std::string::npos);
  BOOST_CHECK(canonical->find("\"actor\"") < canonical->find("\"aggregateid\""));
  BOOST_CHECK_EQUAL(e.hash, sha256_hex(*canonical));
  BOOST_CHECK_EQUAL(e.hash.size(), 64u);
}

BOOST_AUTO_TEST_CASE(sha256_matches_the_standard_vector) {
  BOOST_CHECK_EQUAL(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(hash_covers_the_previous_hash_and_every_field) {
  Envelope a = sample();
  BOOST_REQUIRE(seal(a, "").ok());
  Envelope b = sample();
  b.id = a.id;
  BOOST_REQUIRE(seal(b, "0000").ok());
  BOOST_CHECK_NE(a.hash, b.hash);
  Envelope tampered = a;
  tampered.data["amount"] = 50000001;
  BOOST_CHECK(!hash_matches(tampered));
  tampered = a;
  tampered.actor.account = "acc-2";
  BOOST_CHECK(!hash_matches(tampered));
}

BOOST_AUTO_TEST_CASE(floating_point_amounts_are_refused) {
  Envelope e = sample();
  e.data["amount"] = 500000.5;
  auto sealed = seal(e, "");
  BOOST_REQUIRE(!sealed.ok());
  BOOST_CHECK_EQUAL(sealed.error().field, "data.amount");
  BOOST_CHECK_EQUAL(sealed.error().rule, "no-floating-point");
}

BOOST_AUTO_TEST_CASE(malformed_records_get_errors_naming_the_field) {
  BOOST_CHECK_EQUAL(decode("{not json").error().field, "value");
  Envelope e = sample();
  BOOST_REQUIRE(seal(e, "").ok());
  auto json = to_json(e);
  json.erase("aggregateversion");
  auto missing = decode(json.dump());
  BOOST_REQUIRE(!missing.ok());
  BOOST_CHECK_EQUAL(missing.error().field, "aggregateversion");
  json = to_json(e);
  json["specversion"] = "0.3";
  BOOST_CHECK_EQUAL(decode(json.dump()).error().rule, "cloudevents-1.0");
  json = to_json(e);
  json["type"] = "xyd.application.teleported.v1";
  BOOST_CHECK_EQUAL(decode(json.dump()).error().rule, "declared-in-catalog");
  json = to_json(e);
  json["data"].erase("amount");
  auto no_amount = decode(json.dump());
  BOOST_CHECK_EQUAL(no_amount.error().field, "data.amount");
  json = to_json(e);
  json["aggregatetype"] = "product";
  BOOST_CHECK_EQUAL(decode(json.dump()).error().field, "aggregatetype");
}

BOOST_AUTO_TEST_CASE(records_carry_cloudevents_binary_headers) {
  Envelope e = sample();
  BOOST_REQUIRE(seal(e, "").ok());
  auto record = to_record(e);
  BOOST_CHECK_EQUAL(record.topic, "xyd.events.application");
  BOOST_CHECK_EQUAL(record.key, "app-1");
  std::map<std::string, std::string> headers;
  for (const auto& h : record.headers) headers[h.key] = h.value;
  BOOST_CHECK_EQUAL(headers["ce_id"], e.id);
  BOOST_CHECK_EQUAL(headers["ce_type"], "xyd.application.submitted.v1");
  BOOST_CHECK_EQUAL(headers["ce_source"], "/xyd/test");
  BOOST_CHECK_EQUAL(headers["ce_specversion"], "1.0");
  BOOST_CHECK_EQUAL(headers["ce_time"], e.time);
  BOOST_CHECK_EQUAL(headers["ce_subject"], "app-1");
}

BOOST_AUTO_TEST_CASE(uuid_v7_is_time_ordered_and_well_formed) {
  auto a = uuid_v7();
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto b = uuid_v7();
  BOOST_CHECK_EQUAL(a.size(), 36u);
  BOOST_CHECK_EQUAL(a[14], '7');
  BOOST_CHECK(std::string("89ab").find(a[19]) != std::string::npos);
  BOOST_CHECK_LT(a, b);
  BOOST_CHECK_EQUAL(now_rfc3339().size(), 24u);
}

BOOST_AUTO_TEST_SUITE_END()

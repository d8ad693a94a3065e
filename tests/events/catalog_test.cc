#include <boost/test/unit_test.hpp>
#include <set>

#include "events/codec.h"

using namespace xyd::events;

BOOST_AUTO_TEST_SUITE(catalog)

BOOST_AUTO_TEST_CASE(declares_every_event_of_the_domain_once) {
  const auto& catalog = EventCatalog::standard();
  // The events DOMAIN.md names, by aggregate.
  const std::map<std::string, size_t> per_aggregate = {{"account", 8}, {"enterprise", 12}, {"institution", 9},
                                                       {"product", 5}, {"demand", 4},      {"application", 14}};
  std::map<std::string, size_t> counted;
  std::set<std::string> names, types;
  for (const auto& t : catalog.types()) {
    ++counted[t.aggregate];
    BOOST_CHECK_MESSAGE(names.insert(t.name).second, "duplicate name " << t.name);
    BOOST_CHECK_MESSAGE(types.insert(t.type()).second, "duplicate type " << t.type());
    BOOST_CHECK(t.type().starts_with("xyd." + t.aggregate + "."));
    BOOST_CHECK(t.type().ends_with(".v1"));
  }
  BOOST_CHECK(counted == per_aggregate);
  for (const char* starred :
       {"AccountRegistered", "EnterpriseRegistered", "EnterpriseCertified", "ApplicationSubmitted",
        "ApplicationAccepted", "CreditGranted", "LoanDisbursed", "RepaymentReceived"})
    BOOST_CHECK_MESSAGE(catalog.by_name(starred), starred << " is not declared");
  BOOST_CHECK_EQUAL(catalog.by_name("LoanDisbursed")->type(), "xyd.application.loan_disbursed.v1");
  BOOST_CHECK_EQUAL(catalog.by_name("AccountRegistered")->type(), "xyd.account.registered.v1");
}

BOOST_AUTO_TEST_CASE(upcasters_bring_old_schema_versions_up_to_date_on_read) {
  EventCatalog catalog = EventCatalog::standard();
  Envelope old;
  old.id = uuid_v7();
  old.source = "/xyd/test";
  old.type = "xyd.demand.claimed.v1";
  old.aggregate_type = "demand";
  old.aggregate_id = "dem-1";
  old.time = now_rfc3339();
  old.version = 2;
  old.data = {{"manager", "mgr-7"}};
  BOOST_REQUIRE(seal(old, "prev").ok());
  const auto stored = encode(old);

  // Version 2 renames "manager" to "manager_id".
  BOOST_REQUIRE(catalog
                    .add_version("DemandClaimed", {"manager_id"},
                                 [](nlohmann::json& data) {
                                   data["manager_id"] = data["manager"];
                                   data.erase("manager");
                                   return xyd::Status();
                                 })
                    .ok());
  auto* type = catalog.by_name("DemandClaimed");
  BOOST_REQUIRE(type);
  BOOST_CHECK_EQUAL(type->version, 2);

  xyd::log::Record record;
  record.value = stored;
  auto current = from_record(record, catalog);
  BOOST_REQUIRE_MESSAGE(current.ok(), current.error().to_string());
  BOOST_CHECK_EQUAL(current->type, "xyd.demand.claimed.v2");
  BOOST_CHECK_EQUAL(current->schema_version, 2);
  BOOST_CHECK_EQUAL(current->data["manager_id"], "mgr-7");
  BOOST_CHECK(!current->data.contains("manager"));
  // The stored form is untouched and still verifies.
  auto raw = decode(stored, catalog);
  BOOST_REQUIRE(raw.ok());
  BOOST_CHECK(hash_matches(*raw));
}

BOOST_AUTO_TEST_CASE(standard_topics_cover_every_aggregate) {
  auto topics = standard_topics(6);
  BOOST_CHECK_EQUAL(topics.size(), aggregate_types().size() + 3);
  for (const auto& t : topics) BOOST_CHECK_EQUAL(t.partitions, 6);
  BOOST_CHECK_EQUAL(topics.front().name, "xyd.events.account");
}

BOOST_AUTO_TEST_SUITE_END()

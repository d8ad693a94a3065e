#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <set>

#include "events/codec.h"

using namespace xyd::events;

namespace {

// An event as an older release stored it: sealed, of the given type and data.
Envelope stored_event(const std::string& type, const std::string& aggregate, int64_t version, nlohmann::json data,
                      const std::string& previous_hash) {
  Envelope old;
  old.id = uuid_v7();
  old.source = "/xyd/test";
  old.type = type;
  old.aggregate_type = aggregate;
  old.aggregate_id = aggregate.substr(0, 3) + "-1";
  old.time = now_rfc3339();
  old.version = version;
  old.data = std::move(data);
  BOOST_REQUIRE(seal(old, previous_hash).ok());
  return old;
}

}  // namespace

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
    BOOST_CHECK(t.type().ends_with(t.name == "AccountRegistered" ? ".v2" : ".v1"));
    for (const auto& field : t.required)  // the required fields are among the declared ones
      BOOST_CHECK(std::any_of(t.fields.begin(), t.fields.end(), [&](const FieldSpec& f) { return f.name == field; }));
  }
  BOOST_CHECK(counted == per_aggregate);
  for (const char* starred :
       {"AccountRegistered", "EnterpriseRegistered", "EnterpriseCertified", "ApplicationSubmitted",
        "ApplicationAccepted", "CreditGranted", "LoanDisbursed", "RepaymentReceived"})
    BOOST_CHECK_MESSAGE(catalog.by_name(starred), starred << " is not declared");
  BOOST_CHECK_EQUAL(catalog.by_name("LoanDisbursed")->type(), "xyd.application.loan_disbursed.v1");
  BOOST_CHECK_EQUAL(catalog.by_name("AccountRegistered")->type(), "xyd.account.registered.v2");
}

BOOST_AUTO_TEST_CASE(upcasters_bring_old_schema_versions_up_to_date_on_read) {
  EventCatalog catalog = EventCatalog::standard();
  const auto stored = encode(stored_event("xyd.demand.claimed.v1", "demand", 2, {{"manager", "mgr-7"}}, "prev"));

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

// Version 1 of AccountRegistered did not always carry the status; the catalog's upcaster gives
// it the one the account then had, so the aggregate and projections never guess.
BOOST_AUTO_TEST_CASE(an_account_registered_without_a_status_is_upcast_to_version_2) {
  const auto& catalog = EventCatalog::standard();
  for (const auto& [kind, status] : std::vector<std::pair<std::string, std::string>>{{"government_city", "pending"},
                                                                                     {"enterprise_user", "active"}}) {
    auto current = catalog.upcast(stored_event("xyd.account.registered.v1", "account", 1,
                                               {{"kind", kind}, {"phone", "13800000000"}, {"region", "310000"}}, ""));
    BOOST_REQUIRE_MESSAGE(current.ok(), current.error().to_string());
    BOOST_CHECK_EQUAL(current->type, "xyd.account.registered.v2");
    BOOST_CHECK_EQUAL(current->data.value("status", ""), status);
  }
}

// A new event carries its data exactly as declared: the write side refuses an undeclared field,
// a field of another kind and a missing required one, naming the field and the rule.
BOOST_AUTO_TEST_CASE(a_new_event_carries_exactly_the_declared_fields) {
  const auto& catalog = EventCatalog::standard();
  const nlohmann::json settled = {{"loan_number", "L-1"}, {"settled_at", "2026-03-01"}};
  BOOST_CHECK(catalog.check_new_data("LoanSettled", settled).ok());
  auto extra = settled;
  extra["note"] = "x";
  auto refused = catalog.check_new_data("LoanSettled", extra);
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK_EQUAL(refused.error().field, "data.note");
  BOOST_CHECK_EQUAL(refused.error().rule, "declared");
  auto wrong = settled;
  wrong["settled_at"] = "2026-03-01T10:00:00Z";  // an instant where a date is declared
  refused = catalog.check_new_data("LoanSettled", wrong);
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK_EQUAL(refused.error().rule, "kind");
  refused = catalog.check_new_data("LoanDisbursed", {{"loan_number", "L-1"}, {"amount", "100"}});
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK_EQUAL(refused.error().field, "data.amount");  // fen is a whole number, not text
  refused = catalog.check_new_data("LoanSettled", {{"loan_number", "L-1"}});
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK_EQUAL(refused.error().rule, "required");
  // ApplicationSubmitted declares what the orders really carry (copied facts included).
  const auto* submitted = catalog.by_name("ApplicationSubmitted");
  BOOST_REQUIRE(submitted);
  for (const char* copied : {"product_type", "institution_type", "owner", "enterprise_name", "demand"})
    BOOST_CHECK(std::any_of(submitted->fields.begin(), submitted->fields.end(),
                            [&](const FieldSpec& f) { return f.name == copied; }));
}

BOOST_AUTO_TEST_CASE(standard_topics_cover_every_aggregate) {
  auto topics = standard_topics(6);
  BOOST_CHECK_EQUAL(topics.size(), aggregate_types().size() + 3);
  for (const auto& t : topics) BOOST_CHECK_EQUAL(t.partitions, 6);
  BOOST_CHECK_EQUAL(topics.front().name, "xyd.events.account");
}

BOOST_AUTO_TEST_SUITE_END()

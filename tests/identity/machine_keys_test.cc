// CredentialStore: API keys of connectors (create, find, list, rotate, revoke) and webhook secrets.
#include <sodium.h>

#include <boost/test/unit_test.hpp>

#include "identity/credential_store.h"
#include "tests/identity/secret_store_fixture.h"

using namespace xyd;
using test::StoreFixture;

BOOST_FIXTURE_TEST_SUITE(machine_keys, StoreFixture)

BOOST_AUTO_TEST_CASE(a_key_is_created_and_found) {
  auto created = store->create_machine_key("bank_connector", "bank-1", "admin-7", 1000);
  BOOST_REQUIRE(created.ok());
  const auto& [key, info] = *created;
  BOOST_TEST(key.size() == 5u + 12u + 1u + 43u);
  BOOST_TEST(key.starts_with("xydk_" + info.key_id + "_"));
  BOOST_TEST(info.key_id.find_first_not_of("0123456789abcdef") == std::string::npos);
  BOOST_TEST(info.key_id.size() == 12u);

  auto found = store->find_machine_key(key, 2000);
  BOOST_REQUIRE(found.ok());
  BOOST_TEST(found->key_id == info.key_id);
  BOOST_TEST(found->role == "bank_connector");
  BOOST_TEST(found->institution == "bank-1");
  BOOST_TEST(found->created_by == "admin-7");
  BOOST_TEST(found->created_ms == 1000);
  BOOST_TEST(found->revoked_ms == 0);

  reopen();
  BOOST_TEST(store->find_machine_key(key, 2000).ok());
}

BOOST_AUTO_TEST_CASE(bad_keys_are_unauthenticated) {
  auto created = store->create_machine_key("data_source", "registry", "admin", 1000);
  BOOST_REQUIRE(created.ok());
  std::string key = created->first;
  std::string tampered = key;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  BOOST_TEST(store->find_machine_key(tampered, 0).error().rule == "key-unknown");
  std::string other_id = key;
  other_id[5] = other_id[5] == '0' ? '1' : '0';
  BOOST_TEST(store->find_machine_key(other_id, 0).error().rule == "key-unknown");
  for (std::string bad : {std::string(), key.substr(1), key + "x", "xydk_" + std::string(56, 'a')}) {
    auto found = store->find_machine_key(bad, 0);
    BOOST_REQUIRE(!found.ok());
    BOOST_TEST(found.error().code == Errc::unauthenticated);
    BOOST_TEST(found.error().rule == "key-malformed");
  }
  BOOST_TEST(store->create_machine_key("admin", "bank-1", "a", 0).error().field == "role");
  BOOST_TEST(store->create_machine_key("bank_connector", "", "a", 0).error().field == "institution");
}

BOOST_AUTO_TEST_CASE(a_data_source_key_may_have_no_institution) {
  auto created = store->create_machine_key("data_source", "", "admin", 1000);
  BOOST_REQUIRE(created.ok());
  BOOST_TEST(store->find_machine_key(created->first, 2000)->role == "data_source");
  BOOST_REQUIRE(store->list_machine_keys("")->size() == 1u);
  BOOST_TEST(store->list_machine_keys("")->front().key_id == created->second.key_id);
  BOOST_TEST(store->revoke_machine_key("bank-1", created->second.key_id).error().code == Errc::not_found);
  BOOST_TEST(store->revoke_machine_key("", created->second.key_id).ok());
  BOOST_TEST(store->find_machine_key(created->first, 2000).error().rule == "key-revoked");
}

BOOST_AUTO_TEST_CASE(two_keys_are_active_during_rotation_then_the_old_is_revoked) {
  auto old_key = store->create_machine_key("bank_connector", "bank-1", "admin", 1000);
  auto new_key = store->create_machine_key("bank_connector", "bank-1", "admin", 2000);
  auto elsewhere = store->create_machine_key("bank_connector", "bank-2", "admin", 1500);
  BOOST_REQUIRE(old_key.ok() && new_key.ok() && elsewhere.ok());
  BOOST_TEST(store->find_machine_key(old_key->first, 3000).ok());
  BOOST_TEST(store->find_machine_key(new_key->first, 3000).ok());

  auto listed = store->list_machine_keys("bank-1");
  BOOST_REQUIRE(listed.ok());
  BOOST_REQUIRE(listed->size() == 2u);
  BOOST_TEST((*listed)[0].key_id == old_key->second.key_id);
  BOOST_TEST((*listed)[1].key_id == new_key->second.key_id);

  // Another institution cannot revoke bank-1's key.
  auto refused = store->revoke_machine_key("bank-2", old_key->second.key_id);
  BOOST_TEST(refused.error().code == Errc::not_found);
  BOOST_TEST(store->find_machine_key(old_key->first, 3000).ok());

  BOOST_TEST(store->revoke_machine_key("bank-1", old_key->second.key_id).ok());
  auto revoked = store->find_machine_key(old_key->first, 3000);
  BOOST_REQUIRE(!revoked.ok());
  BOOST_TEST(revoked.error().code == Errc::unauthenticated);
  BOOST_TEST(revoked.error().rule == "key-revoked");
  BOOST_TEST(store->find_machine_key(new_key->first, 3000).ok());
  BOOST_TEST(store->revoke_machine_key("bank-1", old_key->second.key_id).ok());  // idempotent
  BOOST_TEST(store->revoke_machine_key("bank-1", "000000000000").error().code == Errc::not_found);

  listed = store->list_machine_keys("bank-1");
  BOOST_REQUIRE(listed->size() == 2u);
  BOOST_TEST((*listed)[0].revoked_ms != 0);
  BOOST_TEST((*listed)[1].revoked_ms == 0);
  BOOST_TEST(store->list_machine_keys("bank-2")->size() == 1u);
  BOOST_TEST(store->list_machine_keys("bank-3")->empty());
}

BOOST_AUTO_TEST_CASE(webhook_secrets_rotate_per_institution) {
  auto first = store->create_webhook_secret("bank-1", 1000);
  auto second = store->create_webhook_secret("bank-1", 2000);
  BOOST_REQUIRE(first.ok() && second.ok());
  BOOST_TEST(first->second.starts_with("whsec_"));
  unsigned char raw[64];
  size_t raw_length = 0;
  std::string encoded = first->second.substr(6);
  BOOST_TEST(sodium_base642bin(raw, sizeof raw, encoded.data(), encoded.size(), nullptr, &raw_length, nullptr,
                               sodium_base64_VARIANT_ORIGINAL) == 0);
  BOOST_TEST(raw_length == 32u);
  BOOST_TEST(first->second != second->second);
  BOOST_TEST(first->first != second->first);

  auto active = store->webhook_secrets("bank-1");
  BOOST_REQUIRE(active.ok());
  BOOST_REQUIRE(active->size() == 2u);
  BOOST_TEST((*active)[0] == second->second);  // newest first: sign with it
  BOOST_TEST((*active)[1] == first->second);
  BOOST_TEST(store->webhook_secrets("bank-2")->empty());

  BOOST_TEST(store->revoke_webhook_secret("bank-2", first->first).error().code == Errc::not_found);
  BOOST_TEST(store->revoke_webhook_secret("bank-1", "nonsense").error().code == Errc::not_found);
  BOOST_TEST(store->revoke_webhook_secret("bank-1", first->first).ok());
  active = store->webhook_secrets("bank-1");
  BOOST_REQUIRE(active->size() == 1u);
  BOOST_TEST((*active)[0] == second->second);
}

BOOST_AUTO_TEST_SUITE_END()

// CredentialStore: passwords and sessions; a bearer token is never stored in plaintext.
#include "identity/credential_store.h"

#include <rocksdb/db.h>
#include <sodium.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "tests/identity/secret_store_fixture.h"

using namespace xyd;
using test::StoreFixture;

namespace {

constexpr int64_t kHour = 3600 * 1000;

std::string sha256_hex(const std::string& data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  char hex[2 * sizeof digest + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(credential_store, StoreFixture)

BOOST_AUTO_TEST_CASE(passwords_are_set_once_and_verified) {
  BOOST_TEST(store->set_password("cmd-1", "correct horse").ok());
  BOOST_TEST(store->verify_password("cmd-1", "correct horse").value());
  BOOST_TEST(!store->verify_password("cmd-1", "wrong horse!").value());
  BOOST_TEST(!store->verify_password("cmd-unknown", "correct horse").value());
  BOOST_TEST(store->set_password("cmd-1", "correct horse").ok());  // a replay changes nothing
  auto other = store->set_password("cmd-1", "another password");
  BOOST_TEST(!other.ok());
  BOOST_TEST(other.error().rule == "same-key-same-body");
  BOOST_TEST(store->set_password("cmd-2", "short").error().field == "password");
}

BOOST_AUTO_TEST_CASE(a_session_is_issued_and_found_by_its_token) {
  auto opened = store->open_session("acc-1", "cmd-1", kHour, false, "10.0.0.7", "password", 1000);
  BOOST_REQUIRE(opened.ok());
  const auto& [token, session] = *opened;
  BOOST_TEST(token.starts_with("xyds_"));
  BOOST_TEST(token.size() == 5u + 43u);
  BOOST_TEST(!session.id.empty());
  BOOST_TEST(session.expires_ms == 1000 + kHour);

  auto found = store->find_session(token, 2000);
  BOOST_REQUIRE(found.ok());
  BOOST_TEST(found->id == session.id);
  BOOST_TEST(found->account == "acc-1");
  BOOST_TEST(found->credential_ref == "cmd-1");
  BOOST_TEST(found->client_address == "10.0.0.7");
  BOOST_TEST(found->method == "password");
  BOOST_TEST(!found->restricted);

  auto second = store->open_session("acc-1", "cmd-1", kHour, false, "10.0.0.7", "otp", 1000);
  BOOST_REQUIRE(second.ok());
  BOOST_TEST(second->first != token);
  BOOST_TEST(second->second.id != session.id);

  reopen();  // sessions survive a restart
  BOOST_TEST(store->find_session(token, 2000).ok());
}

BOOST_AUTO_TEST_CASE(unknown_and_malformed_tokens_are_unauthenticated) {
  for (std::string token : {"", "xyds_", "xyds_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "Bearer something"}) {
    auto found = store->find_session(token, 0);
    BOOST_REQUIRE(!found.ok());
    BOOST_TEST(found.error().code == Errc::unauthenticated);
    BOOST_TEST(found.error().rule == "token-unknown");
  }
}

BOOST_AUTO_TEST_CASE(a_session_expires) {
  auto opened = store->open_session("acc-1", "cmd-1", kHour, false, "", "password", 1000);
  BOOST_REQUIRE(opened.ok());
  BOOST_TEST(store->find_session(opened->first, 1000 + kHour - 1).ok());
  auto expired = store->find_session(opened->first, 1000 + kHour);
  BOOST_REQUIRE(!expired.ok());
  BOOST_TEST(expired.error().code == Errc::unauthenticated);
  BOOST_TEST(expired.error().rule == "token-expired");

  // Lazy purge: the next session of the account deletes the expired one.
  BOOST_REQUIRE(store->open_session("acc-1", "cmd-1", kHour, false, "", "password", 2000 + kHour).ok());
  BOOST_TEST(store->find_session(opened->first, 2000 + kHour).error().rule == "token-unknown");
}

BOOST_AUTO_TEST_CASE(a_revoked_session_is_refused) {
  auto opened = store->open_session("acc-1", "cmd-1", kHour, false, "", "password", 1000);
  BOOST_REQUIRE(opened.ok());
  BOOST_TEST(store->revoke_session(opened->second.id).ok());
  auto found = store->find_session(opened->first, 2000);
  BOOST_REQUIRE(!found.ok());
  BOOST_TEST(found.error().rule == "token-revoked");
  BOOST_TEST(store->revoke_session(opened->second.id).ok());  // idempotent
  BOOST_TEST(store->revoke_session("no-such-session").error().code == Errc::not_found);
}

BOOST_AUTO_TEST_CASE(revoking_the_others_keeps_one_session_and_other_accounts) {
  auto kept = store->open_session("acc-1", "cmd-1", kHour, false, "", "password", 1000);
  auto other1 = store->open_session("acc-1", "cmd-1", kHour, false, "", "password", 1000);
  auto other2 = store->open_session("acc-1", "cmd-1", kHour, false, "", "otp", 1000);
  auto stranger = store->open_session("acc-2", "cmd-9", kHour, false, "", "password", 1000);
  BOOST_REQUIRE(kept.ok() && other1.ok() && other2.ok() && stranger.ok());

  auto revoked = store->revoke_sessions_of("acc-1", kept->second.id, 2000);
  BOOST_REQUIRE(revoked.ok());
  BOOST_TEST(*revoked == 2u);
  BOOST_TEST(store->find_session(kept->first, 2000).ok());
  BOOST_TEST(store->find_session(other1->first, 2000).error().rule == "token-revoked");
  BOOST_TEST(store->find_session(other2->first, 2000).error().rule == "token-revoked");
  BOOST_TEST(store->find_session(stranger->first, 2000).ok());
  BOOST_TEST(store->revoke_sessions_of("acc-1", kept->second.id, 2000).value() == 0u);

  BOOST_TEST(store->revoke_sessions_of("acc-1", "", 2000).value() == 1u);  // all of them
  BOOST_TEST(store->find_session(kept->first, 2000).error().rule == "token-revoked");
  BOOST_TEST(store->find_session(stranger->first, 2000).ok());
}

BOOST_AUTO_TEST_CASE(a_restricted_session_is_freed_by_a_password_change) {
  auto opened = store->open_session("acc-1", "cmd-initial", kHour, true, "", "password", 1000);
  BOOST_REQUIRE(opened.ok());
  BOOST_TEST(store->find_session(opened->first, 1000)->restricted);
  BOOST_TEST(store->update_session_credential(opened->second.id, "cmd-changed").ok());
  auto found = store->find_session(opened->first, 1000);
  BOOST_REQUIRE(found.ok());
  BOOST_TEST(!found->restricted);
  BOOST_TEST(found->credential_ref == "cmd-changed");
  BOOST_TEST(store->update_session_credential("no-such-session", "x").error().code == Errc::not_found);
}

BOOST_AUTO_TEST_CASE(bad_session_requests_are_invalid) {
  BOOST_TEST(store->open_session("", "c", kHour, false, "", "password", 0).error().field == "account");
  BOOST_TEST(store->open_session("a", "c", 0, false, "", "password", 0).error().code == Errc::invalid_argument);
  BOOST_TEST(store->open_session("a", "c", kHour, false, "", "magic", 0).error().field == "method");
  BOOST_TEST(store->open_session(std::string("a\0b", 3), "c", kHour, false, "", "otp", 0).error().rule == "no-nul");
}

BOOST_AUTO_TEST_CASE(tokens_and_keys_are_stored_only_as_digests) {
  auto opened = store->open_session("acc-1", "cmd-1", kHour, false, "", "password", 1000);
  auto key = store->create_machine_key("bank_connector", "bank-1", "admin", 1000);
  BOOST_REQUIRE(opened.ok() && key.ok());
  const std::string token = opened->first;
  const std::string machine_key = key->first;
  const std::string machine_secret = machine_key.substr(machine_key.size() - 43);
  store.reset();  // close, then read every key and value of the DB

  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), (dir / "credentials").string(), &raw);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  size_t records = 0;
  bool digest_found = false;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++records) {
    std::string k = it->key().ToString(), v = it->value().ToString();
    BOOST_TEST(k.find(token) == std::string::npos);
    BOOST_TEST(v.find(token) == std::string::npos);
    BOOST_TEST(k.find(machine_secret) == std::string::npos);
    BOOST_TEST(v.find(machine_secret) == std::string::npos);
    if (k == "tok/" + sha256_hex(token)) digest_found = true;
  }
  BOOST_TEST(it->status().ok());
  BOOST_TEST(records >= 5u);
  BOOST_TEST(digest_found);

  // Nor in any file of the store (WAL, SST, MANIFEST).
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "credentials")) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST(bytes.find(token.substr(5)) == std::string::npos, entry.path());
    BOOST_TEST(bytes.find(machine_secret) == std::string::npos, entry.path());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_CASE(sessions_opened_from_many_threads_are_all_indexed, StoreFixture) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i)
        if (!store->open_session("acc-1", "cmd-1", kHour, false, "", "password", 1000).ok()) ++failures;
    });
  for (auto& thread : threads) thread.join();
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(store->revoke_sessions_of("acc-1", "", 2000).value() == 80u);
}

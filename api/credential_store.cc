#include "api/credential_store.h"

#include <rocksdb/db.h>
#include <sodium.h>

#include <filesystem>
#include <mutex>

namespace xyd::api {
namespace {

// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;

// Password hashes in their own RocksDB, outside the log; RocksDB makes it thread-safe.
class RocksCredentialStore final : public CredentialStore {
 public:
  explicit RocksCredentialStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

  Status set_password(const std::string& reference, const std::string& password) override {
    XYD_RETURN_IF_ERROR(check_password_rule(password));
    std::lock_guard lock(mutex_);  // check and put as one step
    XYD_ASSIGN_OR_RETURN(bool exists, has(reference));
    if (exists) {
      XYD_ASSIGN_OR_RETURN(bool same, verify_password(reference, password));
      if (same) return Status();
      return make_error(Errc::refused,
                        "this Idempotency-Key was used before with a different request body; use a new key for a "
                        "new request",
                        "Idempotency-Key", "same-key-same-body");
    }
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(hash, password.data(), password.size(), kOpsLimit, kMemLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
      return make_error(Errc::unavailable, "not enough memory to hash the password; retry");
    rocksdb::WriteOptions sync;
    sync.sync = true;  // acknowledged registrations must be able to log in after a crash
    auto s = db_->Put(sync, "pw/" + reference, hash);
    sodium_memzero(hash, sizeof hash);
    if (!s.ok()) return make_error(Errc::unavailable, "credential store: " + s.ToString());
    return Status();
  }

  Result<bool> has(const std::string& reference) {
    std::string hash;
    auto s = db_->Get(rocksdb::ReadOptions(), "pw/" + reference, &hash);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return make_error(Errc::unavailable, "credential store: " + s.ToString());
    return true;
  }

  Result<bool> verify_password(const std::string& reference, const std::string& password) override {
    std::string hash;
    auto s = db_->Get(rocksdb::ReadOptions(), "pw/" + reference, &hash);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return make_error(Errc::unavailable, "credential store: " + s.ToString());
    return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::mutex mutex_;
};

}  // namespace

Status check_password_rule(const std::string& password) {
  if (password.size() < 8 || password.size() > 128)
    return make_error(Errc::invalid_argument, "a password has 8 to 128 characters", "password", "length-8-128");
  return Status();
}

Result<std::unique_ptr<CredentialStore>> CredentialStore::open(const std::string& path) {
  if (sodium_init() < 0) return make_error(Errc::fatal, "libsodium failed to initialise");
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) return make_error(Errc::unavailable, "cannot open the credential store at " + path + ": " + s.ToString());
  return std::unique_ptr<CredentialStore>(new RocksCredentialStore(std::unique_ptr<rocksdb::DB>(raw)));
}

}  // namespace xyd::api

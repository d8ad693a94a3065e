// CredentialStore: opening the store, and password hashes. Argon2id through libsodium at OWASP's
// parameters (19 MiB, 2 passes, 1 lane). A hash is stored under the id of the command that set it;
// the account's events name that command, so a refused command's hash is never used.
#include "identity/credential_store.h"

#include <sodium.h>

#include <filesystem>

#include "events/rocks/private_files.h"
#include "events/rocks/rocks_status.h"
#include "identity/common_passwords.h"
#include "identity/credential_store_impl.h"

namespace xyd::identity {
namespace {

// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
constexpr unsigned long long kOpsLimit = 2;
constexpr size_t kMemLimit = 19 * 1024 * 1024;

std::string password_key(const std::string& reference) {
  return "pw/" + reference;
}

// The argon2id hash string of a password (it embeds its salt and parameters).
Result<std::string> argon2id_hash(const std::string& password) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return make_error(Errc::unavailable, "not enough memory to hash the password; retry");
  std::string text(hash);
  sodium_memzero(hash, sizeof hash);
  return text;
}

}  // namespace

Status check_password_rule(const std::string& password) {
  if (password.size() < 8 || password.size() > 128)
    return make_error(Errc::invalid_argument, "a password has 8 to 128 characters", "password", "length-8-128");
  if (is_common_password(password))
    return make_error(Errc::invalid_argument, "this password is one of the most common ones: choose another",
                      "password", "not-common");
  return Status();
}

CredentialStore::CredentialStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CredentialStore::~CredentialStore() = default;

Result<std::unique_ptr<CredentialStore>> CredentialStore::open(const std::string& path) {
  if (sodium_init() < 0) return make_error(Errc::fatal, "libsodium failed to initialise");
  // Secrets: the folder is 0700 from the moment it exists (so are its parents when it makes them).
  if (auto created = log::create_private_folder(path); !created.ok())
    return make_error(Errc::unavailable, "cannot create the credential store: " + created.error().message);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok())
    return rocks::open_error(s, "the credential store", path, "another xyd process is using this data folder");
  auto impl = std::make_unique<Impl>();
  impl->db.reset(raw);
  return std::unique_ptr<CredentialStore>(new CredentialStore(std::move(impl)));
}

Status CredentialStore::set_password(const std::string& reference, const std::string& password) {
  XYD_RETURN_IF_ERROR(check_password_rule(password));
  std::lock_guard lock(impl_->password_mutex);  // check and put as one step
  XYD_ASSIGN_OR_RETURN(auto existing, impl_->get(password_key(reference)));
  if (existing) {
    XYD_ASSIGN_OR_RETURN(bool same, verify_password(reference, password));
    if (same) return Status();
    return make_error(Errc::refused,
                      "this Idempotency-Key was used before with a different request body; use a new key for a "
                      "new request",
                      "Idempotency-Key", "same-key-same-body");
  }
  XYD_ASSIGN_OR_RETURN(std::string hash, argon2id_hash(password));
  rocksdb::WriteBatch batch;
  batch.Put(password_key(reference), hash);
  sodium_memzero(hash.data(), hash.size());
  return impl_->write(batch, /*sync=*/true);  // acknowledged registrations must be able to log in after a crash
}

Result<bool> CredentialStore::verify_password(const std::string& reference, const std::string& password) {
  std::optional<std::string> hash;
  if (!reference.empty()) {
    XYD_ASSIGN_OR_RETURN(hash, impl_->get(password_key(reference)));
  }
  if (!hash) {
    // No such hash (an unknown phone, an account without a password): the same argon2 work as a
    // real check, so the time of the answer does not tell.
    std::call_once(impl_->decoy_once, [this] {
      auto decoy = argon2id_hash(random_hex(16));
      impl_->decoy_hash = decoy.ok() ? *decoy : std::string();
    });
    if (!impl_->decoy_hash.empty()) {
      [[maybe_unused]] const int ignored =
          crypto_pwhash_str_verify(impl_->decoy_hash.c_str(), password.data(), password.size());
    }
    return false;
  }
  return crypto_pwhash_str_verify(hash->c_str(), password.data(), password.size()) == 0;
}

Status CredentialStore::forget_password(const std::string& reference) {
  std::lock_guard lock(impl_->password_mutex);
  rocksdb::WriteBatch batch;
  batch.Delete(password_key(reference));
  return impl_->write(batch, /*sync=*/false);  // losing the deletion in a crash leaves only an unused hash
}

Result<bool> CredentialStore::has_password(const std::string& reference) {
  XYD_ASSIGN_OR_RETURN(auto hash, impl_->get(password_key(reference)));
  return hash.has_value();
}

}  // namespace xyd::identity

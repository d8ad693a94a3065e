// CredentialStore, one-time codes (sent by SMS): at most one per phone and purpose, stored as
// SHA-256(salt || code) under otp/<phone> (login) or otp/reg/<phone> (registration). The digest
// keeps the code out of plain sight; a 6-digit code is short-lived and allows 5 tries, which is
// what protects it, not the hash. A record stays after use or voiding (to enforce the resend
// interval) and is replaced by the next code; an expired record is deleted when a try meets it
// after the resend interval.
#include <sodium.h>

#include <cstdio>

#include "identity/credential_store.h"
#include "identity/credential_store_impl.h"

namespace xyd::identity {
namespace {

constexpr int64_t kResendIntervalMs = 60 * 1000;
constexpr int64_t kMaxWrongTries = 5;

std::string code_key(CodePurpose purpose, const std::string& phone) {
  return (purpose == CodePurpose::login ? "otp/" : "otp/reg/") + phone;
}

struct StoredCode {
  std::string salt;
  std::string code_hash;
  int64_t issued_ms = 0;
  int64_t expires_ms = 0;
  int64_t wrong_tries = 0;
  bool used = false;

  template <class Self, class Io>
  static void fields(Self& c, Io&& io) {
    io(c.salt), io(c.code_hash), io(c.issued_ms), io(c.expires_ms), io(c.wrong_tries), io(c.used);
  }
};

std::string encode(const StoredCode& c) {
  return encode_record("otp-v1", c);
}

Result<StoredCode> decode(const std::string& key, const std::string& data) {
  StoredCode c;
  if (!decode_record("otp-v1", data, c)) return corrupt_record(key);
  return c;
}

std::string code_hash(const std::string& salt, const std::string& code) {
  return sha256_hex(salt + code);
}

}  // namespace

Result<std::string> CredentialStore::issue_code(CodePurpose purpose, const std::string& phone, int64_t ttl_ms,
                                                int64_t now_ms) {
  if (phone.empty()) return make_error(Errc::invalid_argument, "a code needs a phone", "phone", "required");
  if (ttl_ms <= 0) return make_error(Errc::invalid_argument, "a code lasts a positive time", "ttl_ms", "positive");
  const std::string key = code_key(purpose, phone);
  std::lock_guard lock(impl_->code_mutex);
  XYD_ASSIGN_OR_RETURN(auto data, impl_->get(key));
  if (data) {
    XYD_ASSIGN_OR_RETURN(StoredCode previous, decode(key, *data));
    int64_t wait_ms = previous.issued_ms + kResendIntervalMs - now_ms;
    if (wait_ms > 0)
      return make_error(
          Errc::too_many,
          "a code was sent to this phone less than 60 s ago; retry in " + std::to_string((wait_ms + 999) / 1000) + " s",
          "phone", "otp-resend-interval");
  }
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06u", static_cast<unsigned>(randombytes_uniform(1000000)));
  std::string code(digits, 6);
  sodium_memzero(digits, sizeof digits);
  StoredCode stored;
  stored.salt = random_hex(16);
  stored.code_hash = code_hash(stored.salt, code);
  stored.issued_ms = now_ms;
  stored.expires_ms = now_ms + ttl_ms;
  rocksdb::WriteBatch batch;
  batch.Put(key, encode(stored));
  XYD_RETURN_IF_ERROR(impl_->write(batch, /*sync=*/true));
  return code;
}

Result<bool> CredentialStore::consume_code(CodePurpose purpose, const std::string& phone, const std::string& code,
                                           int64_t now_ms) {
  const std::string key = code_key(purpose, phone);
  std::lock_guard lock(impl_->code_mutex);
  XYD_ASSIGN_OR_RETURN(auto data, impl_->get(key));
  if (!data) return false;
  XYD_ASSIGN_OR_RETURN(StoredCode stored, decode(key, *data));
  rocksdb::WriteBatch batch;
  if (stored.expires_ms <= now_ms) {
    if (now_ms - stored.issued_ms >= kResendIntervalMs) {
      batch.Delete(key);
      XYD_RETURN_IF_ERROR(impl_->write(batch, /*sync=*/false));  // only tidying
    }
    return false;
  }
  if (stored.used || stored.wrong_tries >= kMaxWrongTries) return false;
  bool right = constant_time_equal(code_hash(stored.salt, code), stored.code_hash);
  if (right) {
    stored.used = true;
  } else {
    ++stored.wrong_tries;
  }
  batch.Put(key, encode(stored));
  XYD_RETURN_IF_ERROR(impl_->write(batch, /*sync=*/true));  // a code must not work twice, even across a crash
  return right;
}

}  // namespace xyd::identity

// CredentialStore: the secrets of identity and access, kept out of the event log (shared/DESIGN.md,
// "Secrets stay out of the log") in one RocksDB at `<data>/credentials`, one key prefix per kind:
//   pw/   password hashes (argon2id)                    credential_store.cc
//   ses/ tok/ acs/   sessions (bearer tokens, hashed)   session_store.cc
//   otp/  one-time login codes (hashed)                 one_time_codes.cc
//   mk/ mki/ whs/   machine keys (hashed), webhook secrets   machine_keys.cc
// Tokens, keys and codes are stored as SHA-256 digests only; a freshly issued one is returned once,
// to its owner. Webhook secrets are the exception: HMAC needs them in plaintext, so they are kept
// here (never in the log, never in a response after creation). Times are Unix milliseconds passed
// in by the caller, so tests control the clock. Thread-safe: every method may be called from any
// thread; RocksDB serialises storage, and one mutex per concern makes read-modify-write steps atomic.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "events/result.h"

namespace xyd::identity {

// A login: who, with which credential, until when. The bearer token itself is never stored.
struct Session {
  std::string id;
  std::string account;
  std::string credential_ref;  // the id of the command that set the password in use
  int64_t created_ms = 0, expires_ms = 0;
  bool restricted = false;  // may only change the password (first login)
  std::string client_address;
  std::string method;  // "password" | "otp"
};

// An API key of a connector (a bank's, or a data source's). The secret is never stored.
struct MachineKey {
  std::string key_id;  // 12 hex characters, public (appears in the key and in lists)
  std::string role;    // "bank_connector" | "data_source"
  std::string institution;
  int64_t created_ms = 0;
  int64_t revoked_ms = 0;  // 0 while active; set from the wall clock when revoked
  std::string created_by;
};

// What a one-time code proves: the phone's owner logs in, or registers the phone.
enum class CodePurpose { login, registration };

// Owns the credentials RocksDB; see the file comment. Thread-safe.
class CredentialStore {
 public:
  static Result<std::unique_ptr<CredentialStore>> open(const std::string& path);
  ~CredentialStore();
  CredentialStore(const CredentialStore&) = delete;
  CredentialStore& operator=(const CredentialStore&) = delete;

  // --- passwords (credential_store.cc)
  // Hashes the password (argon2id, ~tens of ms of CPU) and stores it under `reference`, once: a
  // repeated request (same idempotency key) with the same password changes nothing, and with
  // another password is refused (422), so replaying a request cannot change a password.
  [[nodiscard]] Status set_password(const std::string& reference, const std::string& password);
  // Whether `password` matches the hash stored under `reference`. Without such a hash (or with an
  // empty reference) it is false after the same argon2 work as a real check, so an unknown phone
  // answers in the time of a known one.
  Result<bool> verify_password(const std::string& reference, const std::string& password);
  // Deletes the hash under `reference` (idempotent): a refused registration leaves none behind.
  [[nodiscard]] Status forget_password(const std::string& reference);
  // Whether a hash is stored under `reference`.
  Result<bool> has_password(const std::string& reference);

  // --- sessions (session_store.cc)
  // Issues a token ("xyds_" + 43-char base64url of 32 random bytes) and stores its hash -> the
  // session; returns {token, session}. The token is returned here only. Also purges the account's
  // expired sessions (purging is lazy: here and in revoke_sessions_of).
  Result<std::pair<std::string, Session>> open_session(const std::string& account, const std::string& credential_ref,
                                                       int64_t ttl_ms, bool restricted,
                                                       const std::string& client_address, const std::string& method,
                                                       int64_t now_ms);
  // The live session of a token; otherwise unauthenticated, rule "token-unknown", "token-expired"
  // or "token-revoked" (a revoked session's record is kept until it would have expired).
  Result<Session> find_session(const std::string& token, int64_t now_ms);
  // Revokes one session (idempotent); not_found for an unknown id.
  [[nodiscard]] Status revoke_session(const std::string& session_id);
  // Revokes every live session of the account except `keep_session_id` (may be empty); returns how
  // many were revoked. Expired ones met on the way are purged. The two-argument form reads the
  // wall clock for `now_ms`.
  Result<size_t> revoke_sessions_of(const std::string& account, const std::string& keep_session_id);
  Result<size_t> revoke_sessions_of(const std::string& account, const std::string& keep_session_id, int64_t now_ms);
  // After a password change the kept session follows the new credential and is no longer
  // restricted. not_found for an unknown id, unauthenticated ("token-revoked") for a revoked one.
  [[nodiscard]] Status update_session_credential(const std::string& session_id, const std::string& credential_ref);

  // --- one-time codes (one_time_codes.cc), one per phone and purpose
  // A 6-digit code for the phone, valid ttl_ms; replaces any previous one of that purpose; stores
  // only its (salted) hash; returns the code for the SMS channel. too_many (field "phone", rule
  // "otp-resend-interval") within 60 s of the previous code of that purpose.
  Result<std::string> issue_code(CodePurpose purpose, const std::string& phone, int64_t ttl_ms, int64_t now_ms);
  // true once for the right, unexpired code of that purpose (then consumed); false otherwise.
  // After 5 wrong tries the code is void (false even for the right code).
  Result<bool> consume_code(CodePurpose purpose, const std::string& phone, const std::string& code, int64_t now_ms);
  Result<std::string> issue_login_code(const std::string& phone, int64_t ttl_ms, int64_t now_ms) {
    return issue_code(CodePurpose::login, phone, ttl_ms, now_ms);
  }
  Result<bool> consume_login_code(const std::string& phone, const std::string& code, int64_t now_ms) {
    return consume_code(CodePurpose::login, phone, code, now_ms);
  }

  // --- machine identities (machine_keys.cc)
  // Returns the key once: "xydk_<key_id>_<secret>" (key_id 12 hex chars, secret 43-char
  // base64url); several keys of one institution may be active at once, for rotation. A
  // bank_connector key needs an institution; a data_source key may have none (institution "").
  Result<std::pair<std::string, MachineKey>> create_machine_key(const std::string& role, const std::string& institution,
                                                                const std::string& created_by, int64_t now_ms);
  // The active key presented; unauthenticated (rule "key-malformed", "key-unknown" or
  // "key-revoked") otherwise. `now_ms` is reserved for key expiry (keys do not expire yet).
  Result<MachineKey> find_machine_key(const std::string& presented_key, int64_t now_ms);
  // The institution's keys, active and revoked, oldest first; no secrets. "" lists the keys of
  // data sources without an institution.
  Result<std::vector<MachineKey>> list_machine_keys(const std::string& institution);
  // Revokes a key (idempotent); not_found if it is not that institution's.
  [[nodiscard]] Status revoke_machine_key(const std::string& institution, const std::string& key_id);

  // Webhook (HMAC) secrets, Standard Webhooks style. Returns {secret_id, "whsec_" + base64 of 32
  // random bytes}, once.
  Result<std::pair<std::string, std::string>> create_webhook_secret(const std::string& institution, int64_t now_ms);
  // The raw secrets of the institution's active webhook secrets, newest first (sign with the
  // first, verify against any), for HMAC only: they must not be logged or returned.
  Result<std::vector<std::string>> webhook_secrets(const std::string& institution);
  // Revokes a webhook secret (idempotent); not_found if it is not that institution's.
  [[nodiscard]] Status revoke_webhook_secret(const std::string& institution, const std::string& secret_id);

  struct Impl;  // credential_store_impl.h, shared by the files of this class only

 private:
  explicit CredentialStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The password rule: 8 to 128 characters (rule "length-8-128") and not one of the most common
// passwords (rule "not-common", identity/common_passwords.h); a 400 naming "password" otherwise.
[[nodiscard]] Status check_password_rule(const std::string& password);

}  // namespace xyd::identity

// CredentialStore, sessions: opaque bearer tokens, stored as their SHA-256 only.
//   tok/<sha256 hex of token>       -> session id
//   ses/<session id>                -> the session record (with the token digest and revoked_ms)
//   acs/<account> NUL <session id>  -> "" (index, so revoking all of an account's is a prefix scan)
// Purging is lazy: a revoked session's records stay until it would have expired (so its token is
// answered "token-revoked", not "token-unknown"); expired sessions are deleted when their account
// opens a new session or has its sessions revoked. Tokens of purged sessions are "token-unknown".
#include <sodium.h>

#include "identity/credential_store.h"
#include "identity/credential_store_impl.h"

namespace xyd::identity {
namespace {

constexpr std::string_view kTokenPrefix = "xyds_";

std::string token_key(const std::string& token_hash) {
  return "tok/" + token_hash;
}
std::string session_key(const std::string& session_id) {
  return "ses/" + session_id;
}
std::string account_prefix(const std::string& account) {
  return "acs/" + account + std::string(1, '\0');
}

// A session as stored: the Session and what the store alone needs.
struct StoredSession {
  Session session;
  std::string token_hash;
  int64_t revoked_ms = 0;

  template <class Self, class Io>
  static void fields(Self& s, Io&& io) {
    io(s.token_hash), io(s.session.account), io(s.session.credential_ref), io(s.session.created_ms);
    io(s.session.expires_ms), io(s.session.restricted), io(s.session.client_address), io(s.session.method);
    io(s.revoked_ms);
  }
};

std::string encode(const StoredSession& s) {
  return encode_record("session-v1", s);
}

Result<StoredSession> decode(const std::string& session_id, const std::string& data) {
  StoredSession s;
  s.session.id = session_id;
  if (!decode_record("session-v1", data, s)) return corrupt_record(session_key(session_id));
  return s;
}

Result<std::optional<StoredSession>> load(CredentialStore::Impl& impl, const std::string& session_id) {
  XYD_ASSIGN_OR_RETURN(auto data, impl.get(session_key(session_id)));
  if (!data) return std::optional<StoredSession>();
  XYD_ASSIGN_OR_RETURN(auto stored, decode(session_id, *data));
  return std::optional<StoredSession>(std::move(stored));
}

void erase(rocksdb::WriteBatch& batch, const StoredSession& s) {
  batch.Delete(token_key(s.token_hash));
  batch.Delete(session_key(s.session.id));
  batch.Delete(account_prefix(s.session.account) + s.session.id);
}

Error unauthenticated(std::string message, std::string rule) {
  return make_error(Errc::unauthenticated, std::move(message), "Authorization", std::move(rule));
}

}  // namespace

Result<std::pair<std::string, Session>> CredentialStore::open_session(const std::string& account,
                                                                      const std::string& credential_ref, int64_t ttl_ms,
                                                                      bool restricted,
                                                                      const std::string& client_address,
                                                                      const std::string& method, int64_t now_ms) {
  if (account.empty()) return make_error(Errc::invalid_argument, "a session needs an account", "account", "required");
  if (account.find('\0') != std::string::npos)  // NUL ends the account in index keys
    return make_error(Errc::invalid_argument, "an account id has no NUL character", "account", "no-nul");
  if (ttl_ms <= 0) return make_error(Errc::invalid_argument, "a session lasts a positive time", "ttl_ms", "positive");
  if (method != "password" && method != "otp")
    return make_error(Errc::invalid_argument, "a session is opened by \"password\" or \"otp\"", "method", "one-of");

  StoredSession stored;
  std::string random = random_bytes(32);
  std::string token = std::string(kTokenPrefix) + base64url(random);
  sodium_memzero(random.data(), random.size());
  stored.token_hash = sha256_hex(token);
  stored.session =
      Session{random_hex(16), account, credential_ref, now_ms, now_ms + ttl_ms, restricted, client_address, method};

  std::lock_guard lock(impl_->session_mutex);
  rocksdb::WriteBatch batch;
  XYD_ASSIGN_OR_RETURN(auto index, impl_->scan(account_prefix(account)));
  for (const auto& [key, value] : index) {
    XYD_ASSIGN_OR_RETURN(auto old, load(*impl_, key.substr(account_prefix(account).size())));
    if (old && old->session.account != account) continue;  // cannot happen: accounts have no NUL
    if (!old) {
      batch.Delete(key);  // a dangling index entry
    } else if (old->session.expires_ms <= now_ms) {
      erase(batch, *old);
    }
  }
  batch.Put(token_key(stored.token_hash), stored.session.id);
  batch.Put(session_key(stored.session.id), encode(stored));
  batch.Put(account_prefix(account) + stored.session.id, "");
  XYD_RETURN_IF_ERROR(impl_->write(batch, /*sync=*/true));  // the token is acknowledged to the user
  return std::make_pair(std::move(token), stored.session);
}

Result<Session> CredentialStore::find_session(const std::string& token, int64_t now_ms) {
  const std::string unknown = "the session token is not known; log in again";
  if (!token.starts_with(kTokenPrefix)) return unauthenticated(unknown, "token-unknown");
  std::string token_hash = sha256_hex(token);
  XYD_ASSIGN_OR_RETURN(auto session_id, impl_->get(token_key(token_hash)));
  if (!session_id) return unauthenticated(unknown, "token-unknown");
  XYD_ASSIGN_OR_RETURN(auto stored, load(*impl_, *session_id));
  // The digest in the record must match too (it always does unless the index was damaged).
  if (!stored || !constant_time_equal(stored->token_hash, token_hash)) return unauthenticated(unknown, "token-unknown");
  if (stored->revoked_ms != 0) return unauthenticated("the session was ended; log in again", "token-revoked");
  if (stored->session.expires_ms <= now_ms)
    return unauthenticated("the session has expired; log in again", "token-expired");
  return std::move(stored->session);
}

Status CredentialStore::revoke_session(const std::string& session_id) {
  std::lock_guard lock(impl_->session_mutex);
  XYD_ASSIGN_OR_RETURN(auto stored, load(*impl_, session_id));
  if (!stored) return make_error(Errc::not_found, "no session " + session_id, "session_id", "exists");
  if (stored->revoked_ms != 0) return Status();
  stored->revoked_ms = wall_clock_ms();
  rocksdb::WriteBatch batch;
  batch.Put(session_key(session_id), encode(*stored));
  return impl_->write(batch, /*sync=*/true);
}

Result<size_t> CredentialStore::revoke_sessions_of(const std::string& account, const std::string& keep_session_id) {
  return revoke_sessions_of(account, keep_session_id, wall_clock_ms());
}

Result<size_t> CredentialStore::revoke_sessions_of(const std::string& account, const std::string& keep_session_id,
                                                   int64_t now_ms) {
  std::lock_guard lock(impl_->session_mutex);
  const std::string prefix = account_prefix(account);
  XYD_ASSIGN_OR_RETURN(auto index, impl_->scan(prefix));
  rocksdb::WriteBatch batch;
  size_t revoked = 0;
  for (const auto& [key, value] : index) {
    std::string session_id = key.substr(prefix.size());
    if (session_id == keep_session_id) continue;
    XYD_ASSIGN_OR_RETURN(auto stored, load(*impl_, session_id));
    if (stored && stored->session.account != account) continue;  // cannot happen: accounts have no NUL
    if (!stored) {
      batch.Delete(key);  // a dangling index entry
    } else if (stored->session.expires_ms <= now_ms) {
      erase(batch, *stored);
    } else if (stored->revoked_ms == 0) {
      stored->revoked_ms = wall_clock_ms();
      batch.Put(session_key(session_id), encode(*stored));
      ++revoked;
    }
  }
  XYD_RETURN_IF_ERROR(impl_->write(batch, /*sync=*/true));
  return revoked;
}

Status CredentialStore::update_session_credential(const std::string& session_id, const std::string& credential_ref) {
  std::lock_guard lock(impl_->session_mutex);
  XYD_ASSIGN_OR_RETURN(auto stored, load(*impl_, session_id));
  if (!stored) return make_error(Errc::not_found, "no session " + session_id, "session_id", "exists");
  if (stored->revoked_ms != 0) return unauthenticated("the session was ended; log in again", "token-revoked");
  stored->session.credential_ref = credential_ref;
  stored->session.restricted = false;
  rocksdb::WriteBatch batch;
  batch.Put(session_key(session_id), encode(*stored));
  return impl_->write(batch, /*sync=*/true);
}

}  // namespace xyd::identity

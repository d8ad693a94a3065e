// CredentialStore, machine identities of connectors:
//   mk/<key_id>                          -> API key record (SHA-256 of the whole key, never the key)
//   mki/<institution> NUL <key_id>       -> "" (index of an institution's keys)
//   whs/<institution> NUL <secret_id>    -> webhook secret record (the raw secret: HMAC needs it)
// Records of revoked keys and secrets are kept, so lists show them and revoking is idempotent.
#include <sodium.h>

#include <algorithm>

#include "identity/credential_store.h"
#include "identity/credential_store_impl.h"

namespace xyd::identity {
namespace {

constexpr std::string_view kKeyPrefix = "xydk_";
constexpr size_t kKeyIdBytes = 6;                                            // 12 hex characters
constexpr size_t kKeyLength = kKeyPrefix.size() + 2 * kKeyIdBytes + 1 + 43;  // xydk_<id>_<secret>

std::string key_key(const std::string& key_id) {
  return "mk/" + key_id;
}
std::string institution_keys(const std::string& institution) {
  return "mki/" + institution + std::string(1, '\0');
}
std::string institution_webhooks(const std::string& institution) {
  return "whs/" + institution + std::string(1, '\0');
}

struct StoredKey {
  MachineKey key;
  std::string key_hash;

  template <class Self, class Io>
  static void fields(Self& k, Io&& io) {
    io(k.key_hash), io(k.key.role), io(k.key.institution), io(k.key.created_ms), io(k.key.revoked_ms);
    io(k.key.created_by);
  }
};

std::string encode(const StoredKey& k) {
  return encode_record("machine-key-v1", k);
}

Result<StoredKey> decode_key(const std::string& key_id, const std::string& data) {
  StoredKey k;
  k.key.key_id = key_id;
  if (!decode_record("machine-key-v1", data, k)) return corrupt_record(key_key(key_id));
  return k;
}

Result<std::optional<StoredKey>> load_key(CredentialStore::Impl& impl, const std::string& key_id) {
  XYD_ASSIGN_OR_RETURN(auto data, impl.get(key_key(key_id)));
  if (!data) return std::optional<StoredKey>();
  XYD_ASSIGN_OR_RETURN(auto stored, decode_key(key_id, *data));
  return std::optional<StoredKey>(std::move(stored));
}

struct StoredWebhookSecret {
  std::string secret;
  int64_t created_ms = 0;
  int64_t revoked_ms = 0;

  template <class Self, class Io>
  static void fields(Self& s, Io&& io) {
    io(s.secret), io(s.created_ms), io(s.revoked_ms);
  }
};

std::string encode(const StoredWebhookSecret& s) {
  return encode_record("webhook-secret-v1", s);
}

Result<StoredWebhookSecret> decode_webhook(const std::string& key, const std::string& data) {
  StoredWebhookSecret s;
  if (!decode_record("webhook-secret-v1", data, s)) return corrupt_record(key);
  return s;
}

bool is_lower_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}
bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// The key id of a well-formed presented key, or nullopt.
std::optional<std::string> parse_key_id(const std::string& presented) {
  if (presented.size() != kKeyLength || !presented.starts_with(kKeyPrefix)) return std::nullopt;
  std::string key_id = presented.substr(kKeyPrefix.size(), 2 * kKeyIdBytes);
  if (!std::all_of(key_id.begin(), key_id.end(), is_lower_hex)) return std::nullopt;
  size_t separator = kKeyPrefix.size() + key_id.size();
  if (presented[separator] != '_') return std::nullopt;
  if (!std::all_of(presented.begin() + separator + 1, presented.end(), is_base64url)) return std::nullopt;
  return key_id;
}

// NUL separates an institution from the id in index keys, so it may not appear in either. The
// empty institution holds the keys of data sources that belong to none.
Status check_institution(const std::string& institution) {
  if (institution.find('\0') != std::string::npos)
    return make_error(Errc::invalid_argument, "an institution id has no NUL character", "institution", "no-nul");
  return Status();
}

Status require_institution(const std::string& institution) {
  if (institution.empty())
    return make_error(Errc::invalid_argument, "an institution is required", "institution", "required");
  return check_institution(institution);
}

bool is_id(const std::string& id) {
  return id.size() == 2 * kKeyIdBytes && std::all_of(id.begin(), id.end(), is_lower_hex);
}

}  // namespace

Result<std::pair<std::string, MachineKey>> CredentialStore::create_machine_key(const std::string& role,
                                                                               const std::string& institution,
                                                                               const std::string& created_by,
                                                                               int64_t now_ms) {
  if (role != "bank_connector" && role != "data_source")
    return make_error(Errc::invalid_argument, "a machine key's role is \"bank_connector\" or \"data_source\"", "role",
                      "one-of");
  // A bank connector acts for its bank; a data source may belong to no institution.
  XYD_RETURN_IF_ERROR(role == "bank_connector" ? require_institution(institution) : check_institution(institution));
  std::lock_guard lock(impl_->key_mutex);
  std::string key_id;
  for (int attempt = 0;; ++attempt) {  // 48 random bits: a clash is rare, but must not overwrite a key
    key_id = random_hex(kKeyIdBytes);
    XYD_ASSIGN_OR_RETURN(auto existing, impl_->get(key_key(key_id)));
    if (!existing) break;
    if (attempt == 8) return make_error(Errc::fatal, "could not draw an unused machine key id");
  }
  std::string random = random_bytes(32);
  std::string presented = std::string(kKeyPrefix) + key_id + "_" + base64url(random);
  sodium_memzero(random.data(), random.size());
  StoredKey stored;
  stored.key = MachineKey{key_id, role, institution, now_ms, 0, created_by};
  stored.key_hash = sha256_hex(presented);
  rocksdb::WriteBatch batch;
  batch.Put(key_key(key_id), encode(stored));
  batch.Put(institution_keys(institution) + key_id, "");
  XYD_RETURN_IF_ERROR(impl_->write(batch, /*sync=*/true));
  return std::make_pair(std::move(presented), stored.key);
}

Result<MachineKey> CredentialStore::find_machine_key(const std::string& presented_key,
                                                     [[maybe_unused]] int64_t now_ms) {
  auto key_id = parse_key_id(presented_key);
  if (!key_id)
    return make_error(Errc::unauthenticated, "the API key is malformed (xydk_<key id>_<secret>)", "Authorization",
                      "key-malformed");
  XYD_ASSIGN_OR_RETURN(auto stored, load_key(*impl_, *key_id));
  if (!stored || !constant_time_equal(sha256_hex(presented_key), stored->key_hash))
    return make_error(Errc::unauthenticated, "the API key is not known", "Authorization", "key-unknown");
  if (stored->key.revoked_ms != 0)
    return make_error(Errc::unauthenticated, "the API key was revoked; use a current key", "Authorization",
                      "key-revoked");
  return std::move(stored->key);
}

Result<std::vector<MachineKey>> CredentialStore::list_machine_keys(const std::string& institution) {
  XYD_RETURN_IF_ERROR(check_institution(institution));
  const std::string prefix = institution_keys(institution);
  XYD_ASSIGN_OR_RETURN(auto index, impl_->scan(prefix));
  std::vector<MachineKey> keys;
  for (const auto& [index_key, value] : index) {
    XYD_ASSIGN_OR_RETURN(auto stored, load_key(*impl_, index_key.substr(prefix.size())));
    if (stored && stored->key.institution == institution) keys.push_back(std::move(stored->key));
  }
  std::stable_sort(keys.begin(), keys.end(),
                   [](const MachineKey& a, const MachineKey& b) { return a.created_ms < b.created_ms; });
  return keys;
}

Status CredentialStore::revoke_machine_key(const std::string& institution, const std::string& key_id) {
  if (!is_id(key_id))
    return make_error(Errc::not_found, "the institution has no machine key " + key_id, "key_id", "exists");
  std::lock_guard lock(impl_->key_mutex);
  XYD_ASSIGN_OR_RETURN(auto stored, load_key(*impl_, key_id));
  if (!stored || stored->key.institution != institution)
    return make_error(Errc::not_found, "the institution has no machine key " + key_id, "key_id", "exists");
  if (stored->key.revoked_ms != 0) return Status();
  stored->key.revoked_ms = wall_clock_ms();
  rocksdb::WriteBatch batch;
  batch.Put(key_key(key_id), encode(*stored));
  return impl_->write(batch, /*sync=*/true);
}

Result<std::pair<std::string, std::string>> CredentialStore::create_webhook_secret(const std::string& institution,
                                                                                   int64_t now_ms) {
  XYD_RETURN_IF_ERROR(require_institution(institution));
  std::lock_guard lock(impl_->key_mutex);
  std::string secret_id;
  for (int attempt = 0;; ++attempt) {
    secret_id = random_hex(kKeyIdBytes);
    XYD_ASSIGN_OR_RETURN(auto existing, impl_->get(institution_webhooks(institution) + secret_id));
    if (!existing) break;
    if (attempt == 8) return make_error(Errc::fatal, "could not draw an unused webhook secret id");
  }
  std::string random = random_bytes(32);
  StoredWebhookSecret stored{"whsec_" + base64(random), now_ms, 0};
  sodium_memzero(random.data(), random.size());
  rocksdb::WriteBatch batch;
  batch.Put(institution_webhooks(institution) + secret_id, encode(stored));
  XYD_RETURN_IF_ERROR(impl_->write(batch, /*sync=*/true));
  return std::make_pair(std::move(secret_id), std::move(stored.secret));
}

Result<std::vector<std::string>> CredentialStore::webhook_secrets(const std::string& institution) {
  XYD_RETURN_IF_ERROR(require_institution(institution));
  XYD_ASSIGN_OR_RETURN(auto records, impl_->scan(institution_webhooks(institution)));
  std::vector<StoredWebhookSecret> active;
  for (const auto& [key, data] : records) {
    XYD_ASSIGN_OR_RETURN(auto stored, decode_webhook(key, data));
    if (stored.revoked_ms == 0) active.push_back(std::move(stored));
  }
  std::stable_sort(active.begin(), active.end(), [](const StoredWebhookSecret& a, const StoredWebhookSecret& b) {
    return a.created_ms > b.created_ms;
  });
  std::vector<std::string> secrets;
  for (auto& s : active) secrets.push_back(std::move(s.secret));
  return secrets;
}

Status CredentialStore::revoke_webhook_secret(const std::string& institution, const std::string& secret_id) {
  if (!is_id(secret_id) || !require_institution(institution).ok())
    return make_error(Errc::not_found, "the institution has no webhook secret " + secret_id, "secret_id", "exists");
  std::lock_guard lock(impl_->key_mutex);
  const std::string key = institution_webhooks(institution) + secret_id;
  XYD_ASSIGN_OR_RETURN(auto data, impl_->get(key));
  if (!data)
    return make_error(Errc::not_found, "the institution has no webhook secret " + secret_id, "secret_id", "exists");
  XYD_ASSIGN_OR_RETURN(auto stored, decode_webhook(key, *data));
  if (stored.revoked_ms != 0) return Status();
  stored.revoked_ms = wall_clock_ms();
  rocksdb::WriteBatch batch;
  batch.Put(key, encode(stored));
  return impl_->write(batch, /*sync=*/true);
}

}  // namespace xyd::identity

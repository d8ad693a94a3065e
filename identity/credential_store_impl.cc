// Storage, crypto and record helpers of CredentialStore (see credential_store_impl.h).
#include "identity/credential_store_impl.h"

#include <sodium.h>

#include <charconv>
#include <chrono>

#include "events/rocks/rocks_status.h"

namespace xyd::identity {

Error storage_error(const rocksdb::Status& s) {
  return rocks::error_of(s, "credential store");
}

int64_t wall_clock_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Error corrupt_record(const std::string& key) {
  // The key may hold a token digest or an account id, not a secret; still, name only its prefix.
  return make_error(Errc::corrupt,
                    "credential store: a record under " + key.substr(0, key.find('/') + 1) + " does not decode");
}

Result<std::optional<std::string>> CredentialStore::Impl::get(const std::string& key) {
  std::string value;
  auto s = db->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return storage_error(s);
  return std::optional<std::string>(std::move(value));
}

Status CredentialStore::Impl::write(rocksdb::WriteBatch& batch, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  auto s = db->Write(options, &batch);
  if (!s.ok()) return storage_error(s);
  return Status();
}

Result<std::vector<std::pair<std::string, std::string>>> CredentialStore::Impl::scan(const std::string& prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next())
    out.emplace_back(it->key().ToString(), it->value().ToString());
  if (!it->status().ok()) return storage_error(it->status());
  return out;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  randombytes_buf(out.data(), n);
  return out;
}

namespace {
std::string encode_base64(std::string_view bytes, int variant) {
  std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.resize(out.size() - 1);  // the encoded length counts the terminating NUL
  return out;
}

std::string to_hex(const unsigned char* bytes, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.resize(n * 2);
  return out;
}
}  // namespace

std::string base64url(std::string_view bytes) {
  return encode_base64(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string base64(std::string_view bytes) {
  return encode_base64(bytes, sodium_base64_VARIANT_ORIGINAL);
}

std::string random_hex(size_t n) {
  std::string bytes = random_bytes(n);
  std::string out = to_hex(reinterpret_cast<const unsigned char*>(bytes.data()), n);
  sodium_memzero(bytes.data(), bytes.size());
  return out;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(digest, sizeof digest);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;  // the lengths of digests and key formats are public
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

RecordWriter& RecordWriter::add(std::string_view field) {
  data_ += std::to_string(field.size());
  data_ += ':';
  data_ += field;
  return *this;
}

bool RecordReader::read(std::string& field) {
  if (!ok_) return false;
  size_t colon = data_.find(':');
  size_t length = 0;
  if (colon == std::string_view::npos) return ok_ = false;
  auto [end, ec] = std::from_chars(data_.data(), data_.data() + colon, length);
  if (ec != std::errc() || end != data_.data() + colon || data_.size() - colon - 1 < length) return ok_ = false;
  field.assign(data_.substr(colon + 1, length));
  data_.remove_prefix(colon + 1 + length);
  return true;
}

bool RecordReader::read(int64_t& number) {
  std::string field;
  if (!read(field)) return false;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), number);
  if (ec != std::errc() || end != field.data() + field.size()) return ok_ = false;
  return true;
}

bool RecordReader::read(bool& flag) {
  std::string field;
  if (!read(field)) return false;
  if (field != "0" && field != "1") return ok_ = false;
  flag = field == "1";
  return true;
}

}  // namespace xyd::identity

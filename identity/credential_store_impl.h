// Internals of CredentialStore shared by its files (credential_store.cc, session_store.cc,
// one_time_codes.cc, machine_keys.cc): the RocksDB handle, one mutex per concern, storage and
// crypto helpers, and a small length-prefixed record encoding. Not part of the interface of xyd_identity.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "identity/credential_store.h"

namespace xyd::identity {

// The state behind a CredentialStore. The mutexes make each concern's read-modify-write steps
// atomic; concerns use disjoint key prefixes, so they do not wait on one another (a password hash
// takes tens of ms and must not hold up session look-ups).
struct CredentialStore::Impl {
  std::unique_ptr<rocksdb::DB> db;
  std::mutex password_mutex;
  std::mutex session_mutex;
  std::mutex code_mutex;
  std::mutex key_mutex;
  // A hash of a random password, verified against when there is no real hash (same time).
  std::once_flag decoy_once;
  std::string decoy_hash;

  // The value under `key`, nullopt if absent.
  Result<std::optional<std::string>> get(const std::string& key);
  // Applies the batch; sync=true for writes that acknowledge something to a user.
  [[nodiscard]] Status write(rocksdb::WriteBatch& batch, bool sync = true);
  // Every {key, value} whose key starts with `prefix`, in key order.
  Result<std::vector<std::pair<std::string, std::string>>> scan(const std::string& prefix);
};

Error storage_error(const rocksdb::Status& s);
// The wall clock in Unix ms, for timestamps of operations that take no `now_ms` (revocations).
int64_t wall_clock_ms();

// `n` random bytes (libsodium randombytes_buf).
std::string random_bytes(size_t n);
// Base64url without padding (32 bytes -> 43 characters).
std::string base64url(std::string_view bytes);
// Standard base64 with padding.
std::string base64(std::string_view bytes);
// Lower-case hex of `n` random bytes.
std::string random_hex(size_t n);
// SHA-256 of `data`, lower-case hex (libsodium crypto_hash_sha256).
std::string sha256_hex(std::string_view data);
// Equality of two secrets (or their digests) in time independent of where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// A record as length-prefixed fields ("<len>:<bytes>" each), so any bytes may appear in a field.
class RecordWriter {
 public:
  RecordWriter& add(std::string_view field);
  RecordWriter& add(int64_t number) { return add(std::to_string(number)); }
  RecordWriter& add(bool flag) { return add(std::string_view(flag ? "1" : "0")); }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

// Reads the fields of a RecordWriter's output in order; any read fails once one has failed.
class RecordReader {
 public:
  explicit RecordReader(std::string_view data) : data_(data) {}
  bool read(std::string& field);
  bool read(int64_t& number);
  bool read(bool& flag);
  bool ok() const { return ok_; }

 private:
  std::string_view data_;
  bool ok_ = true;
};

Error corrupt_record(const std::string& key);

// A stored record's fields are listed once, by its type's `fields(self, io)`, which calls io(field)
// for each in order; these write and read the record with its format version first. Reading fails
// (false) on a truncated record, a field of the wrong kind, or another version.
template <class Stored>
std::string encode_record(std::string_view version, const Stored& record) {
  RecordWriter w;
  w.add(version);
  Stored::fields(record, [&w](const auto& field) { w.add(field); });
  return w.data();
}
template <class Stored>
bool decode_record(std::string_view version, std::string_view data, Stored& record) {
  RecordReader r(data);
  std::string found;
  r.read(found);
  Stored::fields(record, [&r](auto& field) { r.read(field); });
  return r.ok() && found == version;
}

}  // namespace xyd::identity

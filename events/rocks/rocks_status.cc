#include "events/rocks/rocks_status.h"

namespace xyd::rocks {
namespace {

// RocksDB reports a LOCK file held elsewhere as an I/O error "While lock file: ...".
bool lock_held(const rocksdb::Status& status) {
  return status.IsBusy() || (status.IsIOError() && status.ToString().find("lock file") != std::string::npos);
}

Errc code_of(const rocksdb::Status& status) {
  if (status.IsCorruption()) return Errc::corrupt;
  if (lock_held(status)) return Errc::busy;
  return Errc::unavailable;
}

}  // namespace

Error error_of(const rocksdb::Status& status, const std::string& what) {
  return make_error(code_of(status), what + ": " + status.ToString());
}

Status status_of(const rocksdb::Status& status, const std::string& what) {
  if (status.ok()) return Status();
  return error_of(status, what);
}

Error open_error(const rocksdb::Status& status, const std::string& store, const std::string& path,
                 const std::string& when_busy) {
  const Errc code = code_of(status);
  std::string message = "cannot open " + store + " at " + path + ": " + status.ToString();
  if (code == Errc::busy && !when_busy.empty()) message += " (" + when_busy + ")";
  return make_error(code, message);
}

}  // namespace xyd::rocks

// RocksDB statuses as xyd errors, one mapping for every store: corruption is `corrupt`, a folder
// whose lock another process holds (an `xyd serve` on the same data folder) is `busy`, anything
// else `unavailable`. Pure functions over a status; any thread.
#pragma once

#include <rocksdb/status.h>

#include <string>

#include "events/result.h"

namespace xyd::rocks {

// `what` says what was being done ("reading the projection catalog"); the status's text follows.
Error error_of(const rocksdb::Status& status, const std::string& what);
// Status() when `status` is ok, else error_of.
Status status_of(const rocksdb::Status& status, const std::string& what);

// A failed DB::Open of `store` ("the projection store") at `path`. When another process holds
// the folder's lock the error is `busy` and ends with `when_busy` (what the user can do instead).
Error open_error(const rocksdb::Status& status, const std::string& store, const std::string& path,
                 const std::string& when_busy);

}  // namespace xyd::rocks

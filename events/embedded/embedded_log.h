// The embedded backend of EventLog: topics, partitions, records and consumer offsets in one
// RocksDB database; an append is one WriteBatch written with the write-ahead log synced, and
// concurrent appends share that synced write (group commit). Safe for concurrent use.
#pragma once

#include <memory>
#include <string>

#include "events/event_log.h"

namespace xyd::log {

struct EmbeddedLogOptions {
  std::string path = "./data/log";
  bool sync = true;  // sync the write-ahead log before acknowledging (never off in production)
  // Open a read-only view of a log another process (xyd serve) may hold: RocksDB's secondary
  // instance, caught up once at open. Appends and topic creation are refused.
  bool read_only = false;
};

Result<std::unique_ptr<EventLog>> open_embedded_log(const EmbeddedLogOptions& options);

}  // namespace xyd::log

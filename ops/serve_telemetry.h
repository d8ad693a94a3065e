// What `xyd serve` adds to telemetry: the logger configured from --log-format and --log-level (and
// std::cerr routed through it), and the families /metrics reads at scrape time: each view's lag in
// events and in seconds, rebuild progress, and the projection store's RocksDB sizes. Set up once
// on the main thread; the scrape-time source runs on the request thread that scrapes.
#pragma once

#include <memory>

#include "events/result.h"
#include "ops/cli_options.h"
#include "projections/runtime/runtime.h"

namespace xyd::ops {

// Reads --log-format json|text (XYD_LOG_FORMAT, default text) and --log-level
// debug|info|warn|error (XYD_LOG_LEVEL, default info), configures the logger and captures std::cerr.
[[nodiscard]] Status configure_logging(const CliOptions& options);

// Adds the projections' families to /metrics until the returned handle is destroyed (before the
// runtime is).
[[nodiscard]] std::shared_ptr<void> add_projection_metrics(projections::runtime::ProjectionRuntime& runtime);

// Adds xyd_rocksdb_disk_bytes{store}: the bytes on disk of every RocksDB store in the data folder
// (each subfolder with a CURRENT file: the embedded log, aggregate state, credentials, views,
// connectors), read at scrape time, until the returned handle is destroyed.
[[nodiscard]] std::shared_ptr<void> add_store_size_metrics(const std::string& data_dir);

}  // namespace xyd::ops

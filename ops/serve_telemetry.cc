#include "ops/serve_telemetry.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

#include "events/resting_offsets.h"
#include "ops/telemetry/logger.h"
#include "ops/telemetry/metrics.h"

namespace xyd::ops {
namespace {

// When each view was last seen caught up, for its lag in seconds. Guarded by its mutex.
struct CaughtUpClock {
  std::mutex mutex;
  std::map<std::string, std::chrono::steady_clock::time_point> last;
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace

Status configure_logging(const CliOptions& options) {
  const std::string format_text = options.flag("log-format");  // or XYD_LOG_FORMAT
  const std::string level_text = options.flag("log-level");    // or XYD_LOG_LEVEL
  const auto format = telemetry::parse_format(format_text);
  if (!format)
    return make_error(Errc::invalid_argument, "--log-format must be json or text, not '" + format_text + "'",
                      "log-format", "one-of");
  const auto level = telemetry::parse_level(level_text);
  if (!level)
    return make_error(Errc::invalid_argument,
                      "--log-level must be debug, info, warn or error, not '" + level_text + "'", "log-level",
                      "one-of");
  telemetry::logger().configure(*format, *level);
  telemetry::logger().capture_std_cerr();
  return Status();
}

std::shared_ptr<void> add_projection_metrics(projections::runtime::ProjectionRuntime& runtime) {
  auto clock = std::make_shared<CaughtUpClock>();
  return telemetry::metrics().add_source([&runtime, clock](telemetry::MetricFamilies& families) {
    using telemetry::add_sample;
    auto lag_events = telemetry::gauge_family("xyd_projection_lag_events",
                                              "Events between a view's live version and the end of the log");
    auto lag_seconds = telemetry::gauge_family(
        "xyd_projection_lag_seconds", "Seconds since a view's live version was last caught up with the log (0: now)");
    auto rebuild_done = telemetry::gauge_family("xyd_projection_rebuild_events_done",
                                                "Events a rebuild in progress has read of the log");
    auto rebuild_total = telemetry::gauge_family("xyd_projection_rebuild_events_total",
                                                 "Events a rebuild in progress has to read (the log's end)");
    auto rebuild_ratio =
        telemetry::gauge_family("xyd_projection_rebuild_progress_ratio", "A rebuild's progress, from 0 to 1");
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(clock->mutex);
    for (const auto& status : runtime.status()) {
      if (status.kind != "projection") continue;  // subscriptions: xyd_follower_position below
      const std::map<std::string, std::string> labels = {{"projection", status.name}};
      if (status.live) {
        const auto& progress = status.live->progress;
        add_sample(lag_events, labels, static_cast<double>(progress.lag));
        if (progress.caught_up) clock->last[status.name] = now;
        const auto since = clock->last.contains(status.name) ? clock->last[status.name] : clock->started;
        add_sample(lag_seconds, labels, progress.caught_up ? 0 : std::chrono::duration<double>(now - since).count());
      }
      if (status.rebuild) {
        const auto& progress = status.rebuild->progress;
        add_sample(rebuild_done, labels, static_cast<double>(progress.done));
        add_sample(rebuild_total, labels, static_cast<double>(progress.total));
        add_sample(rebuild_ratio, labels,
                   progress.total == 0 ? 0 : static_cast<double>(progress.done) / static_cast<double>(progress.total));
      }
    }
    auto sizes = telemetry::gauge_family("xyd_rocksdb_bytes",
                                         "RocksDB sizes by store and property (rocksdb.total-sst-files-size, "
                                         "rocksdb.estimate-live-data-size, rocksdb.cur-size-all-mem-tables)");
    for (const auto& [property, value] : runtime.store().size_properties())
      add_sample(sizes, {{"store", "projections"}, {"property", property}}, static_cast<double>(value));
    // The followers that keep their own positions (outbound, data sources, risk publisher): the
    // offset each has settled per partition, as Kafka tools see it under the same group.
    auto followers = telemetry::gauge_family("xyd_follower_position",
                                             "The next offset a follower that keeps its own position will read, "
                                             "by group, topic and partition");
    for (const auto& [group, positions] : log::FollowerPositions::instance().snapshot())
      for (const auto& [tp, offset] : positions)
        add_sample(followers, {{"group", group}, {"topic", tp.topic}, {"partition", std::to_string(tp.partition)}},
                   static_cast<double>(offset));
    for (auto* family : {&lag_events, &lag_seconds, &rebuild_done, &rebuild_total, &rebuild_ratio, &sizes, &followers})
      families.push_back(std::move(*family));
  });
}

std::shared_ptr<void> add_store_size_metrics(const std::string& data_dir) {
  return telemetry::metrics().add_source([data_dir](telemetry::MetricFamilies& families) {
    namespace fs = std::filesystem;
    auto disk = telemetry::gauge_family("xyd_rocksdb_disk_bytes",
                                        "Bytes on disk of each RocksDB store of the data folder (SST, WAL, manifest)");
    std::error_code error;
    for (fs::directory_iterator store(data_dir, error), end; !error && store != end; store.increment(error)) {
      if (!store->is_directory(error) || !fs::exists(store->path() / "CURRENT", error)) continue;
      double bytes = 0;
      std::error_code inner;
      for (fs::directory_iterator file(store->path(), inner), last; !inner && file != last; file.increment(inner))
        if (file->is_regular_file(inner)) bytes += static_cast<double>(file->file_size(inner));
      telemetry::add_sample(disk, {{"store", store->path().filename().string()}}, bytes);
    }
    families.push_back(std::move(disk));
  });
}

}  // namespace xyd::ops

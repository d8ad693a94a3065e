// ProjectionStore: the RocksDB database (<data>/projections) holding every version of every
// projection. Each version is its own column family ("<projection>.v<N>") with its rows and the
// log offsets they reflect side by side, so one WriteBatch commits both (guarantee 4). The
// default column family is the catalog: one entry per version (state "building" or "live", the
// rule set it was built with). Making a version live is one synced write of the catalog, and a
// retired version's column family is dropped once its last reader lets go. Thread-safe.
#pragma once

#include <rocksdb/db.h>

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "events/result.h"
#include "projections/projection.h"
#include "projections/rule_set.h"

namespace xyd::projections::runtime {

// What the catalog says of one version.
struct VersionInfo {
  std::string projection;
  int64_t version = 0;
  std::string state;        // "building" or "live"
  nlohmann::json rule_set;  // the rule set document it is built with (null: none)
  int64_t layout = 1;       // the row layout it is written in (ProjectionSpec::layout)
  std::string created_at;
  std::string live_since;

  nlohmann::json to_json() const;
  static Result<VersionInfo> from_json(const nlohmann::json& j);
};

class ProjectionStore;

// One version's column family. Shared by its worker and by the readers using it; when the
// version is retired the family is dropped, and its files go once the last holder lets go.
class VersionHandle {
 public:
  VersionHandle(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, VersionInfo info,
                std::shared_ptr<const RuleSet> rules)
      : db_(db), family_(family), info_(std::move(info)), rules_(std::move(rules)) {}
  ~VersionHandle();
  VersionHandle(const VersionHandle&) = delete;
  VersionHandle& operator=(const VersionHandle&) = delete;

  rocksdb::DB* db() const { return db_; }
  rocksdb::ColumnFamilyHandle* family() const { return family_; }
  const VersionInfo& info() const { return info_; }
  // The rule set the version is built with (null when its projection reads none).
  const std::shared_ptr<const RuleSet>& rules() const { return rules_; }
  void set_live(std::string since) {
    info_.state = "live";
    info_.live_since = std::move(since);
  }

 private:
  friend class ProjectionStore;
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
  VersionInfo info_;
  std::shared_ptr<const RuleSet> rules_;
};

class ProjectionStore {
 public:
  // Opens (creating) the store; drops column families the catalog does not name (left by a crash
  // between creating a version and recording it, or after a swap before the drop).
  // `specs` give each projection's insert hints.
  static Result<std::unique_ptr<ProjectionStore>> open(const std::string& path,
                                                       const std::vector<ProjectionSpec>& specs);
  ~ProjectionStore();

  const std::string& path() const { return path_; }
  rocksdb::DB* db() const { return db_.get(); }
  // The store's sizes for /metrics: RocksDB's rocksdb.total-sst-files-size,
  // rocksdb.estimate-live-data-size and rocksdb.cur-size-all-mem-tables over every column family.
  std::map<std::string, uint64_t> size_properties() const;

  // The versions the catalog holds for a projection, oldest first.
  std::vector<std::shared_ptr<VersionHandle>> versions(const std::string& projection) const;
  // A new version, state "building", built with `rules` (may be null).
  Result<std::shared_ptr<VersionHandle>> create_version(const std::string& projection,
                                                        std::shared_ptr<const RuleSet> rules, int64_t layout);
  // Makes `next` the live version and forgets `previous` (may be null), in one synced write.
  [[nodiscard]] Status make_live(VersionHandle& next, const std::shared_ptr<VersionHandle>& previous);
  // Forgets a version and drops its column family (readers still holding it keep reading it).
  [[nodiscard]] Status retire(const std::shared_ptr<VersionHandle>& version);
  // Bulk mode for a version being built: no compression and no compaction while it is written
  // (each row is written once, to level 0); off again when it goes live, and compaction then
  // proceeds in the background.
  [[nodiscard]] Status set_bulk_mode(const VersionHandle& version, bool on);
  // Persists a version's memtable (its rows written without the write-ahead log).
  [[nodiscard]] Status flush(const VersionHandle& version);

  // The state of a follower of a view (the risk-warning publisher's cursor and the log positions
  // it has published for), kept beside the catalog under "f/<name>": one synced write.
  [[nodiscard]] Status put_follower_state(const std::string& name, const nlohmann::json& state);
  Result<std::optional<nlohmann::json>> follower_state(const std::string& name) const;

 private:
  ProjectionStore(std::string path, std::unique_ptr<rocksdb::DB> db, const std::vector<ProjectionSpec>& specs);
  rocksdb::ColumnFamilyOptions family_options(const std::string& projection) const;
  [[nodiscard]] Status load(std::vector<rocksdb::ColumnFamilyHandle*> handles);

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  std::map<std::string, std::function<size_t(std::string_view)>> hints_;  // projection -> insert hint prefix
  mutable std::mutex mutex_;                                              // guards versions_ and catalog writes
  std::map<std::string, std::vector<std::shared_ptr<VersionHandle>>> versions_;
};

// The column family options of a version of a projection whose rows share insert-hint prefixes
// as `hint` says (may be empty).
rocksdb::ColumnFamilyOptions version_family_options(const std::string& projection,
                                                    const std::function<size_t(std::string_view)>& hint);

}  // namespace xyd::projections::runtime

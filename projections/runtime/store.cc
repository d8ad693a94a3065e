#include "projections/runtime/store.h"

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "events/codec.h"
#include "events/numbers.h"
#include "events/rocks/rocks_status.h"

namespace xyd::projections::runtime {
namespace {

constexpr const char* kVersionPrefix = "v/";
constexpr const char* kNextPrefix = "n/";
constexpr const char* kFollowerPrefix = "f/";

Error rocks_error(const rocksdb::Status& s, const std::string& what) {
  return rocks::error_of(s, what);
}

std::string family_name(const std::string& projection, int64_t version) {
  return projection + ".v" + std::to_string(version);
}

std::string version_key(const std::string& projection, int64_t version) {
  char number[32];
  std::snprintf(number, sizeof number, "%020lld", static_cast<long long>(version));
  return kVersionPrefix + projection + "/" + number;
}

Result<std::shared_ptr<const RuleSet>> rules_of(const VersionInfo& info) {
  if (info.rule_set.is_null()) return std::shared_ptr<const RuleSet>();
  XYD_ASSIGN_OR_RETURN(
      RuleSet rules, parse_rule_set(info.rule_set.dump(), "the rule set stored with " + info.projection + " version " +
                                                              std::to_string(info.version)));
  return std::shared_ptr<const RuleSet>(std::make_shared<RuleSet>(std::move(rules)));
}

// A projection's insert-hint prefix as RocksDB wants it.
class HintPrefix final : public rocksdb::SliceTransform {
 public:
  HintPrefix(std::string name, std::function<size_t(std::string_view)> prefix)
      : name_("xyd.InsertHint." + std::move(name)), prefix_(std::move(prefix)) {}
  const char* Name() const override { return name_.c_str(); }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), prefix_(key.ToStringView()));
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    const size_t n = prefix_(key.ToStringView());
    return n > 0 && n <= key.size();
  }

 private:
  std::string name_;
  std::function<size_t(std::string_view)> prefix_;
};

std::string projection_of_family(const std::string& family) {
  const auto dot = family.rfind(".v");
  return dot == std::string::npos ? family : family.substr(0, dot);
}

std::shared_ptr<rocksdb::Cache> shared_block_cache() {
  static std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(64 << 20);
  return cache;
}

}  // namespace

nlohmann::json VersionInfo::to_json() const {
  return {{"projection", projection}, {"version", version},       {"state", state},          {"rule_set", rule_set},
          {"layout", layout},         {"created_at", created_at}, {"live_since", live_since}};
}

Result<VersionInfo> VersionInfo::from_json(const nlohmann::json& j) {
  VersionInfo info;
  try {
    info.projection = j.at("projection").get<std::string>();
    info.version = j.at("version").get<int64_t>();
    info.state = j.at("state").get<std::string>();
    info.rule_set = j.value("rule_set", nlohmann::json());
    info.layout = j.value("layout", int64_t{1});  // catalogs written before layouts were recorded
    info.created_at = j.value("created_at", std::string());
    info.live_since = j.value("live_since", std::string());
  } catch (const nlohmann::json::exception& e) {
    return make_error(Errc::corrupt,
                      std::string("a catalog entry of the projection store does not decode: ") + e.what());
  }
  return info;
}

rocksdb::ColumnFamilyOptions version_family_options(const std::string& projection,
                                                    const std::function<size_t(std::string_view)>& hint) {
  rocksdb::ColumnFamilyOptions options;
  if (hint) options.memtable_insert_with_hint_prefix_extractor = std::make_shared<HintPrefix>(projection, hint);
  options.write_buffer_size = 32 << 20;
  options.max_write_buffer_number = 3;
  options.target_file_size_base = 64 << 20;
  options.max_bytes_for_level_base = 256 << 20;
  options.level0_file_num_compaction_trigger = 4;
  // A version that was built in bulk mode goes live with tens of level-0 files: let its live
  // writes go on while compaction takes them down, rather than stall.
  options.level0_slowdown_writes_trigger = 60;
  options.level0_stop_writes_trigger = 120;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = shared_block_cache();
  table.cache_index_and_filter_blocks = true;             // memory stays bounded however large the view grows
  table.pin_l0_filter_and_index_blocks_in_cache = false;  // a bulk build makes many level-0 files: keep them evictable
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  const auto supported = rocksdb::GetSupportedCompressions();
  if (std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end())
    options.compression = rocksdb::kLZ4Compression;
  return options;
}

VersionHandle::~VersionHandle() {
  if (family_ != nullptr) db_->DestroyColumnFamilyHandle(family_);
}

ProjectionStore::ProjectionStore(std::string path, std::unique_ptr<rocksdb::DB> db,
                                 const std::vector<ProjectionSpec>& specs)
    : path_(std::move(path)), db_(std::move(db)) {
  for (const auto& spec : specs) hints_[spec.name] = spec.insert_hint_prefix;
}

rocksdb::ColumnFamilyOptions ProjectionStore::family_options(const std::string& projection) const {
  auto found = hints_.find(projection);
  return version_family_options(projection, found == hints_.end() ? nullptr : found->second);
}

ProjectionStore::~ProjectionStore() {
  versions_.clear();  // every handle must be released by now: workers and readers stop first
  db_.reset();
}

Result<std::unique_ptr<ProjectionStore>> ProjectionStore::open(const std::string& path,
                                                               const std::vector<ProjectionSpec>& specs) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec)
    return make_error(Errc::unavailable, "cannot create the projection store folder " + path + ": " + ec.message() +
                                             " (choose another data folder with --data or XYD_DATA)");
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.db_write_buffer_size = 256 << 20;  // all memtables together
  db_options.max_total_wal_size = 256 << 20;
  std::vector<std::string> names;
  auto listed = rocksdb::DB::ListColumnFamilies(db_options, path, &names);
  if (!listed.ok()) names = {rocksdb::kDefaultColumnFamilyName};  // a new store
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& name : names) {
    if (name == rocksdb::kDefaultColumnFamilyName) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
      continue;
    }
    const std::string projection = projection_of_family(name);
    const ProjectionSpec* spec = find_projection(specs, projection);
    families.emplace_back(name, version_family_options(projection, spec ? spec->insert_hint_prefix : nullptr));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(db_options, path, families, &handles, &raw);
  if (!s.ok())
    return rocks::open_error(s, "the projection store", path,
                             "`xyd serve` is running on this data folder: ask it over HTTP");
  std::unique_ptr<ProjectionStore> store(new ProjectionStore(path, std::unique_ptr<rocksdb::DB>(raw), specs));
  XYD_RETURN_IF_ERROR(store->load(std::move(handles)));
  return store;
}

Status ProjectionStore::load(std::vector<rocksdb::ColumnFamilyHandle*> handles) {
  std::map<std::string, VersionInfo> catalog;  // family name -> info
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(kVersionPrefix); it->Valid() && it->key().starts_with(kVersionPrefix); it->Next()) {
    auto parsed = nlohmann::json::parse(it->value().ToStringView(), nullptr, false);
    XYD_ASSIGN_OR_RETURN(VersionInfo info, VersionInfo::from_json(parsed));
    catalog.emplace(family_name(info.projection, info.version), std::move(info));
  }
  if (!it->status().ok()) return rocks_error(it->status(), "reading the projection catalog");
  for (auto* handle : handles) {
    const std::string name = handle->GetName();
    if (name == rocksdb::kDefaultColumnFamilyName) {
      db_->DestroyColumnFamilyHandle(handle);
      continue;
    }
    auto found = catalog.find(name);
    if (found == catalog.end()) {
      // Not in the catalog: a version abandoned by a crash. Its rows are of no use.
      auto dropped = db_->DropColumnFamily(handle);
      db_->DestroyColumnFamilyHandle(handle);
      if (!dropped.ok()) return rocks_error(dropped, "dropping the abandoned projection version " + name);
      continue;
    }
    XYD_ASSIGN_OR_RETURN(auto rules, rules_of(found->second));
    versions_[found->second.projection].push_back(
        std::make_shared<VersionHandle>(db_.get(), handle, found->second, std::move(rules)));
    catalog.erase(found);
  }
  // A catalog entry without its family: forget it.
  rocksdb::WriteBatch forget;
  for (const auto& [name, info] : catalog) forget.Delete(version_key(info.projection, info.version));
  if (forget.Count() > 0) {
    auto s = db_->Write(rocksdb::WriteOptions(), &forget);
    if (!s.ok()) return rocks_error(s, "cleaning the projection catalog");
  }
  for (auto& [projection, list] : versions_)
    std::sort(list.begin(), list.end(),
              [](const auto& a, const auto& b) { return a->info().version < b->info().version; });
  return Status();
}

std::vector<std::shared_ptr<VersionHandle>> ProjectionStore::versions(const std::string& projection) const {
  std::lock_guard lock(mutex_);
  auto found = versions_.find(projection);
  return found == versions_.end() ? std::vector<std::shared_ptr<VersionHandle>>() : found->second;
}

Result<std::shared_ptr<VersionHandle>> ProjectionStore::create_version(const std::string& projection,
                                                                       std::shared_ptr<const RuleSet> rules,
                                                                       int64_t layout) {
  std::lock_guard lock(mutex_);
  int64_t next = 1;
  std::string stored;
  auto got = db_->Get(rocksdb::ReadOptions(), kNextPrefix + projection, &stored);
  if (got.ok()) {
    XYD_ASSIGN_OR_RETURN(next, read_stored_number(stored, 1, INT64_MAX, "the next version of " + projection));
  } else if (!got.IsNotFound()) {
    return rocks_error(got, "reading the projection catalog");
  }
  for (const auto& v : versions_[projection]) next = std::max(next, v->info().version + 1);

  VersionInfo info;
  info.projection = projection;
  info.version = next;
  info.state = "building";
  info.rule_set = rules ? rules->document : nlohmann::json();
  info.layout = layout;
  info.created_at = events::now_rfc3339();
  rocksdb::ColumnFamilyHandle* family = nullptr;
  auto created = db_->CreateColumnFamily(family_options(projection), family_name(projection, next), &family);
  if (!created.ok()) return rocks_error(created, "creating " + family_name(projection, next));
  rocksdb::WriteBatch batch;
  batch.Put(version_key(projection, next), info.to_json().dump());
  batch.Put(kNextPrefix + projection, std::to_string(next + 1));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  auto written = db_->Write(sync, &batch);
  if (!written.ok()) {
    (void)db_->DropColumnFamily(family);
    db_->DestroyColumnFamilyHandle(family);
    return rocks_error(written, "recording " + family_name(projection, next));
  }
  auto handle = std::make_shared<VersionHandle>(db_.get(), family, std::move(info), std::move(rules));
  versions_[projection].push_back(handle);
  return handle;
}

Status ProjectionStore::make_live(VersionHandle& next, const std::shared_ptr<VersionHandle>& previous) {
  std::lock_guard lock(mutex_);
  VersionInfo info = next.info();
  info.state = "live";
  info.live_since = events::now_rfc3339();
  rocksdb::WriteBatch batch;
  batch.Put(version_key(info.projection, info.version), info.to_json().dump());
  if (previous) batch.Delete(version_key(previous->info().projection, previous->info().version));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  auto s = db_->Write(sync, &batch);
  if (!s.ok()) return rocks_error(s, "making " + family_name(info.projection, info.version) + " live");
  next.set_live(info.live_since);
  return Status();
}

Status ProjectionStore::retire(const std::shared_ptr<VersionHandle>& version) {
  std::lock_guard lock(mutex_);
  const auto& info = version->info();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  auto s = db_->Delete(sync, version_key(info.projection, info.version));
  if (!s.ok()) return rocks_error(s, "forgetting " + family_name(info.projection, info.version));
  auto& list = versions_[info.projection];
  std::erase(list, version);
  // Reads through handles still held keep working; the files go with the last handle.
  s = db_->DropColumnFamily(version->family());
  if (!s.ok()) return rocks_error(s, "dropping " + family_name(info.projection, info.version));
  return Status();
}

Status ProjectionStore::set_bulk_mode(const VersionHandle& version, bool on) {
  const auto supported = rocksdb::GetSupportedCompressions();
  const bool lz4 = std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end();
  auto s = db_->SetOptions(version.family(), {{"disable_auto_compactions", on ? "true" : "false"},
                                              {"compression", on || !lz4 ? "kNoCompression" : "kLZ4Compression"}});
  if (!s.ok())
    return rocks_error(s, std::string(on ? "entering" : "leaving") + " bulk mode for " +
                              family_name(version.info().projection, version.info().version));
  return Status();
}

Status ProjectionStore::flush(const VersionHandle& version) {
  rocksdb::FlushOptions options;
  options.wait = true;
  auto s = db_->Flush(options, version.family());
  if (!s.ok()) return rocks_error(s, "flushing " + family_name(version.info().projection, version.info().version));
  return Status();
}

Status ProjectionStore::put_follower_state(const std::string& name, const nlohmann::json& state) {
  rocksdb::WriteOptions synced;
  synced.sync = true;
  auto put = db_->Put(synced, kFollowerPrefix + name, state.dump());
  if (!put.ok()) return rocks_error(put, "writing the state of " + name);
  return Status();
}

Result<std::optional<nlohmann::json>> ProjectionStore::follower_state(const std::string& name) const {
  std::string stored;
  auto got = db_->Get(rocksdb::ReadOptions(), kFollowerPrefix + name, &stored);
  if (got.IsNotFound()) return std::optional<nlohmann::json>();
  if (!got.ok()) return rocks_error(got, "reading the state of " + name);
  auto state = nlohmann::json::parse(stored, nullptr, false);
  if (!state.is_object()) return make_error(Errc::fatal, "the stored state of " + name + " is not a JSON object");
  return std::optional<nlohmann::json>(std::move(state));
}

std::map<std::string, uint64_t> ProjectionStore::size_properties() const {
  std::map<std::string, uint64_t> sizes;
  for (const char* property :
       {"rocksdb.total-sst-files-size", "rocksdb.estimate-live-data-size", "rocksdb.cur-size-all-mem-tables"}) {
    uint64_t value = 0;
    if (db_->GetAggregatedIntProperty(property, &value)) sizes[property] = value;
  }
  return sizes;
}

}  // namespace xyd::projections::runtime

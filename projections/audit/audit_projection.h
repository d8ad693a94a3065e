// The audit projection: every event of every aggregate, stored as written, with its actor, time,
// position in the log and chain status (does its hash match its content, does it link to the
// previous event of its aggregate), indexed by aggregate, by time and by actor. It reads no rule
// set. Called by its version's applying thread only.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "projections/audit/audit_rows.h"
#include "projections/projection.h"

namespace xyd::projections::audit {

ProjectionSpec audit_spec();

class AuditProjection final : public Projection {
 public:
  // Chain heads are cached for up to 2 x `cache_heads` aggregates (two generations, the older
  // dropped when the newer fills); a miss reads the aggregate's last row.
  explicit AuditProjection(size_t cache_heads = 1 << 18) : cache_heads_(cache_heads) { current_.reserve(cache_heads); }

  Status apply(ViewWriter& view, const EventContext& event) override;
  void begin(bool view_was_empty) override { fresh_ = view_was_empty; }
  void batch_done(bool committed) override;

 private:
  struct Head {
    int64_t version = 0;  // 0: no event of the aggregate yet
    uint8_t hash_size = 0;
    std::array<char, 64> hash{};  // lower-case hex; a stored hash of another length matches nothing
    std::string_view hash_view() const { return {hash.data(), hash_size}; }
    void set_hash(std::string_view h);
  };
  // The head of the aggregate whose key part is `aggregate` (from the cache, else the last row).
  Result<Head*> head(ViewWriter& view, const std::string& aggregate);
  void write(ViewWriter& view, std::string_view type, std::string_view id, int64_t time_ms, std::string_view account,
             const EventContext& event, const AuditRow& row, const Head& head);

  size_t cache_heads_;
  std::unordered_map<std::string, Head> current_, previous_;
  // In a view that started empty, the aggregates this projection has written (a Bloom filter of
  // fixed size): one it has not is new, and needs no lookup of its last row.
  bool fresh_ = false;
  std::vector<uint64_t> written_filter_ = std::vector<uint64_t>(1 << 20);  // 64 Mbit, 8 MiB
  std::string aggregate_, key_, value_, id_part_;                          // reused buffers
};

}  // namespace xyd::projections::audit

// An in-memory ViewWriter and ViewReader over a std::map, for unit tests and benchmarks of
// projections without RocksDB: writes land at once (a batch is always "committed"). Used by one
// thread.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "projections/event_scan.h"
#include "projections/keys.h"
#include "projections/projection.h"

namespace xyd::projections {

class MemoryView final : public ViewWriter, public ViewReader {
 public:
  std::map<std::string, std::string> rows;

  Result<std::optional<std::string>> get(std::string_view key) override {
    auto found = rows.find(std::string(key));
    return found == rows.end() ? std::optional<std::string>() : std::optional<std::string>(found->second);
  }
  Result<std::optional<std::pair<std::string, std::string>>> last_committed(std::string_view prefix) override {
    auto it = rows.lower_bound(projections::prefix_end(prefix));
    if (it == rows.begin()) return std::optional<std::pair<std::string, std::string>>();
    --it;
    if (!std::string_view(it->first).starts_with(prefix)) return std::optional<std::pair<std::string, std::string>>();
    return std::optional<std::pair<std::string, std::string>>(*it);
  }
  void put(std::string_view key, std::string_view value) override { rows[std::string(key)] = std::string(value); }
  void append(std::string_view key, std::string_view value) override { put(key, value); }
  void erase(std::string_view key) override { rows.erase(std::string(key)); }

  Result<std::optional<std::string>> get(std::string_view key) const override {
    auto found = rows.find(std::string(key));
    return found == rows.end() ? std::optional<std::string>() : std::optional<std::string>(found->second);
  }
  std::unique_ptr<projections::ViewCursor> cursor(std::string_view prefix) const override {
    return std::make_unique<Cursor>(rows, std::string(prefix));
  }
  Status scan(std::string_view prefix, std::string_view from,
              const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    for (auto it = rows.lower_bound(std::string(from < prefix ? prefix : from)); it != rows.end(); ++it) {
      if (!std::string_view(it->first).starts_with(prefix)) break;
      if (!visit(it->first, it->second)) break;
    }
    return Status();
  }

 private:
  class Cursor final : public ViewCursor {
   public:
    Cursor(const std::map<std::string, std::string>& rows, std::string prefix)
        : rows_(rows), prefix_(std::move(prefix)) {}
    void seek(std::string_view key) override { it_ = rows_.lower_bound(std::string(key < prefix_ ? prefix_ : key)); }
    bool valid() const override { return it_ != rows_.end() && std::string_view(it_->first).starts_with(prefix_); }
    std::string_view key() const override { return it_->first; }
    std::string_view value() const override { return it_->second; }
    void next() override { ++it_; }
    Status status() const override { return Status(); }

   private:
    const std::map<std::string, std::string>& rows_;
    std::string prefix_;
    std::map<std::string, std::string>::const_iterator it_ = rows_.end();
  };
};

// Applies records [from, to) to `projection` over `view` as one committed batch, as the runtime's
// worker does (apply each, end_batch, batch_done); the first error, naming the record's offset.
inline Status apply_batch(projections::Projection& projection, MemoryView& view,
                          const std::vector<log::Record>& records, size_t from, size_t to) {
  projections::ScannedEvent scanned;
  for (size_t i = from; i < to; ++i) {
    auto scan = projections::scan_event(records[i].value, scanned);
    const Error decode_error = scan.error();
    projections::EventContext context{records[i], scan.ok() ? &scanned : nullptr, scan.ok() ? nullptr : &decode_error};
    if (auto applied = projection.apply(view, context); !applied.ok())
      return make_error(applied.error().code,
                        "record at offset " + std::to_string(records[i].offset) + ": " + applied.error().message);
  }
  projection.end_batch(view);
  projection.batch_done(true);
  return Status();
}

}  // namespace xyd::projections

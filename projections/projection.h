// A projection: a read model built as apply(view, event) over the event topics of some aggregates
// (shared/DESIGN.md, guarantees 4 and 5). The runtime (projections/runtime/) feeds it the log in
// batches and writes what it puts, together with the offsets consumed, in one RocksDB WriteBatch;
// the projection itself does no I/O. One Projection object serves one version of the view and is
// called by that version's one applying thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event_log.h"
#include "projections/event_scan.h"
#include "projections/rule_set.h"

namespace xyd::projections {

// The rows of one version of a view as one batch sees them. Keys are the projection's own (the
// runtime keeps its offsets under keys starting with a NUL byte, which projections must not use).
class ViewWriter {
 public:
  virtual ~ViewWriter() = default;
  // A row as committed before this batch, or as this batch last put or erased it.
  virtual Result<std::optional<std::string>> get(std::string_view key) = 0;
  // The greatest committed key starting with `prefix`, with its value. Rows written by this batch
  // are not seen: a projection that needs them keeps them itself until batch_done().
  virtual Result<std::optional<std::pair<std::string, std::string>>> last_committed(std::string_view prefix) = 0;
  // Writes a row that get() sees within the batch.
  virtual void put(std::string_view key, std::string_view value) = 0;
  // Writes a row nothing reads back within the batch (history, index entries): cheaper than put().
  virtual void append(std::string_view key, std::string_view value) = 0;
  virtual void erase(std::string_view key) = 0;
};

// An ordered cursor over the rows of a view whose keys start with one prefix.
class ViewCursor {
 public:
  virtual ~ViewCursor() = default;
  // Positions at the first row whose key is >= `key` (and starts with the prefix).
  virtual void seek(std::string_view key) = 0;
  virtual bool valid() const = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual void next() = 0;
  [[nodiscard]] virtual Status status() const = 0;
};

// Read access to the committed rows of a view, as of one consistent snapshot.
class ViewReader {
 public:
  virtual ~ViewReader() = default;
  // A cursor over the rows whose keys start with `prefix` (not positioned: seek first).
  virtual std::unique_ptr<ViewCursor> cursor(std::string_view prefix) const = 0;
  virtual Result<std::optional<std::string>> get(std::string_view key) const = 0;
  // Visits rows whose key starts with `prefix`, from the first key >= `from` (empty: the prefix),
  // in key order, while `visit` returns true.
  [[nodiscard]] virtual Status scan(
      std::string_view prefix, std::string_view from,
      const std::function<bool(std::string_view key, std::string_view value)>& visit) const = 0;
};

// One record of the log as a projection sees it.
struct EventContext {
  const log::Record& record;
  const ScannedEvent* event = nullptr;  // null when the record does not decode ...
  const Error* decode_error = nullptr;  // ... and this says why
};

class Projection {
 public:
  virtual ~Projection() = default;
  // Applies one event. An Error stops nothing: the runtime records it against the event's
  // position (the projection must have written nothing for it) and goes on.
  [[nodiscard]] virtual Status apply(ViewWriter& view, const EventContext& event) = 0;
  // Once, before the first batch of a worker: whether the view had no rows at all then (a build
  // from the start of the log), so rows it has not written itself cannot exist.
  virtual void begin(bool view_was_empty) { (void)view_was_empty; }
  // After each batch: whether it was committed. A projection that keeps state across events
  // (caches) drops what was not committed.
  virtual void batch_done(bool committed) { (void)committed; }
  // Once per batch, after its last apply() and before it is written: rows the projection keeps in
  // memory while a batch runs (hot counters bumped many times) go into the view.
  virtual void end_batch(ViewWriter& view) { (void)view; }
};

// What the runtime knows of a projection: its name, what it reads, and how to make one.
struct ProjectionSpec {
  std::string name;  // "audit"; names the REST resource and the CLI argument
  std::string description;
  // The full names of the topics it reads ("xyd.events.application", "xyd.dlq"): one runtime holds
  // views over any topics. The standard views name event topics (event_topics()).
  std::vector<std::string> topics;
  std::string rule_set;  // the rule set it reads ("" = none)
  // Optional: the length of the part of a row key that rows written one after another share
  // (0: none). The store keeps an insert hint per such prefix, which turns a rebuild's inserts
  // into appends where the projection writes keys in order within a prefix.
  std::function<size_t(std::string_view key)> insert_hint_prefix;
  // The version of the rows' layout: raised by a change of the code that writes rows a reader of
  // the old ones would misread. A live version of another layout is rebuilt when the runtime
  // starts (it serves until the new one is live), and a build of another layout starts again.
  int64_t layout = 1;
  // Makes the projection of one version, with that version's rule set (null when it reads none).
  std::function<Result<std::unique_ptr<Projection>>(std::shared_ptr<const RuleSet> rules)> make;
};

// The spec of a projection made without a rule set: a new P for each version.
template <class P>
ProjectionSpec spec_without_rules(std::string name, std::string description, std::vector<std::string> topics,
                                  int64_t layout = 1) {
  ProjectionSpec spec;
  spec.name = std::move(name);
  spec.description = std::move(description);
  spec.topics = std::move(topics);
  spec.layout = layout;
  spec.make = [](std::shared_ptr<const RuleSet>) -> Result<std::unique_ptr<Projection>> {
    return std::unique_ptr<Projection>(new P());
  };
  return spec;
}

// The event topics of `aggregate_types`: xyd.events.<type> of each.
std::vector<std::string> event_topics(const std::vector<std::string>& aggregate_types);

// The projections xyd runs: audit, loan-delinquency, state, dashboard.
std::vector<ProjectionSpec> standard_projections();
const ProjectionSpec* find_projection(const std::vector<ProjectionSpec>& specs, std::string_view name);

}  // namespace xyd::projections

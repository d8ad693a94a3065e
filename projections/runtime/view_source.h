// ViewSource: what a reader of the views needs, and all the API layer may see of the projection
// runtime: a snapshot reader of a view's live version, a position that grows whenever any view's
// rows change (for answer caches), and waiting for a view's next commit (for feeds that follow a
// view). Implemented by ProjectionRuntime; any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "projections/projection.h"

namespace xyd::projections::runtime {

class ViewSource {
 public:
  virtual ~ViewSource() = default;
  // A snapshot reader of the live version of `name`; unavailable (with the build's progress)
  // before its first version is live.
  virtual Result<std::unique_ptr<ViewReader>> reader(const std::string& name) const = 0;
  // Grows whenever any view's rows change; an answer computed at a position is still right while
  // the position has not moved (read it before the reader's snapshot).
  virtual uint64_t position() const = 0;
  // How many batches of `name` have been committed; wait_commit waits until that count passes
  // `seen` or `timeout` ends, and returns it.
  virtual uint64_t commits(const std::string& name) const = 0;
  virtual uint64_t wait_commit(const std::string& name, uint64_t seen, std::chrono::milliseconds timeout) const = 0;
};

}  // namespace xyd::projections::runtime

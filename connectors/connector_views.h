// ConnectorViews: the connectors' read models, kept up with the log by a projection runtime of
// their own (<data>/connector-views, topic prefix "xyd.", so a view may read xyd.dlq beside the
// event topics): today the bank results view (bank_results_view.h). Opened and stopped by the
// process's main thread; reader() is thread-safe.
#pragma once

#include <memory>
#include <string>

#include "projections/runtime/runtime.h"

namespace xyd::connectors {

class ConnectorViews {
 public:
  static Result<std::unique_ptr<ConnectorViews>> open(log::EventLog& log, const std::string& data_dir);
  [[nodiscard]] Status start() { return runtime_->start(); }
  void stop() { runtime_->stop(); }
  projections::runtime::ProjectionRuntime& runtime() { return *runtime_; }
  // A snapshot of the bank results view.
  Result<std::unique_ptr<projections::ViewReader>> bank_results() const;

 private:
  explicit ConnectorViews(std::unique_ptr<projections::runtime::ProjectionRuntime> runtime)
      : runtime_(std::move(runtime)) {}
  std::unique_ptr<projections::runtime::ProjectionRuntime> runtime_;
};

}  // namespace xyd::connectors

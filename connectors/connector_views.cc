#include "connectors/connector_views.h"

#include "connectors/bank_results_view.h"

namespace xyd::connectors {

Result<std::unique_ptr<ConnectorViews>> ConnectorViews::open(log::EventLog& log, const std::string& data_dir) {
  projections::runtime::RuntimeOptions options;
  options.path = data_dir + "/connector-views";
  options.worker.topic_prefix = "xyd.";
  XYD_ASSIGN_OR_RETURN(auto runtime,
                       projections::runtime::ProjectionRuntime::open(log, options, {bank_results_spec()}));
  return std::unique_ptr<ConnectorViews>(new ConnectorViews(std::move(runtime)));
}

Result<std::unique_ptr<projections::ViewReader>> ConnectorViews::bank_results() const {
  return runtime_->reader(kBankResultsView);
}

}  // namespace xyd::connectors

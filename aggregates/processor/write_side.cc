#include "aggregates/processor/write_side.h"

namespace xyd::domain {

Result<std::unique_ptr<WriteSide>> WriteSide::start(log::EventLog& log, const WriteSideOptions& options) {
  std::unique_ptr<WriteSide> side(new WriteSide());
  XYD_ASSIGN_OR_RETURN(side->store_, AggregateStore::open(options.state_dir));
  ProcessorOptions processor_options;
  processor_options.node = options.node;
  processor_options.max_batch = options.max_batch;
  processor_options.decide = options.decide;
  side->processor_ = std::make_unique<CommandProcessor>(log, *side->store_, processor_options);
  side->gateway_ = std::make_unique<CommandGateway>(
      log, GatewayOptions{options.outcome_timeout, options.write_timeout, options.node});
  XYD_RETURN_IF_ERROR(side->gateway_->start());
  XYD_RETURN_IF_ERROR(side->processor_->start());
  return side;
}

WriteSide::~WriteSide() {
  if (gateway_) gateway_->stop();
  if (processor_) processor_->stop();
}

}  // namespace xyd::domain

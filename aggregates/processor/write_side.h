// WriteSide: the write path of one xyd process, assembled: the aggregate store (RocksDB under the
// data folder), the command processor (owning some command partitions) and the gateway that
// request threads submit commands through. Created and stopped by the process's main thread;
// gateway() is thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "aggregates/processor/aggregate_store.h"
#include "aggregates/processor/command_gateway.h"
#include "aggregates/processor/command_processor.h"

namespace xyd::domain {

struct WriteSideOptions {
  std::string state_dir = "./data/state";
  std::string node = "xyd";
  std::chrono::milliseconds outcome_timeout{10000};
  std::chrono::milliseconds write_timeout{5000};  // an append that takes longer fails (unavailable)
  size_t max_batch = 2000;
  DecideFunction decide = decide_checked;  // tests inject a failing one
};

class WriteSide {
 public:
  static Result<std::unique_ptr<WriteSide>> start(log::EventLog& log, const WriteSideOptions& options);
  ~WriteSide();

  CommandGateway& gateway() { return *gateway_; }
  const CommandProcessor& processor() const { return *processor_; }
  AggregateStore& store() { return *store_; }

 private:
  WriteSide() = default;
  std::unique_ptr<AggregateStore> store_;
  std::unique_ptr<CommandProcessor> processor_;
  std::unique_ptr<CommandGateway> gateway_;
};

}  // namespace xyd::domain

// DataSourceIntake: where data-source records become enterprise commands, for both channels.
// prepare() validates a record (data_source_record.h) and completes it against the state view
// (the enterprise must be known; a profile change without "before" takes the current value);
// the HTTP route then runs the command as its caller. The topic channel follows xyd.data-sources
// (a subscription of the projection runtime: positions in the OutboundStore) and submits each
// record as the data_source
// role; a record that is malformed or refused goes to xyd.dlq and the dead-letter view with its
// reason, never dropped. Every call is a flow-log entry (scope "data-source/<source>").
// prepare()/note_call() from any thread; the runtime runs the topic channel on a thread of its own.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "aggregates/processor/command_gateway.h"
#include "connectors/data_source_record.h"
#include "connectors/outbound_store.h"
#include "projections/runtime/state_view.h"
#include "projections/runtime/subscription.h"

namespace xyd::connectors {

// The flow-log scope of a data source's calls, and the dead-letter scope of all of them.
std::string data_source_scope(const std::string& source);
inline constexpr const char* kDataSourceDeadLetters = "data-source";

class DataSourceIntake {
 public:
  static constexpr const char* kName = "data-sources";

  DataSourceIntake(log::EventLog& log, OutboundStore& store, domain::CommandGateway& gateway,
                   const projections::runtime::StateView& state);

  Result<DataSourceCommand> prepare(const nlohmann::json& record, const std::string& source) const;
  // Writes the flow-log entry of one call: the record id, the channel, the outcome (the command's
  // version and events, or the refusal's status, field and rule).
  void note_call(const std::string& source, const std::string& channel, const nlohmann::json& record,
                 const nlohmann::json& outcome);

  // The topic channel, a subscription: xyd.data-sources from the position in the OutboundStore.
  // The intake outlives the runtime's run of it (remove_subscription before it goes away).
  projections::runtime::SubscriptionSpec subscription();
  // The same without a handler: what a listing shows (`xyd projections` while serve is down).
  static projections::runtime::SubscriptionSpec listed(OutboundStore& store);

 private:
  Status handle(const std::vector<log::Record>& records, const std::map<log::TopicPartition, int64_t>& next);
  Status take(const log::Record& record, OutboundStore::Batch& batch);

  log::EventLog& log_;
  OutboundStore& store_;
  domain::CommandGateway& gateway_;
  const projections::runtime::StateView& state_;
};

}  // namespace xyd::connectors

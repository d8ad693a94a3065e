#include "aggregates/processor/command_gateway.h"

#include <algorithm>
#include <iostream>

#include "events/codec.h"
#include "events/json_input.h"
#include "ops/telemetry/metrics.h"

namespace xyd::domain {

using namespace std::chrono_literals;

CommandGateway::CommandGateway(log::EventLog& log, std::chrono::milliseconds timeout)
    : CommandGateway(log, GatewayOptions{timeout, std::max(timeout, std::chrono::milliseconds(5000)), "xyd"}) {}

CommandGateway::CommandGateway(log::EventLog& log, GatewayOptions options)
    : log_(log),
      timeout_(options.outcome_timeout),
      source_("/xyd/" + options.node),
      appender_(log, options.write_timeout) {}

log::OutRecord CommandGateway::command_record(const Command& command) const {
  log::OutRecord record{"xyd.commands", command.aggregate_id, to_json(command).dump(), {}, {}};
  auto attributes = events::new_cloudevent(source_, "xyd.command.submitted.v1", command.aggregate_id);
  attributes.id = command.id;  // the same command sent again is the same event
  record.headers = events::cloudevent_headers(attributes);
  record.headers.push_back({"xyd_command_id", command.id});
  return record;
}

CommandGateway::~CommandGateway() {
  stop();
}

Status CommandGateway::start() {
  XYD_ASSIGN_OR_RETURN(int32_t partitions, log_.partition_count("xyd.outcomes"));
  std::map<log::TopicPartition, int64_t> starts;
  for (int32_t p = 0; p < partitions; ++p) {
    log::TopicPartition tp{"xyd.outcomes", p};
    XYD_ASSIGN_OR_RETURN(starts[tp], log_.end_offset(tp));
  }
  XYD_ASSIGN_OR_RETURN(reader_, log_.reader());
  XYD_RETURN_IF_ERROR(reader_->assign(starts));
  stopping_ = false;
  follower_ = std::thread([this] { follow(); });
  return Status();
}

void CommandGateway::stop() {
  stopping_ = true;
  if (follower_.joinable()) follower_.join();
}

void CommandGateway::follow() {
  while (!stopping_) {
    auto records = reader_->poll(100ms, 5000);
    if (!records.ok()) {
      std::cerr << "xyd gateway: reading outcomes: " << records.error().to_string() << std::endl;
      std::this_thread::sleep_for(500ms);
      continue;
    }
    if (records->empty()) continue;
    std::lock_guard lock(mutex_);
    for (const auto& record : *records) {
      const std::string* id = record.header("xyd_command_id");
      if (!id) continue;
      auto waiter = waiting_.find(*id);
      if (waiter == waiting_.end()) continue;
      auto json = events::parse_json(record.value, events::kRecordLimits, "outcome");
      if (!json.ok()) continue;
      waiter->second->outcome = outcome_from_json(*json);
      waiter->second->done = true;
      waiter->second->arrived.notify_one();
    }
  }
}

Result<Outcome> CommandGateway::submit(const Command& command) {
  const telemetry::Stopwatch ack_clock;
  auto waiter = std::make_shared<Waiter>();
  {
    std::lock_guard lock(mutex_);
    if (!waiting_.emplace(command.id, waiter).second)
      return make_error(Errc::conflict,
                        "a request with this Idempotency-Key is still in progress; retry when it has completed",
                        "Idempotency-Key", "one-request-in-flight");
  }
  auto forget = [&] {
    std::lock_guard lock(mutex_);
    waiting_.erase(command.id);
  };
  auto appended = appender_.append({command_record(command)});
  if (!appended.ok()) {
    forget();
    return appended.error();
  }
  std::unique_lock lock(mutex_);
  bool done = waiter->arrived.wait_for(lock, timeout_, [&] { return waiter->done; });
  waiting_.erase(command.id);
  telemetry::metrics().command_acknowledged(command.name, ack_clock.seconds());
  if (!done)
    return make_error(Errc::timeout,
                      "no outcome within " + std::to_string(timeout_.count()) +
                          " ms; the command may still complete: retry with the same Idempotency-Key",
                      "", "outcome-timeout");
  return waiter->outcome;
}

std::vector<Result<Outcome>> CommandGateway::submit_all(const std::vector<Command>& commands) {
  std::vector<std::shared_ptr<Waiter>> waiters(commands.size());
  std::vector<log::OutRecord> records;
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < commands.size(); ++i) {
      auto waiter = std::make_shared<Waiter>();
      if (!waiting_.emplace(commands[i].id, waiter).second) continue;
      waiters[i] = waiter;
      records.push_back(command_record(commands[i]));
    }
  }
  Status appended;
  if (!records.empty()) {
    auto positions = appender_.append(std::move(records));
    if (!positions.ok()) appended = positions.error();
  }
  std::vector<Error> errors(commands.size());  // code fatal with an empty message: no error
  std::vector<Outcome> outcomes(commands.size());
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  {
    std::unique_lock lock(mutex_);
    for (size_t i = 0; i < commands.size(); ++i) {
      const auto& waiter = waiters[i];
      if (!waiter) {
        errors[i] = make_error(Errc::conflict, "command " + commands[i].id + " is already in progress",
                               "Idempotency-Key", "one-request-in-flight");
        continue;
      }
      if (!appended.ok()) {
        waiting_.erase(commands[i].id);
        errors[i] = appended.error();
        continue;
      }
      const bool done = waiter->arrived.wait_until(lock, deadline, [&] { return waiter->done; });
      waiting_.erase(commands[i].id);
      if (done)
        outcomes[i] = waiter->outcome;
      else
        errors[i] = make_error(Errc::timeout, "no outcome within " + std::to_string(timeout_.count()) + " ms", "",
                               "outcome-timeout");
    }
  }
  std::vector<Result<Outcome>> results;
  results.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    if (errors[i].message.empty())
      results.emplace_back(std::move(outcomes[i]));
    else
      results.emplace_back(std::move(errors[i]));
  }
  return results;
}

}  // namespace xyd::domain

#include "aggregates/processor/command_gateway.h"

#include <iostream>

namespace xyd::domain {

using namespace std::chrono_literals;

CommandGateway::CommandGateway(log::EventLog& log, std::chrono::milliseconds timeout) : log_(log), timeout_(timeout) {}

CommandGateway::~CommandGateway() { stop(); }

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
      auto json = nlohmann::json::parse(record.value, nullptr, false);
      if (json.is_discarded()) continue;
      waiter->second->outcome = outcome_from_json(json);
      waiter->second->done = true;
      waiter->second->arrived.notify_one();
    }
  }
}

Result<Outcome> CommandGateway::submit(const Command& command) {
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
  std::vector<log::OutRecord> record = {
      {"xyd.commands", command.aggregate_id, to_json(command).dump(), {{"xyd_command_id", command.id}}, {}}};
  auto appended = log_.append(record);
  if (!appended.ok()) {
    forget();
    return appended.error();
  }
  std::unique_lock lock(mutex_);
  bool done = waiter->arrived.wait_for(lock, timeout_, [&] { return waiter->done; });
  waiting_.erase(command.id);
  if (!done)
    return make_error(Errc::timeout,
                      "no outcome within " + std::to_string(timeout_.count()) +
                          " ms; the command may still complete: retry with the same Idempotency-Key",
                      "", "outcome-timeout");
  return waiter->outcome;
}

}  // namespace xyd::domain

#include "connectors/data_source_intake.h"

#include "aggregates/fields.h"
#include "connectors/dead_letter.h"
#include "connectors/dlq_writer.h"
#include "events/codec.h"
#include "events/json_input.h"

namespace xyd::connectors {
namespace {

using nlohmann::json;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json refusal(const Error& error) {
  return {{"accepted", false},
          {"code", errc_name(error.code)},
          {"detail", error.message},
          {"field", error.field},
          {"rule", error.rule}};
}

// The flow-log entry of one data-source call.
json call_entry(const json& record, const std::string& channel, int64_t at, const json& outcome) {
  auto record_id = domain::optional_string(record, "record_id");
  return {{"record_id", record_id.ok() && *record_id ? json(**record_id) : json()},
          {"channel", channel},
          {"at", events::rfc3339_from_ms(at)},
          {"outcome", outcome}};
}

}  // namespace

std::string data_source_scope(const std::string& source) {
  return "data-source/" + source;
}

DataSourceIntake::DataSourceIntake(log::EventLog& log, OutboundStore& store, domain::CommandGateway& gateway,
                                   const projections::runtime::StateView& state)
    : log_(log), store_(store), gateway_(gateway), state_(state) {}

Result<DataSourceCommand> DataSourceIntake::prepare(const json& record, const std::string& source) const {
  XYD_ASSIGN_OR_RETURN(auto command, read_data_source_record(record, source, now_ms()));
  XYD_ASSIGN_OR_RETURN(auto enterprise, state_.get("enterprise", command.aggregate_id));
  if (!enterprise)
    return make_error(Errc::not_found, "no enterprise " + command.aggregate_id + " is registered", "uscc",
                      "known-enterprise");
  if (command.name == "ChangeEnterpriseProfile" && !command.body.contains("before")) {
    auto current = enterprise->data.find(command.body["field"].get_ref<const std::string&>());
    command.body["before"] = current != enterprise->data.end() ? *current : json();
  }
  return command;
}

void DataSourceIntake::note_call(const std::string& source, const std::string& channel, const json& record,
                                 const json& outcome) {
  const int64_t at = now_ms();
  OutboundStore::Batch batch;
  batch.flow(data_source_scope(source), at, store_.next_seq(), call_entry(record, channel, at, outcome));
  (void)store_.write(batch);  // the flow log is best effort: the command's own outcome is in the log
}

projections::runtime::SubscriptionSpec DataSourceIntake::listed(OutboundStore& store) {
  projections::runtime::SubscriptionSpec spec;
  spec.name = kName;
  spec.description = "data-source records on xyd.data-sources to enterprise commands, refusals to xyd.dlq";
  spec.topics = {kDataSourceTopic};
  spec.stored_positions = [&store] { return store.offsets(kName); };
  return spec;
}

projections::runtime::SubscriptionSpec DataSourceIntake::subscription() {
  auto spec = listed(store_);
  spec.handle = [this](const std::vector<log::Record>& records, const std::map<log::TopicPartition, int64_t>& next) {
    return handle(records, next);
  };
  return spec;
}

Status DataSourceIntake::handle(const std::vector<log::Record>& records,
                                const std::map<log::TopicPartition, int64_t>& next) {
  OutboundStore::Batch batch;
  for (const auto& record : records) XYD_RETURN_IF_ERROR(take(record, batch));
  batch.put_offsets(kName, next);
  return store_.write(batch);
}

// One record off the topic: a command, or a dead letter. An error returned (the log or the
// command path unavailable) makes the follower try the whole batch again; commands are idempotent.
// A record that fails to decode, or whose handling throws, is dead-lettered and the batch goes on.
Status DataSourceIntake::take(const log::Record& record, OutboundStore::Batch& batch) {
  const std::string where = record.topic + "/" + std::to_string(record.partition) + "@" + std::to_string(record.offset);
  auto parsed = events::parse_json_object(record.value, events::kInputLimits, "record");
  std::string source = "kafka";  // the record's "source" names its producer, when it is a string
  Result<std::optional<std::string>> named = std::optional<std::string>();
  if (parsed.ok()) named = domain::optional_string(*parsed, "source");
  if (named.ok() && *named) source = **named;
  const json original = parsed.ok() ? *parsed : raw_text(record.value);
  if (parsed.ok() && !named.ok()) parsed = named.error();
  std::optional<Error> refused;
  json outcome;
  try {
    Result<DataSourceCommand> command =
        parsed.ok() ? prepare(*parsed, source) : Result<DataSourceCommand>(parsed.error());
    if (!command.ok()) {
      refused = command.error();
    } else {
      domain::Command cmd;
      cmd.id = command->command_id;
      cmd.name = command->name;
      cmd.aggregate_type = "enterprise";
      cmd.aggregate_id = command->aggregate_id;
      cmd.actor = {"data-source:" + source, "data_source", "", ""};
      cmd.correlation_id = command->command_id;
      cmd.body_hash = command->body_hash;
      cmd.body = command->body;
      auto submitted = gateway_.submit(cmd);
      if (!submitted.ok()) return submitted.error();  // unavailable, in flight, timed out: try again
      if (submitted->error) {
        refused = *submitted->error;
      } else {
        outcome = {{"accepted", true},
                   {"replayed", submitted->replayed},
                   {"enterprise", command->aggregate_id},
                   {"version", submitted->version},
                   {"events", submitted->events}};
      }
    }
  } catch (const std::exception&) {  // said without the exception's text
    refused = make_error(Errc::fatal, "the record could not be handled; it is kept here for an operator", "record",
                         "internal");
  }
  if (refused) {
    outcome = refusal(*refused);
    DeadLetterRecord letter{where, "data-source", source, *refused, original, now_ms()};
    XYD_RETURN_IF_ERROR(write_dead_letter(log_, letter));
    batch.dead_letter(kDataSourceDeadLetters, store_.next_seq(), to_json(letter));
  }
  if (check_source_name(source).ok()) {
    const int64_t at = now_ms();
    batch.flow(data_source_scope(source), at, store_.next_seq(), call_entry(original, "topic", at, outcome));
  }
  return Status();
}

}  // namespace xyd::connectors

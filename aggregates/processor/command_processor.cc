#include "aggregates/processor/command_processor.h"

#include <iostream>

#include "aggregates/aggregate.h"
#include "aggregates/outcome.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "events/json_input.h"
#include "events/resting_offsets.h"
#include "ops/telemetry/metrics.h"

namespace xyd::domain {

// The work of one batch: states as they evolve, the records to append, what the store records.
struct BatchWork {
  std::map<std::pair<std::string, std::string>, AggregateState> states;
  std::vector<log::OutRecord> records;
  AggregateStore::Batch store;
  uint64_t events = 0;
};

namespace {

using namespace std::chrono_literals;
constexpr const char* kCommands = "xyd.commands";
constexpr const char* kOutcomes = "xyd.outcomes";
constexpr const char* kChainBroken = "_chain_broken";  // set in the state of an aggregate whose history fails

log::OutRecord outcome_record(const Outcome& outcome, const std::string& source) {
  log::OutRecord record{kOutcomes,
                        outcome.aggregate_id,
                        to_json(outcome).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                        {},
                        {}};
  record.headers =
      events::cloudevent_headers(events::new_cloudevent(source, "xyd.command.decided.v1", outcome.aggregate_id));
  record.headers.push_back({"xyd_command_id", outcome.command_id});
  return record;
}

Result<AggregateState*> working_state(BatchWork& work, AggregateStore& store, const std::string& type,
                                      const std::string& id) {
  auto key = std::make_pair(type, id);
  auto found = work.states.find(key);
  if (found != work.states.end()) return &found->second;
  XYD_ASSIGN_OR_RETURN(AggregateState loaded, store.load(type, id));
  return &work.states.emplace(key, std::move(loaded)).first->second;
}

}  // namespace

// The events a decision produced, as sealed envelopes chained onto the state, and the state after.
struct SealedEvents {
  AggregateState state;
  std::vector<log::OutRecord> records;
  nlohmann::json summary = nlohmann::json::array();  // [{id, type, version}]
};

Result<SealedEvents> CommandProcessor::seal_events(const Aggregate& aggregate, const AggregateState& state,
                                                   const Command& command, const std::vector<NewEvent>& decided) const {
  const auto& catalog = events::EventCatalog::standard();
  SealedEvents out{state, {}, nlohmann::json::array()};
  for (const auto& new_event : decided) {
    const auto* type = catalog.by_name(new_event.name);
    if (!type) return make_error(Errc::fatal, "decide produced the undeclared event " + new_event.name);
    events::Envelope e;
    e.id = events::uuid_v7();
    e.source = "/xyd/" + options_.node;
    e.type = type->type();
    e.subject = command.aggregate_id;
    e.time = events::now_rfc3339();
    e.aggregate_type = command.aggregate_type;
    e.aggregate_id = command.aggregate_id;
    e.version = out.state.version + 1;
    e.actor = command.actor;
    e.correlation_id = command.correlation_id;
    e.causation_id = command.id;
    e.schema_version = type->version;
    e.data = new_event.data;
    XYD_RETURN_IF_ERROR(events::seal(e, out.state.last_hash));
    XYD_RETURN_IF_ERROR(catalog.check_new(e));
    XYD_RETURN_IF_ERROR(apply_envelope(aggregate, out.state, e));
    out.summary.push_back({{"id", e.id}, {"type", e.type}, {"version", e.version}});
    out.records.push_back(events::to_record(e));
  }
  return out;
}

CommandProcessor::CommandProcessor(log::EventLog& log, AggregateStore& store, ProcessorOptions options)
    : log_(log), store_(store), options_(std::move(options)) {
  for (const auto& aggregate : events::aggregate_types()) state_topics_.push_back(events::topic_for(aggregate));
  state_topics_.push_back(kOutcomes);
}

CommandProcessor::~CommandProcessor() {
  stop();
}

Status CommandProcessor::start() {
  XYD_ASSIGN_OR_RETURN(int32_t partitions, log_.partition_count(kCommands));
  for (const auto& topic : state_topics_) {
    XYD_ASSIGN_OR_RETURN(int32_t count, log_.partition_count(topic));
    if (count != partitions)
      return make_error(Errc::fatal,
                        topic + " has " + std::to_string(count) + " partitions but xyd.commands has " +
                            std::to_string(partitions) + ": every xyd topic needs the same count",
                        "partitions", "same-partition-count");
  }
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  return Status();
}

void CommandProcessor::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<log::TopicPartition> CommandProcessor::assignment() const {
  std::lock_guard lock(mutex_);
  return assignment_;
}

ProcessorStats CommandProcessor::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::string CommandProcessor::last_error() const {
  std::lock_guard lock(mutex_);
  return last_error_;
}

void CommandProcessor::run() {
  while (!stopping_) {
    Status catch_up_status;
    log::RebalanceListener listener;
    listener.assigned = [&](const std::vector<log::TopicPartition>& tps) {
      auto caught = catch_up(tps);
      if (!caught.ok()) catch_up_status = caught;
      std::lock_guard lock(mutex_);
      assignment_ = tps;
    };
    listener.revoked = [&](const std::vector<log::TopicPartition>&) {
      std::lock_guard lock(mutex_);
      assignment_.clear();
    };
    auto subscription = log_.subscribe(options_.group, {kCommands}, std::move(listener));
    log::RestingOffsets resting;
    Status failure;
    if (!subscription.ok()) failure = subscription.error();
    while (failure.ok() && !stopping_) {
      auto commands = (*subscription)->poll(options_.poll_wait, options_.max_batch);
      if (!catch_up_status.ok()) {
        failure = catch_up_status;
        break;
      }
      if (!commands.ok()) {
        failure = commands.error();
        break;
      }
      if (commands->empty()) {
        // Idle: move the committed offsets past the transaction markers (lag 0 at rest).
        if (auto settled = resting.settle(log_, **subscription); !settled.ok()) failure = settled.error();
        continue;
      }
      try {
        failure = process(*commands);
      } catch (const std::exception& e) {  // not a command's fault (each is isolated): re-consume the batch
        failure = make_error(Errc::fatal, std::string("processing a batch: ") + e.what());
      }
    }
    {
      std::lock_guard lock(mutex_);
      assignment_.clear();
    }
    if (!failure.ok() && !stopping_) {
      // Nothing of the failed batch was committed: leave the group, re-read from the committed
      // offsets with state caught up from the log.
      std::cerr << "xyd processor: " << failure.error().to_string() << "; re-consuming in 1 s" << std::endl;
      {
        std::lock_guard lock(mutex_);
        ++stats_.failures;
        last_error_ = failure.error().to_string();
      }
      std::this_thread::sleep_for(1s);
    }
  }
}

namespace {

// The refusal a command gets when deciding it failed inside the platform (an exception): an
// internal error with an id the server log holds with the details; the text stays out of it.
Error internal_refusal(const Command& command, const std::string& what) {
  const std::string id = events::uuid_v7();
  std::cerr << "xyd processor: internal error " << id << " deciding " << command.name << " on "
            << command.aggregate_type << "/" << command.aggregate_id << " (command " << command.id << "): " << what
            << std::endl;
  return make_error(Errc::fatal, "internal error " + id + ": the command was refused; the server log has the details",
                    "", "internal-error");
}

// The malformed command's bytes as they were (so application/octet-stream), with its own headers
// but CloudEvents attributes of its own.
log::OutRecord dead_letter(const log::Record& record, const std::string& reason, const std::string& source) {
  log::OutRecord dead{"xyd.dlq", record.key, record.value, {}, {}};
  auto attributes = events::new_cloudevent(source, "xyd.dead-letter.recorded.v1", record.key);
  attributes.content_type = "application/octet-stream";
  dead.headers = events::cloudevent_headers(attributes);
  for (const auto& header : record.headers)
    if (!header.key.starts_with("ce_") && header.key != "content-type") dead.headers.push_back(header);
  dead.headers.push_back({"xyd_reason", reason});
  dead.headers.push_back({"xyd_source", record.tp().to_string() + "@" + std::to_string(record.offset)});
  return dead;
}

}  // namespace

Status CommandProcessor::process(const std::vector<log::Record>& commands) {
  BatchWork work;
  log::ConsumedOffsets consumed{options_.group, {}};
  for (const auto& record : commands) {
    consumed.next_offsets[record.tp()] = record.offset + 1;
    Result<Command> command = make_error(Errc::invalid_argument, "unread");
    try {
      auto json = events::parse_json(record.value, events::kRecordLimits, "command");
      command = json.ok() ? command_from_json(*json) : Result<Command>(json.error());
    } catch (const std::exception& e) {
      command = make_error(Errc::invalid_argument, std::string("the command record cannot be read: ") + e.what());
    }
    if (!command.ok()) {
      // Malformed: dead-letter it with the reason; nobody can be waiting for a nameless command.
      work.records.push_back(dead_letter(record, command.error().to_string(), "/xyd/" + options_.node));
      telemetry::metrics().dead_letter("command");
      continue;
    }
    XYD_RETURN_IF_ERROR(process_one(work, *command));
  }

  // One transaction: events, outcomes, dead letters and the consumed command offsets.
  const telemetry::Stopwatch append_clock;
  XYD_ASSIGN_OR_RETURN(auto positions, log_.append(work.records, &consumed));
  telemetry::metrics().processor_batch(commands.size(), append_clock.seconds());
  for (const auto& p : positions) {
    if (p.tp.topic == "xyd.dlq") continue;
    auto& next = work.store.positions[p.tp];
    next = std::max(next, p.offset + 1);
  }
  XYD_RETURN_IF_ERROR(store_.write(work.store));
  std::lock_guard lock(mutex_);
  stats_.commands += commands.size();
  stats_.events += work.events;
  ++stats_.transactions;
  return Status();
}

Status CommandProcessor::process_one(BatchWork& work, const Command& command) {
  const telemetry::Stopwatch decide_clock;
  Outcome outcome;
  outcome.command_id = command.id;
  outcome.correlation_id = command.correlation_id;
  outcome.aggregate_type = command.aggregate_type;
  outcome.aggregate_id = command.aggregate_id;
  outcome.body_hash = command.body_hash;

  // A repeated id: the first outcome again, or a refusal if the body differs.
  std::optional<nlohmann::json> first;
  if (auto in_batch = work.store.outcomes.find(command.id); in_batch != work.store.outcomes.end()) {
    first = in_batch->second;
  } else {
    XYD_ASSIGN_OR_RETURN(first, store_.outcome(command.id));
  }
  if (first) {
    Outcome previous = outcome_from_json(*first);
    if (previous.body_hash != command.body_hash) {
      outcome.error = make_error(Errc::refused,
                                 "this Idempotency-Key was used before with a different request body; use a new key "
                                 "for a new request",
                                 "Idempotency-Key", "same-key-same-body");
    } else {
      outcome = previous;
      outcome.replayed = true;
    }
    work.records.push_back(outcome_record(outcome, "/xyd/" + options_.node));
    telemetry::metrics().command_decided(command.name, outcome.accepted, outcome.replayed,
                                         outcome.error ? outcome.error->rule : "", decide_clock.seconds());
    return Status();
  }

  const Aggregate* aggregate = aggregate_for(command.aggregate_type);
  if (!aggregate) {
    outcome.error = make_error(Errc::invalid_argument, "unknown aggregate type " + command.aggregate_type,
                               "aggregate_type", "known-aggregate");
  } else {
    XYD_ASSIGN_OR_RETURN(AggregateState * state,
                         working_state(work, store_, command.aggregate_type, command.aggregate_id));
    Result<SealedEvents> sealed = make_error(Errc::fatal, "undecided");
    try {
      sealed = decide_and_seal(*aggregate, *state, command);
    } catch (const std::exception& e) {
      sealed = internal_refusal(command, e.what());
    } catch (...) {
      sealed = internal_refusal(command, "an exception of unknown type");
    }
    if (!sealed.ok()) {
      outcome.error = sealed.error();
    } else {
      *state = std::move(sealed->state);
      outcome.accepted = true;
      outcome.events = std::move(sealed->summary);
      work.events += sealed->records.size();
      for (auto& r : sealed->records) work.records.push_back(std::move(r));
      work.store.states[{command.aggregate_type, command.aggregate_id}] = *state;
    }
    outcome.version = state->version;
  }
  work.store.outcomes[command.id] = to_json(outcome);
  work.records.push_back(outcome_record(outcome, "/xyd/" + options_.node));
  telemetry::metrics().command_decided(command.name, outcome.accepted, outcome.replayed,
                                       outcome.error ? outcome.error->rule : "", decide_clock.seconds());
  return Status();
}

Result<SealedEvents> CommandProcessor::decide_and_seal(const Aggregate& aggregate, const AggregateState& state,
                                                       const Command& command) const {
  if (state.data.contains(kChainBroken))
    return make_error(Errc::corrupt,
                      command.aggregate_type + "/" + command.aggregate_id +
                          ": its history in the log fails verification (" +
                          events::string_or(state.data, kChainBroken) + "); run xyd audit verify",
                      "aggregate_id", "verified-history");
  XYD_ASSIGN_OR_RETURN(auto decided, options_.decide(aggregate, state, command));
  return seal_events(aggregate, state, command, decided);
}

Status CommandProcessor::catch_up(const std::vector<log::TopicPartition>& command_partitions) {
  const auto& catalog = events::EventCatalog::standard();
  for (const auto& command_tp : command_partitions) {
    for (const auto& topic : state_topics_) {
      const log::TopicPartition tp{topic, command_tp.partition};
      XYD_ASSIGN_OR_RETURN(int64_t from, store_.position(tp));
      XYD_ASSIGN_OR_RETURN(int64_t end, log_.end_offset(tp));
      if (from >= end) continue;
      XYD_ASSIGN_OR_RETURN(auto reader, log_.reader());
      XYD_RETURN_IF_ERROR(reader->assign({{tp, from}}));
      int64_t position = from;
      while (position < end && !stopping_) {
        XYD_ASSIGN_OR_RETURN(auto records, reader->poll(200ms, 5000));
        BatchWork work;
        for (const auto& record : records) {
          if (topic == kOutcomes) {
            auto outcome = events::parse_json(record.value, events::kRecordLimits, "outcome");
            if (outcome.ok() && !events::bool_or(*outcome, "replayed") &&
                !events::string_or(*outcome, "command_id").empty())
              work.store.outcomes[events::string_or(*outcome, "command_id")] = *outcome;
            continue;
          }
          auto decoded = events::from_record(record, catalog);
          if (!decoded.ok()) {
            // Not an event: the aggregate named by the key takes no more commands.
            const std::string type = topic.substr(std::string("xyd.events.").size());
            std::cerr << "xyd processor: " << decoded.error().to_string() << std::endl;
            XYD_ASSIGN_OR_RETURN(AggregateState * broken, working_state(work, store_, type, record.key));
            broken->data[kChainBroken] = decoded.error().message;
            work.store.states[{type, record.key}] = *broken;
            continue;
          }
          const events::Envelope& envelope = *decoded;
          const Aggregate* aggregate = aggregate_for(envelope.aggregate_type);
          if (!aggregate) continue;
          XYD_ASSIGN_OR_RETURN(AggregateState * state,
                               working_state(work, store_, envelope.aggregate_type, envelope.aggregate_id));
          if (envelope.version <= state->version || state->data.contains(kChainBroken)) continue;
          if (auto applied = apply_envelope(*aggregate, *state, envelope); !applied.ok()) {
            // A history that does not verify: this aggregate takes no more commands; the others go on.
            std::cerr << "xyd processor: " << applied.error().to_string() << "; " << envelope.aggregate_type << "/"
                      << envelope.aggregate_id << " refuses commands until it is repaired" << std::endl;
            state->data[kChainBroken] = applied.error().message;
          }
          work.store.states[{envelope.aggregate_type, envelope.aggregate_id}] = *state;
        }
        XYD_ASSIGN_OR_RETURN(position, reader->position(tp));
        work.store.positions[tp] = position;
        XYD_RETURN_IF_ERROR(store_.write(work.store));
      }
    }
  }
  return Status();
}

}  // namespace xyd::domain

#include "connectors/inbound.h"

#include <set>

#include "aggregates/fields.h"
#include "api/problem.h"
#include "connectors/bank_result.h"
#include "events/json_input.h"

namespace xyd::connectors {

using nlohmann::json;

const char* verdict_name(InboundVerdict::Kind kind) {
  switch (kind) {
    case InboundVerdict::Kind::applied:
      return "applied";
    case InboundVerdict::Kind::replayed:
      return "replayed";
    case InboundVerdict::Kind::rejected:
      return "rejected";
    case InboundVerdict::Kind::retry:
      return "retry";
  }
  return "retry";
}

DeadLetter dead_letter_for(const Inbound& record, const Error& reason) {
  DeadLetter letter;
  letter.id = record.delivery_id;
  letter.channel = record.channel;
  letter.institution = record.institution;
  letter.reason = reason;
  letter.status = api::http_status(reason.code);
  letter.original = record.original;
  letter.original["value"] = raw_text(record.bytes);
  letter.received_ms = record.received_ms;
  // Keep what can be read of it, untrusted, for the error view and reconciliation.
  auto body = events::parse_json_object(record.bytes, events::kInputLimits, "body");
  if (body.ok()) {
    auto text = [&](const char* name) {
      auto value = domain::optional_string(*body, name);
      return value.ok() && *value ? (*value)->substr(0, 128) : std::string();
    };
    letter.serial = text("serial");
    letter.application = text("application");
    letter.type = text("type");
    letter.business_date = business_date(letter.type, *body);
    letter.amount = result_amount(letter.type, *body);
  }
  return letter;
}

namespace {

// Why a record whose handling threw is refused: said without the exception's text.
Error handling_failed() {
  return make_error(Errc::fatal, "the record could not be handled; it is kept here for an operator", "record",
                    "internal");
}

void reject(InboundVerdict& verdict, const Inbound& record, const Error& reason) {
  verdict.kind = InboundVerdict::Kind::rejected;
  verdict.outcome.reset();
  verdict.error = reason;
  verdict.dead_letter = dead_letter_for(record, reason);
}

}  // namespace

// Submits a group; if the gateway throws on it, each command again on its own, and the one
// that throws is rejected (the others are answered as usual: commands are idempotent).
std::vector<Result<domain::Outcome>> InboundProcessor::submit(const std::vector<domain::Command>& commands,
                                                              std::vector<bool>& threw) {
  threw.assign(commands.size(), false);
  try {
    return gateway_.submit_all(commands);
  } catch (const std::exception&) {
  }
  std::vector<Result<domain::Outcome>> outcomes;
  for (size_t k = 0; k < commands.size(); ++k) {
    try {
      outcomes.push_back(gateway_.submit(commands[k]));
    } catch (const std::exception&) {
      threw[k] = true;
      outcomes.push_back(handling_failed());
    }
  }
  return outcomes;
}

std::vector<InboundVerdict> InboundProcessor::process(const std::vector<Inbound>& records) {
  std::vector<InboundVerdict> verdicts(records.size());
  std::vector<domain::Command> commands;
  std::vector<size_t> owners;  // the record of each command
  auto flush = [&] {
    if (commands.empty()) return;
    std::vector<bool> threw;
    auto outcomes = submit(commands, threw);
    for (size_t k = 0; k < outcomes.size(); ++k) {
      InboundVerdict& verdict = verdicts[owners[k]];
      if (threw[k]) {
        reject(verdict, records[owners[k]], outcomes[k].error());
        continue;
      }
      if (!outcomes[k].ok()) {
        verdict.kind = InboundVerdict::Kind::retry;
        verdict.error = outcomes[k].error();
        continue;
      }
      verdict.outcome = *outcomes[k];
      if (outcomes[k]->accepted) {
        verdict.kind = outcomes[k]->replayed ? InboundVerdict::Kind::replayed : InboundVerdict::Kind::applied;
      } else {
        verdict.kind = InboundVerdict::Kind::rejected;
        verdict.error = outcomes[k]->error.value_or(make_error(Errc::refused, "refused without a reason"));
        verdict.dead_letter = dead_letter_for(records[owners[k]], verdict.error);
      }
    }
    commands.clear();
    owners.clear();
  };
  std::set<std::string> ids;  // command ids in the pending group: a repeat waits for the next group
  for (size_t i = 0; i < records.size(); ++i) {
    domain::Command command;
    try {
      auto parsed = parse_bank_result(records[i].bytes, records[i].institution);
      if (!parsed.ok()) {
        reject(verdicts[i], records[i], parsed.error());
        continue;
      }
      verdicts[i].serial = parsed->serial;
      command = to_command(*parsed);
    } catch (const std::exception&) {
      reject(verdicts[i], records[i], handling_failed());
      continue;
    }
    if (ids.contains(command.id)) {
      flush();
      ids.clear();
    }
    ids.insert(command.id);
    commands.push_back(std::move(command));
    owners.push_back(i);
  }
  flush();
  return verdicts;
}

}  // namespace xyd::connectors

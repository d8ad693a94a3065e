#include "connectors/inbound.h"

#include <set>

#include "api/problem.h"
#include "connectors/bank_result.h"

namespace xyd::connectors {

using nlohmann::json;

const char* verdict_name(InboundVerdict::Kind kind) {
  switch (kind) {
    case InboundVerdict::Kind::applied: return "applied";
    case InboundVerdict::Kind::replayed: return "replayed";
    case InboundVerdict::Kind::rejected: return "rejected";
    case InboundVerdict::Kind::retry: return "retry";
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
  letter.original["value"] = record.bytes;
  letter.received_ms = record.received_ms;
  // Keep what can be read of it, untrusted, for the error view and reconciliation.
  const json body = json::parse(record.bytes, nullptr, false);
  if (body.is_object()) {
    auto text = [&](const char* name) {
      const json value = body.value(name, json());
      return value.is_string() ? value.get<std::string>().substr(0, 128) : std::string();
    };
    letter.serial = text("serial");
    letter.application = text("application");
    letter.type = text("type");
    letter.business_date = business_date(letter.type, body);
    letter.amount = result_amount(letter.type, body);
  }
  return letter;
}

std::vector<InboundVerdict> InboundProcessor::process(const std::vector<Inbound>& records) {
  std::vector<InboundVerdict> verdicts(records.size());
  std::vector<domain::Command> commands;
  std::vector<size_t> owners;  // the record of each command
  auto flush = [&] {
    if (commands.empty()) return;
    auto outcomes = gateway_.submit_all(commands);
    for (size_t k = 0; k < outcomes.size(); ++k) {
      InboundVerdict& verdict = verdicts[owners[k]];
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
    auto parsed = parse_bank_result(records[i].bytes, records[i].institution);
    if (!parsed.ok()) {
      verdicts[i].kind = InboundVerdict::Kind::rejected;
      verdicts[i].error = parsed.error();
      verdicts[i].dead_letter = dead_letter_for(records[i], parsed.error());
      continue;
    }
    verdicts[i].serial = parsed->serial;
    domain::Command command = to_command(*parsed);
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

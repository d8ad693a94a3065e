// InboundProcessor: what becomes of results a bank sends, the same for Kafka and webhooks: each
// is parsed and checked (bank_result.h), run as its application command through the command
// gateway (idempotent by serial: a duplicate changes nothing and is answered as the first), and
// either applied or refused with a reason, in which case the caller keeps it as a dead letter.
// Results of one batch on one application are decided in the order given. A result the platform
// could not decide now (the log unreachable, the wait ran out, the same serial in flight) is
// `retry`: nothing is known about it, so the caller must not acknowledge it. No record stops the
// batch: one that fails to decode, or whose handling throws, is `rejected` with its reason (an
// exception's text is never the reason). Thread-safe (the gateway is); one call per batch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aggregates/outcome.h"
#include "aggregates/processor/command_gateway.h"
#include "connectors/dead_letter.h"

namespace xyd::connectors {

// One received record.
// One record as received, on any thread of the channel that took it.
struct Inbound {
  std::string channel;                                 // "kafka" | "webhook"
  std::string institution;                             // whose channel it came on (topic or path)
  std::string bytes;                                   // the body as received
  std::string delivery_id;                             // names the delivery: the dead letter's id if it is refused
  nlohmann::json original = nlohmann::json::object();  // where it came from (topic/partition/offset, webhook id)
  int64_t received_ms = 0;
};

// What became of one record. Plain value.
struct InboundVerdict {
  enum class Kind { applied, replayed, rejected, retry };
  Kind kind = Kind::retry;
  std::string serial;
  std::optional<domain::Outcome> outcome;  // applied, replayed, or refused by the write side
  std::optional<DeadLetter> dead_letter;   // rejected
  Error error;                             // rejected: why; retry: what went wrong
};
const char* verdict_name(InboundVerdict::Kind kind);

// Runs batches of received records as commands; see the file comment. Thread-safe, stateless.
class InboundProcessor {
 public:
  explicit InboundProcessor(domain::CommandGateway& gateway) : gateway_(gateway) {}
  // One verdict per record, in order.
  std::vector<InboundVerdict> process(const std::vector<Inbound>& records);

 private:
  std::vector<Result<domain::Outcome>> submit(const std::vector<domain::Command>& commands, std::vector<bool>& threw);
  domain::CommandGateway& gateway_;
};

// The dead letter of a record refused with `reason` (what of the result could be read is kept,
// through checked helpers; the bytes as text, ill-formed UTF-8 replaced). Never throws.
DeadLetter dead_letter_for(const Inbound& record, const Error& reason);

}  // namespace xyd::connectors

// BankResult: one result a bank reports (授信 / 放款 / 还款 / 逾期 / 核销), as its message schema
// `xyd.bank-result.v1` defines it (connectors/README.md), parsed and checked without trusting it
// (OWASP API10), and turned into the application command it stands for, with the bank's serial
// number as the command id. Pure: no I/O; any thread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "aggregates/command.h"
#include "events/result.h"

namespace xyd::connectors {

inline constexpr std::string_view kBankResultSchema = "xyd.bank-result.v1";
// The Kafka topic a bank produces its results to: "xyd.in.<institution>".
std::string inbound_topic(const std::string& institution);
// The institution of an inbound topic; empty when `topic` is not one.
std::string institution_of_topic(std::string_view topic);

// One checked result. Plain value.
struct BankResult {
  std::string serial;       // the bank's serial number: the idempotency key
  std::string institution;  // who reports it (must be the channel's institution)
  std::string application;  // the order it is about
  std::string type;         // credit_granted | credit_declined | loan_disbursed | repayment_received |
                            // loan_overdue | loan_written_off
  nlohmann::json fields = nlohmann::json::object();  // the type's fields (the command body, without serial)
};

// Parses and checks a result received on the channel of `channel_institution` (its topic or its
// webhook path). Never throws. Refusals are invalid_argument naming the field and the rule:
// `max-size`, `max-depth`, `max-string-length` (events/json_input.h's input limits), `json` (not
// a JSON object), `schema`, `required`, `serial-format`, `institution-matches-channel`, `result-type`,
// `known-field`, `integer`, `date`, `one-of`.
Result<BankResult> parse_bank_result(std::string_view bytes, const std::string& channel_institution);

// The command a result stands for: id "bank:<institution>:<serial>", actor the institution's
// bank_connector, body = fields + serial, body_hash over that body.
domain::Command to_command(const BankResult& result);
// The command name of a result type ("GrantCredit"); empty for an unknown type.
std::string command_name(const std::string& type);

// The business date the result reports ("YYYY-MM-DD"; empty when it carries none). Both read
// `fields` with checked helpers: any JSON, even not a result's, gives a value.
std::string business_date(const std::string& type, const nlohmann::json& fields);
// The amount (fen) a result moves: credit, disbursement, repaid principal, overdue principal,
// written-off amount; 0 for a decline.
int64_t result_amount(const std::string& type, const nlohmann::json& fields);

}  // namespace xyd::connectors

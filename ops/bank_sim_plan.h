// The bank simulator's plan: for a list of accepted applications of one institution, the results
// a bank would report, decided up front from a seed (std::mt19937_64, no clock): credit or
// decline, drawdowns, repayments, overdue and write-offs, with business dates in the past (late
// results), plus injected duplicates (an exact resend: same serial), out-of-order records (a
// drawdown sent before its credit: refused) and malformed ones (bad JSON, wrong schema, missing
// serial, unknown type, wrong types, another institution's name, an unknown application, amounts
// over the credit or the outstanding). Messages of one application are in the order to send; the
// totals are what the platform must show once every valid result is applied. Pure.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xyd::ops::bank_sim {

struct Work {
  std::string application;
  int64_t amount = 0;  // the intended amount (fen): the credit granted never exceeds it
};

struct SimOptions {
  std::string institution;
  uint64_t seed = 1;
  size_t duplicates = 0, out_of_order = 0, malformed = 0;
  std::string base_date = "2025-06-30";  // every business date is on or before it
};

struct Message {
  std::string key;   // the application (Kafka key)
  std::string body;  // the bytes sent
  std::string serial;
  std::string kind;  // "valid", "duplicate", "out_of_order", "malformed"
};

struct Totals {
  int64_t credit_count = 0, credit_amount = 0, declined = 0, disbursed_count = 0, disbursed_amount = 0,
          repaid_count = 0, repaid_principal = 0, overdue = 0, written_off_count = 0, written_off_amount = 0;
  int64_t valid = 0, duplicates = 0, out_of_order = 0, malformed = 0;
  int64_t invalid() const { return out_of_order + malformed; }
  nlohmann::json to_json() const;
};

struct SimPlan {
  std::vector<std::vector<Message>> streams;  // one per application (in order), then the rest
  Totals totals;
  size_t message_count() const;
};

SimPlan make_sim_plan(const std::vector<Work>& work, const SimOptions& options);

}  // namespace xyd::ops::bank_sim

#include "ops/bank_sim_plan.h"

#include <algorithm>
#include <optional>
#include <random>
#include <tuple>

#include "ops/demo/plan.h"

namespace xyd::ops::bank_sim {
namespace {

using demo::add_months;
using demo::date_from_days;
using demo::days_from_date;
using nlohmann::json;

// Builds the plan: one seeded RNG, the serial counter and the running totals. One thread.
class Builder {
 public:
  Builder(const SimOptions& options) : options_(options), rng_(options.seed * 0x9E3779B97F4A7C15ULL + 1) {}

  int64_t uniform(int64_t low, int64_t high) { return std::uniform_int_distribution<int64_t>(low, high)(rng_); }
  bool chance(int percent) { return uniform(1, 100) <= percent; }
  std::string serial() { return "SIM" + std::to_string(options_.seed) + "-" + std::to_string(++serials_); }
  std::string shift(const std::string& date, int64_t days) { return date_from_days(days_from_date(date) + days); }

  json result(const std::string& application, const std::string& type, const std::string& serial, json fields) {
    fields["schema"] = "xyd.bank-result.v1";
    fields["serial"] = serial;
    fields["institution"] = options_.institution;
    fields["application"] = application;
    fields["type"] = type;
    return fields;
  }
  Message valid(std::vector<Message>& stream, const std::string& application, const std::string& type, json fields) {
    const std::string s = serial();
    Message m{application, result(application, type, s, std::move(fields)).dump(), s, "valid"};
    stream.push_back(m);
    ++totals.valid;
    return m;
  }

  // One application's results, in order; `first_drawdown` gets a copy of its first drawdown.
  std::vector<Message> application(const Work& work, std::optional<Message>& first_drawdown) {
    std::vector<Message> stream;
    const std::string& app = work.application;
    const std::string granted_at = shift(options_.base_date, -uniform(120, 420));
    if (chance(12) || work.amount < 100) {
      valid(stream, app, "credit_declined", {{"reason", "insufficient cash flow"}, {"declined_at", granted_at}});
      ++totals.declined;
      return stream;
    }
    const int64_t credit = std::max<int64_t>(100, work.amount - uniform(0, work.amount / 4) / 100 * 100);
    valid(stream, app, "credit_granted",
          {{"credit_number", "CR-" + app},
           {"amount", credit},
           {"rate_bp", uniform(350, 800)},
           {"term_months", 12},
           {"granted_at", granted_at},
           {"valid_until", add_months(granted_at, 12)}});
    ++totals.credit_count;
    totals.credit_amount += credit;
    if (chance(10)) return stream;
    // Every drawdown first: once all of an order's loans are closed the order ends.
    const int loans = chance(30) ? 2 : 1;
    int64_t left = credit;
    std::vector<std::tuple<std::string, int64_t, std::string>> drawn;
    for (int n = 1; n <= loans && left > 0; ++n) {
      const int64_t amount = n == loans ? left - (chance(50) ? left / 10 : 0) : std::max<int64_t>(1, left / 2);
      const std::string loan = "L" + std::to_string(n);
      const std::string disbursed_at = shift(granted_at, uniform(1, 30));
      Message drawdown = valid(stream, app, "loan_disbursed",
                               {{"loan_number", loan},
                                {"amount", amount},
                                {"rate_bp", 450},
                                {"disbursed_at", disbursed_at},
                                {"maturity", add_months(disbursed_at, 12)},
                                {"repayment_method", "equal_principal"}});
      if (!first_drawdown) first_drawdown = drawdown;
      ++totals.disbursed_count;
      totals.disbursed_amount += amount;
      left -= amount;
      drawn.emplace_back(loan, amount, disbursed_at);
    }
    for (const auto& [loan, amount, disbursed_at] : drawn) loan_life(stream, app, loan, amount, disbursed_at);
    return stream;
  }

  void loan_life(std::vector<Message>& stream, const std::string& app, const std::string& loan, int64_t amount,
                 const std::string& disbursed_at) {
    const int64_t path = uniform(1, 100);
    int64_t outstanding = amount;
    std::string day = disbursed_at;
    const int installments = path <= 25   ? static_cast<int>(uniform(1, 3))
                             : path <= 75 ? static_cast<int>(uniform(1, 3))
                                          : 0;
    for (int i = 1; i <= installments && outstanding > 0; ++i) {
      const bool clears = path <= 25 && i == installments;
      const int64_t principal = clears ? outstanding : std::min(outstanding - 1, std::max<int64_t>(0, amount / 6));
      if (principal <= 0 && !clears) break;
      day = shift(day, 30);
      valid(stream, app, "repayment_received",
            {{"loan_number", loan},
             {"installment", i},
             {"principal", principal},
             {"interest", uniform(100, 5000)},
             {"penalty", 0},
             {"paid_at", day}});
      ++totals.repaid_count;
      totals.repaid_principal += principal;
      outstanding -= principal;
    }
    if (path > 75 && path <= 92 && outstanding > 0) {
      valid(stream, app, "loan_overdue",
            {{"loan_number", loan},
             {"days_past_due", uniform(31, 120)},
             {"overdue_principal", std::max<int64_t>(1, outstanding / 3)},
             {"as_of", shift(day, 60)}});
      ++totals.overdue;
      if (path > 84) {
        valid(stream, app, "loan_written_off",
              {{"loan_number", loan}, {"amount", outstanding}, {"as_of", shift(day, 200)}});
        ++totals.written_off_count;
        totals.written_off_amount += outstanding;
      }
    }
  }

  // A malformed record of variety `n` for `app` (the last two break a rule the write side checks).
  Message malformed(size_t n, const std::string& app, const std::vector<Message>& stream) {
    ++totals.malformed;
    const std::string s = serial();
    json base = result(app, "loan_disbursed", s,
                       {{"loan_number", "LX"},
                        {"amount", 100},
                        {"rate_bp", 450},
                        {"disbursed_at", "2025-01-02"},
                        {"maturity", "2026-01-02"},
                        {"repayment_method", "bullet"}});
    switch (n % 9) {
      case 0:
        return {app, "{\"schema\":\"xyd.bank-result.v1\",\"serial\":", s, "malformed"};  // truncated JSON
      case 1:
        base["schema"] = "xyd.bank-result.v0";
        break;
      case 2:
        base.erase("serial");
        break;
      case 3:
        base["type"] = "loan_forgiven";
        break;
      case 4:
        base["amount"] = "one hundred";
        break;
      case 5:
        base["institution"] = "ins-someone-else";
        break;
      case 6:
        base["application"] = "app-unknown-" + s;
        break;
      case 7:
        base["amount"] = int64_t{1} << 50;
        break;  // over any credit
      default: {
        base = result(app, "repayment_received", s,
                      {{"loan_number", "L1"},
                       {"installment", 99},
                       {"principal", int64_t{1} << 50},
                       {"interest", 0},
                       {"penalty", 0},
                       {"paid_at", "2025-06-01"}});
        (void)stream;
      }
    }
    return {app, base.dump(), s, "malformed"};
  }

  Totals totals;

 private:
  const SimOptions& options_;
  std::mt19937_64 rng_;
  uint64_t serials_ = 0;
};

}  // namespace

json Totals::to_json() const {
  return {{"credit_granted", {{"count", credit_count}, {"amount_fen", credit_amount}}},
          {"credit_declined", {{"count", declined}}},
          {"loan_disbursed", {{"count", disbursed_count}, {"amount_fen", disbursed_amount}}},
          {"repayment_received", {{"count", repaid_count}, {"principal_fen", repaid_principal}}},
          {"loan_overdue", {{"count", overdue}}},
          {"loan_written_off", {{"count", written_off_count}, {"amount_fen", written_off_amount}}},
          {"valid", valid},
          {"duplicates", duplicates},
          {"invalid", {{"total", invalid()}, {"out_of_order", out_of_order}, {"malformed", malformed}}}};
}

size_t SimPlan::message_count() const {
  size_t n = 0;
  for (const auto& stream : streams) n += stream.size();
  return n;
}

SimPlan make_sim_plan(const std::vector<Work>& work, const SimOptions& options) {
  Builder b(options);
  SimPlan plan;
  std::vector<std::optional<Message>> drawdowns(work.size());
  for (size_t i = 0; i < work.size(); ++i) plan.streams.push_back(b.application(work[i], drawdowns[i]));
  if (!work.empty()) {
    // Out of order: a drawdown sent (with a serial of its own) before the credit it draws on.
    size_t injected = 0;
    for (size_t i = 0; i < work.size() && injected < options.out_of_order; ++i) {
      if (!drawdowns[i]) continue;
      json early = json::parse(drawdowns[i]->body);
      early["serial"] = b.serial();
      plan.streams[i].insert(plan.streams[i].begin(),
                             Message{work[i].application, early.dump(), early["serial"], "out_of_order"});
      ++b.totals.out_of_order;
      ++injected;
    }
    // Duplicates: an exact resend right after a valid result (the bank retried).
    for (size_t d = 0; d < options.duplicates; ++d) {
      auto& stream = plan.streams[static_cast<size_t>(b.uniform(0, static_cast<int64_t>(work.size()) - 1))];
      std::vector<size_t> valid;
      for (size_t k = 0; k < stream.size(); ++k)
        if (stream[k].kind == "valid") valid.push_back(k);
      if (valid.empty()) continue;
      const size_t at = valid[static_cast<size_t>(b.uniform(0, static_cast<int64_t>(valid.size()) - 1))];
      Message copy = stream[at];
      copy.kind = "duplicate";
      stream.insert(stream.begin() + static_cast<std::ptrdiff_t>(at + 1), copy);
      ++b.totals.duplicates;
    }
    // Malformed: after the application's own results.
    for (size_t m = 0; m < options.malformed; ++m) {
      auto& stream = plan.streams[static_cast<size_t>(b.uniform(0, static_cast<int64_t>(work.size()) - 1))];
      stream.push_back(b.malformed(m, stream.empty() ? "app-none" : stream.front().key, stream));
    }
  }
  plan.totals = b.totals;
  return plan;
}

}  // namespace xyd::ops::bank_sim

#include "ops/demo/risk_activity.h"

#include <map>
#include <random>

namespace xyd::ops::demo {
namespace {

using nlohmann::json;

const std::vector<std::string> kSignalTypes = {"judicial", "tax", "abnormal_operation", "administrative_penalty"};
const std::vector<std::string> kSources = {"法院公告", "税务局", "市场监管局", "信用中国"};
const std::vector<std::string> kNames = {"王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"};

Result<std::string> log_in(Caller& caller, const AccountPlan& account) {
  XYD_ASSIGN_OR_RETURN(
      HttpReply reply,
      caller.raw({"POST", "/api/v1/sessions", json{{"phone", account.phone}, {"password", account.password}}, "", ""}));
  if (!reply.ok()) return Caller::refusal("risk activity: login " + account.phone, reply);
  return reply.body.value("token", "");
}

}  // namespace

std::vector<RiskStep> plan_risk_activity(const DemoPlan& plan) {
  std::mt19937_64 rng(plan.seed ^ 0x5249534bULL);  // "RISK": a stream of its own, the lifecycle's is untouched
  auto pick = [&](size_t n) { return n == 0 ? size_t{0} : static_cast<size_t>(rng() % n); };
  std::vector<RiskStep> steps;
  const int64_t base = days_from_date(plan.base_date);
  for (size_t e = 0; e < plan.enterprises.size(); ++e) {
    const EnterprisePlan& enterprise = plan.enterprises[e];
    if (pick(100) < 12) {  // about one enterprise in eight has signals, one to three
      for (size_t k = 0, n = 1 + pick(3); k < n; ++k) {
        const size_t roll = pick(100);
        const std::string severity = roll < 30 ? "high" : roll < 70 ? "medium" : "low";
        steps.push_back({"signal",
                         e,
                         0,
                         {{"signal_type", kSignalTypes[pick(kSignalTypes.size())]},
                          {"severity", severity},
                          {"source", kSources[pick(kSources.size())]},
                          {"observed_at", date_from_days(base - static_cast<int64_t>(pick(180)))},
                          {"description", "演示风险信号"}}});
      }
    }
    if (pick(100) < 5) {
      std::string after = kNames[pick(kNames.size())];
      if (after == enterprise.legal_representative) after += "（变更）";
      steps.push_back({"change",
                       e,
                       0,
                       {{"field", "legal_representative"},
                        {"before", enterprise.legal_representative},
                        {"after", after},
                        {"source", "市场监管局"}}});
    }
  }
  // Each manager follows a few enterprises.
  for (size_t m = 0; m < plan.managers.size() && !plan.enterprises.empty(); ++m) {
    std::map<size_t, bool> chosen;
    for (size_t k = 0; k < 3; ++k) chosen[pick(plan.enterprises.size())] = true;
    for (const auto& [e, yes] : chosen) steps.push_back({"follow", e, m, json::object()});
  }
  return steps;
}

RiskSummary summarize(const std::vector<RiskStep>& steps) {
  RiskSummary s;
  for (const auto& step : steps) {
    if (step.kind == "signal") {
      ++s.signals;
      if (step.body.value("severity", "") == "high") ++s.high;
    } else if (step.kind == "change") {
      ++s.changes;
    } else {
      ++s.follows;
    }
  }
  return s;
}

Status drive_risk_activity(const DemoPlan& plan, const std::vector<RiskStep>& steps, const DriverOptions& options,
                           CallCounters& counters) {
  HttpClient client(options.http, std::chrono::seconds(60));
  Caller caller(client, counters, plan.seed);
  XYD_ASSIGN_OR_RETURN(std::string admin, log_in(caller, plan.system_admin));
  std::map<size_t, std::string> managers;
  size_t n = 0;
  for (const RiskStep& step : steps) {
    const EnterprisePlan& enterprise = plan.enterprises[step.enterprise];
    const std::string base = "/api/v1/enterprises/" + enterprise.id;
    const std::string id = "risk-" + std::to_string(n++) + "-" + step.kind + "-" + enterprise.id;
    if (step.kind == "signal") {
      XYD_RETURN_IF_ERROR(caller.run(id, "POST", base + "/risk-signals", step.body, admin));
    } else if (step.kind == "change") {
      XYD_RETURN_IF_ERROR(caller.run(id, "POST", base + "/profile-changes", step.body, admin));
    } else {
      if (!managers.contains(step.manager)) {
        XYD_ASSIGN_OR_RETURN(managers[step.manager], log_in(caller, plan.managers[step.manager]));
      }
      XYD_RETURN_IF_ERROR(caller.run(id, "POST", base + "/followers", step.body, managers[step.manager]));
    }
  }
  return Status();
}

}  // namespace xyd::ops::demo

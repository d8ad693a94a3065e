#include "ops/demo/driver.h"

#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "api/authenticator.h"
#include "ops/demo/actors.h"

namespace xyd::ops::demo {
namespace {

using nlohmann::json;

const char* const kPhases[] = {"system admin", "institutions", "enterprise users", "enterprises", "done"};

struct Agreement {
  std::string version = "ECA-2025-01";
  int64_t min_read_seconds = 15;
};

Agreement load_agreement(const std::string& rules_dir) {
  Agreement agreement;
  std::ifstream in(rules_dir + "/certification.json");
  std::stringstream text;
  text << in.rdbuf();
  const json rules = json::parse(text.str(), nullptr, false);
  if (rules.is_object() && rules.contains("agreement")) {
    agreement.version = rules["agreement"].value("version", agreement.version);
    agreement.min_read_seconds = rules["agreement"].value("min_read_seconds", agreement.min_read_seconds);
  }
  return agreement;
}

// Runs `work(caller, i)` for i in [0, count) on `concurrency` threads (worker w takes w, w+C, ...),
// each with its own connection; stops everyone at the first error and returns it.
Status parallel(size_t count, const DriverOptions& options, DriverProgress& progress, uint64_t seed,
                const std::function<Status(Caller&, size_t)>& work) {
  progress.done = 0;
  progress.total = count;
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::optional<Error> first;
  const size_t workers = std::max<size_t>(1, std::min(options.concurrency, count));
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      HttpClient client(options.http, std::chrono::seconds(60));
      Caller caller(client, progress.counters, seed);
      for (size_t i = w; i < count && !stop; i += workers) {
        Status done = work(caller, i);
        if (!done.ok()) {
          std::lock_guard lock(mutex);
          if (!first) first = done.error();
          stop = true;
          return;
        }
        progress.done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  for (auto& t : threads) t.join();
  if (first) return *first;
  return Status();
}

class Driver {
 public:
  Driver(const DemoPlan& plan, const DriverOptions& options, DriverProgress& progress)
      : plan_(plan),
        options_(options),
        progress_(progress),
        agreement_(load_agreement(options.rules_dir)),
        sms_(options.data_dir + "/sms.log") {}

  Status run() {
    XYD_RETURN_IF_ERROR(bootstrap());
    progress_.phase = 1;
    admins_.resize(plan_.admins.size());
    managers_.resize(plan_.managers.size());
    XYD_RETURN_IF_ERROR(parallel(plan_.institutions.size(), options_, progress_, plan_.seed,
                                 [this](Caller& c, size_t i) { return institution(c, i); }));
    for (size_t m = 0; m < managers_.size(); ++m) manager_by_account_[managers_[m].account] = m;
    progress_.phase = 2;
    users_.resize(plan_.users.size());
    XYD_RETURN_IF_ERROR(
        parallel(plan_.users.size(), options_, progress_, plan_.seed, [this](Caller& c, size_t i) -> Status {
          XYD_ASSIGN_OR_RETURN(users_[i], register_user(c, sms_, plan_.users[i]));
          return Status();
        }));
    progress_.phase = 3;
    XYD_RETURN_IF_ERROR(parallel(plan_.enterprises.size(), options_, progress_, plan_.seed,
                                 [this](Caller& c, size_t i) { return enterprise(c, i); }));
    progress_.phase = 4;
    return Status();
  }

 private:
  // The operator (role system, <data>/operator-token) creates the demo's system admin.
  Status bootstrap() {
    progress_.phase = 0;
    progress_.total = 1;
    std::string operator_token = std::getenv("XYD_TOKEN") ? std::getenv("XYD_TOKEN") : "";
    if (operator_token.empty()) {
      auto written = api::read_operator_token(options_.data_dir + "/operator-token");
      if (!written.ok())
        return make_error(Errc::unauthenticated,
                          "the demo acts first as the local operator: " + written.error().message +
                              " (run it with the server's --data folder)");
      operator_token = *written;
    }
    HttpClient client(options_.http, std::chrono::seconds(60));
    Caller caller(client, progress_.counters, plan_.seed);
    XYD_ASSIGN_OR_RETURN(system_admin_, create_staff(caller, options_.data_dir, operator_token, plan_.system_admin));
    for (const AccountPlan& reader : plan_.readers) {
      auto made = create_staff(caller, options_.data_dir, system_admin_.token, reader);
      if (!made.ok()) return made.error();
    }
    progress_.done = 1;
    return Status();
  }

  Status institution(Caller& c, size_t i) {
    const InstitutionPlan& ins = plan_.institutions[i];
    XYD_RETURN_IF_ERROR(c.run("institution-" + ins.id, "POST", "/api/v1/institutions",
                              {{"id", ins.id},
                               {"type", ins.type},
                               {"full_name", ins.full_name},
                               {"short_name", ins.short_name},
                               {"region", ins.region},
                               {"parent", ""}},
                              system_admin_.token));
    XYD_ASSIGN_OR_RETURN(Session admin,
                         create_staff(c, options_.data_dir, system_admin_.token, plan_.admins[ins.admin]));
    admins_[ins.admin] = admin;
    for (size_t m : ins.managers) {
      XYD_ASSIGN_OR_RETURN(managers_[m], create_staff(c, options_.data_dir, admin.token, plan_.managers[m]));
      XYD_RETURN_IF_ERROR(c.run("add-manager-" + plan_.managers[m].phone, "POST",
                                "/api/v1/institutions/" + ins.id + "/managers", {{"manager", managers_[m].account}},
                                admin.token));
    }
    for (size_t p : ins.products) {
      const ProductPlan& product = plan_.products[p];
      json body = {{"id", product.id},
                   {"institution", ins.id},
                   {"name", product.name},
                   {"product_type", product.product_type},
                   {"amount_min", product.amount_min},
                   {"amount_max", product.amount_max},
                   {"rate_min_bp", product.rate_min_bp},
                   {"rate_max_bp", product.rate_max_bp},
                   {"term_min_months", product.term_min_months},
                   {"term_max_months", product.term_max_months},
                   {"service_regions", product.service_regions},
                   {"featured", product.featured},
                   {"docking_mode", product.docking_mode},
                   {"description", product.description}};
      if (!product.link.empty()) body["link"] = product.link;
      XYD_RETURN_IF_ERROR(c.run("product-" + product.id, "POST", "/api/v1/products", body, admin.token));
    }
    return Status();
  }

  Status enterprise(Caller& c, size_t i) {
    const EnterprisePlan& e = plan_.enterprises[i];
    const Session& owner = users_[e.owner];
    XYD_RETURN_IF_ERROR(c.run("enterprise-" + e.uscc, "POST", "/api/v1/enterprises",
                              {{"uscc", e.uscc},
                               {"name", e.name},
                               {"legal_representative", e.legal_representative},
                               {"region", e.region},
                               {"industry", e.industry},
                               {"registered_capital", e.registered_capital},
                               {"scale", e.scale},
                               {"founded_on", e.founded_on}},
                              owner.token));
    if (e.certification.empty()) return Status();
    json certification = {{"method", e.certification},
                          {"agreement_version", agreement_.version},
                          {"agreement_read_seconds", agreement_.min_read_seconds + static_cast<int64_t>(i % 60)}};
    if (e.certification == "manual")
      certification["attachments"] = {{"business_licence", "demo://licences/" + e.uscc + ".pdf"}};
    const std::string base = "/api/v1/enterprises/" + e.id;
    XYD_RETURN_IF_ERROR(c.run("certify-" + e.uscc, "POST", base + "/certification", certification, owner.token));
    if (e.certification == "manual")
      XYD_RETURN_IF_ERROR(c.run("review-" + e.uscc, "POST", base + "/certification/review",
                                {{"decision", "approve"}, {"comment", "营业执照核验无误（演示数据）"}},
                                system_admin_.token));
    for (size_t d = 0; d < plan_.demands.size(); ++d)
      if (plan_.demands[d].enterprise == i) XYD_RETURN_IF_ERROR(demand(c, plan_.demands[d], owner));
    for (const auto& a : e.applications) XYD_RETURN_IF_ERROR(application(c, e, a, owner));
    return Status();
  }

  Status demand(Caller& c, const DemandPlan& d, const Session& owner) {
    const EnterprisePlan& e = plan_.enterprises[d.enterprise];
    XYD_RETURN_IF_ERROR(c.run("demand-" + d.id, "POST", "/api/v1/demands",
                              {{"id", d.id},
                               {"enterprise", e.id},
                               {"amount", d.amount},
                               {"term_months", d.term_months},
                               {"region", d.region},
                               {"product_type", d.product_type},
                               {"purpose", d.purpose}},
                              owner.token));
    if (d.claimed_by)
      XYD_RETURN_IF_ERROR(c.run("claim-" + d.id, "POST", "/api/v1/demands/" + d.id + "/claim", json::object(),
                                managers_[*d.claimed_by].token));
    if (d.close_reason == "withdrawn")
      XYD_RETURN_IF_ERROR(
          c.run("close-" + d.id, "POST", "/api/v1/demands/" + d.id + "/close", {{"reason", "withdrawn"}}, owner.token));
    return Status();
  }

  Result<json> read_order(Caller& c, const std::string& id, const std::string& token) {
    XYD_ASSIGN_OR_RETURN(HttpReply reply, c.raw({"GET", "/api/v1/applications/" + id, nullptr, token, ""}));
    if (!reply.ok()) return Caller::refusal("read " + id, reply);
    return reply.body;
  }

  Status application(Caller& c, const EnterprisePlan& e, const ApplicationPlan& a, const Session& owner) {
    const ProductPlan& product = plan_.products[a.product];
    json body = {{"id", a.id},          {"enterprise", e.id},           {"product", product.id},
                 {"amount", a.amount},  {"term_months", a.term_months}, {"purpose", a.purpose},
                 {"channel", a.channel}};
    if (a.demand) body["demand"] = plan_.demands[*a.demand].id;
    XYD_ASSIGN_OR_RETURN(HttpReply submitted,
                         c.command("apply-" + a.id, "POST", "/api/v1/applications", body, owner.token));
    XYD_ASSIGN_OR_RETURN(json order, read_order(c, a.id, owner.token));
    if (!submitted.replayed && order.value("status", "") != "assigned")
      return make_error(Errc::refused, "apply " + a.id + ": the order is " + order.value("status", "?") +
                                           " after submission, not assigned (screening, or no enabled manager?)");
    const std::string manager_account = order.value("manager", "");
    auto found = manager_by_account_.find(manager_account);
    if (found == manager_by_account_.end())
      return make_error(Errc::refused,
                        "apply " + a.id + ": assigned to " + manager_account + ", not one of the demo's managers");
    const std::string& manager = managers_[found->second].token;
    const std::string path = "/api/v1/applications/" + a.id;
    auto act = [&](const std::string& step, const std::string& verb, const json& data, const std::string& token) {
      return c.run(a.id + "-" + step, "POST", path + verb, data, token);
    };
    if (a.demand) {
      const DemandPlan& d = plan_.demands[*a.demand];
      XYD_RETURN_IF_ERROR(c.run("close-" + d.id, "POST", "/api/v1/demands/" + d.id + "/close",
                                {{"reason", "converted"}, {"application", a.id}}, managers_[*d.claimed_by].token));
    }
    const bool accepts = a.path != Path::assigned && (a.path != Path::terminated || a.accepted_first) &&
                         (a.path != Path::withdrawn || a.accepted_first);
    if (accepts)
      XYD_RETURN_IF_ERROR(act("accept", "/accept",
                              {{"comment", "资料齐全，受理（演示数据）"}, {"intended_amount", a.intended_amount}},
                              manager));
    switch (a.path) {
      case Path::terminated:
        XYD_RETURN_IF_ERROR(act("terminate", "/terminate", {{"reason", a.reason}}, manager));
        break;
      case Path::withdrawn:
        XYD_RETURN_IF_ERROR(act("withdraw", "/withdraw", {{"reason", a.reason}}, owner.token));
        break;
      case Path::declined:
        XYD_RETURN_IF_ERROR(
            act("decline", "/credit-decline", {{"reason", a.reason}, {"declined_at", a.declined_at}}, manager));
        break;
      case Path::settled:
      case Path::repaying:
      case Path::overdue:
      case Path::bad_debt:
        XYD_RETURN_IF_ERROR(loans(a, act, manager));
        break;
      default:
        break;
    }
    XYD_ASSIGN_OR_RETURN(order, read_order(c, a.id, owner.token));
    if (order.value("status", "") != expected_status(a.path))
      return make_error(Errc::refused, "check " + a.id + ": the order is " + order.value("status", "?") + ", planned " +
                                           expected_status(a.path));
    return Status();
  }

  template <typename Act>
  Status loans(const ApplicationPlan& a, Act& act, const std::string& manager) {
    const Credit& credit = a.credit;
    XYD_RETURN_IF_ERROR(act("credit", "/credit",
                            {{"credit_number", credit.number},
                             {"amount", credit.amount},
                             {"rate_bp", credit.rate_bp},
                             {"term_months", credit.term_months},
                             {"granted_at", credit.granted_at},
                             {"valid_until", credit.valid_until}},
                            manager));
    // Every drawdown first: once each loan is settled the order is closed.
    for (const Loan& loan : a.loans)
      XYD_RETURN_IF_ERROR(act("disburse-" + loan.number, "/disbursements",
                              {{"loan_number", loan.number},
                               {"amount", loan.amount},
                               {"rate_bp", loan.rate_bp},
                               {"disbursed_at", loan.disbursed_at},
                               {"maturity", loan.maturity},
                               {"repayment_method", loan.repayment_method}},
                              manager));
    for (const Loan& loan : a.loans)
      for (const Repayment& r : loan.repayments)
        XYD_RETURN_IF_ERROR(act("repay-" + loan.number + "-" + std::to_string(r.installment), "/repayments",
                                {{"loan_number", loan.number},
                                 {"installment", r.installment},
                                 {"principal", r.principal},
                                 {"interest", r.interest},
                                 {"penalty", r.penalty},
                                 {"paid_at", r.paid_at}},
                                manager));
    if (a.overdue)
      XYD_RETURN_IF_ERROR(act("overdue-" + a.overdue->loan_number, "/overdue",
                              {{"loan_number", a.overdue->loan_number},
                               {"days_past_due", a.overdue->days_past_due},
                               {"overdue_principal", a.overdue->overdue_principal},
                               {"as_of", a.overdue->as_of}},
                              manager));
    if (a.write_off)
      XYD_RETURN_IF_ERROR(act(
          "write-off-" + a.write_off->loan_number, "/write-offs",
          {{"loan_number", a.write_off->loan_number}, {"amount", a.write_off->amount}, {"as_of", a.write_off->as_of}},
          manager));
    return Status();
  }

  const DemoPlan& plan_;
  const DriverOptions& options_;
  DriverProgress& progress_;
  Agreement agreement_;
  SmsLog sms_;  // the registration codes the server sent to the users' phones
  Session system_admin_;
  std::vector<Session> admins_, managers_, users_;
  std::unordered_map<std::string, size_t> manager_by_account_;
};

}  // namespace

const char* phase_name(int phase) {
  return kPhases[std::clamp(phase, 0, 4)];
}

Status drive(const DemoPlan& plan, const DriverOptions& options, DriverProgress& progress) {
  return Driver(plan, options, progress).run();
}

}  // namespace xyd::ops::demo

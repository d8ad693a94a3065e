// The financing lifecycle end to end, through `xyd serve` on the backend under test, each step as
// the actor the domain gives it: a system admin onboards a bank and its people, the institution
// admin publishes products, an enterprise user registers itself and its enterprises and certifies
// them, applies; screening and least-loaded dispatch happen in the submission; the assigned
// manager accepts, credit is granted, drawn down twice and repaid until settled; other orders end
// overdue and written off, terminated, credit-declined and withdrawn. Every invariant is refused
// at least once over HTTP, naming its rule, and a refusal changes nothing. Reads are scoped (a
// city government account of another city gets 403) and the audit lists an order's events.
#define BOOST_TEST_MODULE lifecycle
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "tests/support/server_process.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

struct World {
  std::string data = fresh_dir("lifecycle");
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  ServerProcess server{data, "lifecycle-" + run};
  std::map<std::string, std::string> ids, tokens, phones;  // by name
  std::string ins_a = "ins-a-" + run, ins_b = "ins-b-" + run;
  std::string product, disabled_product;  // ids
  std::string e1, e2;                     // enterprise ids (440300, 440100)
  std::map<std::string, int> load;        // the test's own count of open orders per manager

  std::string phone(int n) const { return "15" + run + std::to_string(10 + n); }

  HttpReply call(const std::string& who, const std::string& method, const std::string& path,
                 const json& body = nullptr) {
    return http_request(server.url(), method, path, body,
                        who.empty() ? std::map<std::string, std::string>{} : bearer(tokens.at(who)));
  }
  HttpReply login(const std::string& phone, const std::string& password) {
    return call("", "POST", "/api/v1/sessions", {{"phone", phone}, {"password", password}});
  }
  std::string first_login(const std::string& phone, const std::string& initial) {
    auto first = login(phone, initial);
    BOOST_REQUIRE_MESSAGE(first.status == 201, "first login of " << phone << ": " << first.body.dump());
    const std::string id = first.body["account"]["id"], restricted = first.body["token"];
    const std::string chosen = "pw-" + phone + "-chosen";
    auto changed = http_request(server.url(), "PUT", "/api/v1/accounts/" + id + "/password",
                                {{"current_password", initial}, {"new_password", chosen}}, bearer(restricted));
    BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
    auto full = login(phone, chosen);
    BOOST_REQUIRE_EQUAL(full.status, 201);
    return full.body["token"];
  }
  // An account the admin creates, logged in with its initial password (changed at once).
  void create(const std::string& name, int n, json body) {
    body["phone"] = phones[name] = phone(n);
    auto reply = call("admin", "POST", "/api/v1/accounts", body);
    BOOST_REQUIRE_MESSAGE(reply.status == 201, name << ": " << reply.body.dump());
    ids[name] = reply.body["id"];
    const std::string initial = text_after(last_sms(data, phones[name]), "Initial password: ", 16);
    BOOST_REQUIRE_MESSAGE(initial.size() == 16, "no initial password was sent to " << name);
    tokens[name] = first_login(phones[name], initial);
  }
  void start_and_wait() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "serve did not come up; see " << data << ".server.log");
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (login(phone(1), "any-password-1").status == 503 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(100ms);
  }

  World() {
    start_and_wait();
    server.kill_with(SIGTERM);
    phones["admin"] = phone(1);
    auto [status, output] = run_command_line(std::string(XYD_BINARY) + " admin create --phone " + phones["admin"] +
                                             " --data '" + data + "'" + backend_flags_text() + " 2>&1");
    BOOST_REQUIRE_MESSAGE(status == 0, "xyd admin create failed: " << output);
    const std::string initial = text_after(output, "one-time password: ", 16);
    BOOST_REQUIRE_EQUAL(initial.size(), 16u);
    start_and_wait();
    tokens["admin"] = first_login(phones["admin"], initial);
  }

  // The version of an aggregate as the admin reads it (0: it does not exist).
  int64_t version(const std::string& plural, const std::string& id) {
    auto reply = call("admin", "GET", "/api/v1/" + plural + "/" + id);
    return reply.status == 200 ? reply.body.value("version", int64_t{-1}) : 0;
  }
  json get(const std::string& plural, const std::string& id) {
    return call("admin", "GET", "/api/v1/" + plural + "/" + id).body;
  }

  // A command that must succeed.
  json ok(const std::string& who, const std::string& method, const std::string& path,
          const json& body = json::object()) {
    auto reply = call(who, method, path, body);
    BOOST_REQUIRE_MESSAGE(reply.status == 200 || reply.status == 201,
                          who << " " << method << " " << path << " -> " << reply.status << " " << reply.body.dump());
    return reply.body;
  }
  // A command that must be refused with `status` and `rule`, leaving `plural/id` as it was.
  void refused(const std::string& who, const std::string& method, const std::string& path, const json& body, int status,
               const std::string& rule, const std::string& plural, const std::string& id) {
    const int64_t before = version(plural, id);
    auto reply = call(who, method, path, body);
    BOOST_CHECK_MESSAGE(reply.status == status && (rule.empty() || reply.body.value("rule", "") == rule),
                        who << " " << method << " " << path << ": expected " << status << " " << rule << ", got "
                            << reply.status << " " << reply.body.dump());
    BOOST_CHECK_EQUAL(version(plural, id), before);
  }

  // The manager dispatch should pick: fewest open orders, ties by account id.
  std::string least_loaded() {
    std::string best;
    for (const char* name : {"m1", "m2"}) {
      const std::string& id = ids[name];
      if (best.empty() || load[id] < load[best] || (load[id] == load[best] && id < best)) best = id;
    }
    return best;
  }
};

World& world() {
  return shared_setup<World>();
}

json new_loan(const std::string& number, int64_t amount) {
  return {{"loan_number", number},        {"amount", amount},         {"rate_bp", 450},
          {"disbursed_at", "2025-03-05"}, {"maturity", "2026-03-05"}, {"repayment_method", "equal_principal"}};
}

json repayment(const std::string& loan, int installment, int64_t principal) {
  return {{"loan_number", loan}, {"installment", installment}, {"principal", principal}, {"interest", 1000},
          {"penalty", 0},        {"paid_at", "2025-04-05"}};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(financing_lifecycle)

BOOST_AUTO_TEST_CASE(onboarding_institutions_people_and_products) {
  auto& w = world();
  for (const auto& [id, region] : {std::pair{w.ins_a, "440300"}, std::pair{w.ins_b, "440100"}}) {
    auto onboarded =
        w.ok("admin", "POST", "/api/v1/institutions",
             {{"id", id}, {"type", "bank"}, {"full_name", "测试银行 " + id}, {"short_name", id}, {"region", region}});
    BOOST_CHECK_EQUAL(onboarded["id"], id);
  }
  // Without an id, the Idempotency-Key names the institution: a retry maps to the same one.
  json body = {{"type", "bank"}, {"full_name", "重试银行"}, {"short_name", "retry"}, {"region", "440300"}};
  std::map<std::string, std::string> key = bearer(w.tokens["admin"]);
  key["Idempotency-Key"] = "onboard-" + w.run;
  auto first = http_request(w.server.url(), "POST", "/api/v1/institutions", body, key);
  auto again = http_request(w.server.url(), "POST", "/api/v1/institutions", body, key);
  BOOST_REQUIRE_EQUAL(first.status, 201);
  BOOST_CHECK_EQUAL(again.status, 201);
  BOOST_CHECK_EQUAL(first.body["id"], again.body["id"]);
  BOOST_CHECK(first.body["id"].get<std::string>().starts_with("ins-"));
  BOOST_CHECK_EQUAL(again.headers["Idempotency-Replayed"], "true");
  w.refused(
      "admin", "POST", "/api/v1/institutions",
      {{"id", "ins-x-" + w.run}, {"type", "pawnshop"}, {"full_name", "x"}, {"short_name", "x"}, {"region", "440300"}},
      400, "institution-type", "institutions", "ins-x-" + w.run);

  w.create("ia_admin", 2, {{"kind", "institution_admin"}, {"region", "440300"}, {"institution", w.ins_a}});
  w.create("m1", 3, {{"kind", "account_manager"}, {"region", "440300"}, {"institution", w.ins_a}});
  w.create("m2", 4, {{"kind", "account_manager"}, {"region", "440300"}, {"institution", w.ins_a}});
  w.create("mb", 5, {{"kind", "account_manager"}, {"region", "440100"}, {"institution", w.ins_b}});
  w.create("gz", 6, {{"kind", "government_city"}, {"region", "440100"}});
  w.create("auditor", 7, {{"kind", "auditor"}, {"region", "000000"}});
  for (const char* m : {"m1", "m2"})
    w.ok("admin", "POST", "/api/v1/institutions/" + w.ins_a + "/managers", {{"manager", w.ids[m]}});
  w.ok("admin", "POST", "/api/v1/institutions/" + w.ins_b + "/managers", {{"manager", w.ids["mb"]}});
  w.refused("admin", "POST", "/api/v1/institutions/" + w.ins_a + "/managers", {{"manager", w.ids["m1"]}}, 409,
            "manager-once", "institutions", w.ins_a);
  // The institution admin disables and enables a manager through the path.
  w.ok("ia_admin", "POST", "/api/v1/institutions/" + w.ins_a + "/managers/" + w.ids["m2"] + "/disable");
  BOOST_CHECK_EQUAL(w.get("institutions", w.ins_a)["managers"][w.ids["m2"]]["enabled"], false);
  w.ok("ia_admin", "POST", "/api/v1/institutions/" + w.ins_a + "/managers/" + w.ids["m2"] + "/enable");
  w.ok("ia_admin", "PATCH", "/api/v1/institutions/" + w.ins_a, {{"changes", {{"short_name", "A行"}}}});
  BOOST_CHECK_EQUAL(w.get("institutions", w.ins_a)["short_name"], "A行");
  auto listed = w.call("gz", "GET", "/api/v1/institutions?type=bank&region=440300");
  BOOST_REQUIRE_EQUAL(listed.status, 200);
  bool found = false;
  for (const auto& item : listed.body["items"]) found = found || item["id"] == w.ins_a;
  BOOST_CHECK(found);

  // Products: the institution admin publishes for its own institution.
  json terms = {{"name", "科技贷"},
                {"product_type", "credit"},
                {"amount_min", 100000},
                {"amount_max", 3000000},
                {"rate_min_bp", 350},
                {"rate_max_bp", 800},
                {"term_min_months", 6},
                {"term_max_months", 36},
                {"service_regions", {"440300"}},
                {"docking_mode", "offline_manager"}};
  auto published = w.ok("ia_admin", "POST", "/api/v1/products", terms);
  w.product = published["id"];
  BOOST_CHECK(w.product.starts_with("prd-"));
  BOOST_CHECK_EQUAL(w.get("products", w.product)["institution"], w.ins_a);
  terms["name"] = "停用贷";
  w.disabled_product = w.ok("ia_admin", "POST", "/api/v1/products", terms)["id"];
  w.ok("ia_admin", "POST", "/api/v1/products/" + w.disabled_product + "/disable");
  w.refused("ia_admin", "POST", "/api/v1/products/" + w.disabled_product + "/disable", json::object(), 422,
            "product-enabled", "products", w.disabled_product);
  w.refused("mb", "POST", "/api/v1/products/" + w.product + "/disable", json::object(), 403, "", "products", w.product);
  auto products = w.call("gz", "GET", "/api/v1/products?institution=" + w.ins_a + "&status=enabled&region=440305");
  BOOST_REQUIRE_EQUAL(products.status, 200);
  BOOST_REQUIRE_EQUAL(products.body["items"].size(), 1u);
  BOOST_CHECK_EQUAL(products.body["items"][0]["id"], w.product);
}

BOOST_AUTO_TEST_CASE(enterprise_registration_and_certification) {
  auto& w = world();
  w.phones["owner"] = w.phone(20);
  const std::string password = "pw-" + w.phones["owner"] + "-own";
  auto registered = register_with_code(w.server.url(), w.data,
                                       {{"phone", w.phones["owner"]}, {"region", "440300"}, {"password", password}});
  BOOST_REQUIRE_EQUAL(registered.status, 201);
  w.ids["owner"] = registered.body["id"];
  auto session = w.login(w.phones["owner"], password);
  BOOST_REQUIRE_EQUAL(session.status, 201);
  w.tokens["owner"] = session.body["token"];

  const std::string serial = w.run + "00";
  for (const auto& [name, region] : {std::pair{"e1", "440300"}, std::pair{"e2", "440100"}}) {
    const std::string uscc = make_uscc(region, serial.substr(0, 8) + (std::string(name) == "e1" ? "1" : "2"));
    auto made = w.ok("owner", "POST", "/api/v1/enterprises",
                     {{"uscc", uscc},
                      {"name", std::string("深圳测试科技有限公司") + name},
                      {"legal_representative", "张三"},
                      {"region", region},
                      {"industry", "C"},
                      {"registered_capital", 5000000},
                      {"scale", "small"},
                      {"founded_on", "2015-06-01"}});
    (std::string(name) == "e1" ? w.e1 : w.e2) = made["id"];
    BOOST_CHECK_EQUAL(made["id"], "ent-" + uscc);
  }
  w.refused("owner", "POST", "/api/v1/enterprises",
            {{"uscc", "91440300MA5IIIIII0"},
             {"name", "x"},
             {"legal_representative", "x"},
             {"region", "440300"},
             {"industry", "C"},
             {"registered_capital", 1},
             {"scale", "small"},
             {"founded_on", "2015-06-01"}},
            400, "", "enterprises", "ent-91440300MA5XXXXXX0");

  // Applying before certification is refused by name; nothing is created.
  const std::string early = "app-early-" + w.run;
  w.refused("owner", "POST", "/api/v1/applications",
            {{"id", early},
             {"enterprise", w.e1},
             {"product", w.product},
             {"amount", 1000000},
             {"term_months", 12},
             {"purpose", "working capital"},
             {"channel", "web"}},
            422, "enterprise-certified", "applications", early);

  const json certification = {
      {"method", "basic"}, {"agreement_version", "ECA-2025-01"}, {"agreement_read_seconds", 20}};
  w.refused("owner", "POST", "/api/v1/enterprises/" + w.e1 + "/certification",
            {{"method", "basic"}, {"agreement_version", "ECA-2025-01"}, {"agreement_read_seconds", 3}}, 422,
            "agreement-read-long-enough", "enterprises", w.e1);
  for (const auto& id : {w.e1, w.e2}) {
    auto certified = w.ok("owner", "POST", "/api/v1/enterprises/" + id + "/certification", certification);
    BOOST_CHECK_EQUAL(certified["events"].back()["type"], "xyd.enterprise.certified.v1");
    BOOST_CHECK_EQUAL(w.get("enterprises", id)["certification"], "certified");
  }
  w.refused("owner", "POST", "/api/v1/enterprises/" + w.e1 + "/certification", certification, 422, "not-yet-certified",
            "enterprises", w.e1);
  // Reads: the owner sees its own; another city's government does not; the list filters by scope.
  BOOST_CHECK_EQUAL(w.call("owner", "GET", "/api/v1/enterprises/" + w.e1).status, 200);
  BOOST_CHECK_EQUAL(w.call("gz", "GET", "/api/v1/enterprises/" + w.e1).status, 403);
  BOOST_CHECK_EQUAL(w.call("gz", "GET", "/api/v1/enterprises/" + w.e2).status, 200);
  auto seen = w.call("gz", "GET", "/api/v1/enterprises?industry=C");
  BOOST_REQUIRE_EQUAL(seen.status, 200);
  for (const auto& item : seen.body["items"]) BOOST_CHECK(item["region"].get<std::string>().starts_with("4401"));
  // Following as the caller, and letting go.
  w.ok("m1", "POST", "/api/v1/enterprises/" + w.e1 + "/followers");
  w.refused("m1", "POST", "/api/v1/enterprises/" + w.e1 + "/followers", json::object(), 409, "follow-once",
            "enterprises", w.e1);
  w.ok("m1", "DELETE", "/api/v1/enterprises/" + w.e1 + "/followers/me");
  BOOST_CHECK_EQUAL(w.get("enterprises", w.e1)["followers"].size(), 0u);
}

BOOST_AUTO_TEST_CASE(applications_through_every_ending) {
  auto& w = world();
  auto application = [&](const std::string& id, const std::string& enterprise, const std::string& product,
                         int64_t amount) {
    return json{{"id", id},          {"enterprise", enterprise},     {"product", product}, {"amount", amount},
                {"term_months", 12}, {"purpose", "working capital"}, {"channel", "web"}};
  };
  // Invariants of submission, each by name, nothing created.
  const std::string refused_id = "app-refused-" + w.run;
  w.refused("owner", "POST", "/api/v1/applications", application(refused_id, w.e1, w.disabled_product, 1000000), 422,
            "product-enabled", "applications", refused_id);
  w.refused("owner", "POST", "/api/v1/applications", application(refused_id, w.e1, w.product, 50), 422,
            "amount-within-product-range", "applications", refused_id);
  w.refused("owner", "POST", "/api/v1/applications", application(refused_id, w.e2, w.product, 1000000), 422,
            "region-served", "applications", refused_id);
  w.refused("owner", "POST", "/api/v1/applications", application(refused_id, w.e1, "prd-none-" + w.run, 1000000), 422,
            "product-exists", "applications", refused_id);

  // Five orders, each screened and dispatched to the least-loaded manager in the same decision.
  std::vector<std::string> orders;
  for (int n = 1; n <= 5; ++n) {
    const std::string id = "app-" + w.run + "-" + std::to_string(n);
    const std::string expected = w.least_loaded();
    auto submitted = w.ok("owner", "POST", "/api/v1/applications", application(id, w.e1, w.product, 1000000));
    std::vector<std::string> names;
    for (const auto& e : submitted["events"]) names.push_back(e["type"]);
    BOOST_REQUIRE_EQUAL(names.size(), 3u);
    BOOST_CHECK_EQUAL(names[1], "xyd.application.risk_screened.v1");
    BOOST_CHECK_EQUAL(names[2], "xyd.application.manager_assigned.v1");
    auto order = w.get("applications", id);
    BOOST_CHECK_EQUAL(order["status"], "assigned");
    BOOST_CHECK_MESSAGE(order["manager"] == expected,
                        "order " << n << " went to " << order["manager"] << ", not " << expected);
    w.load[order["manager"].get<std::string>()]++;
    orders.push_back(id);
  }
  const std::string a1 = orders[0], a2 = orders[1], a3 = orders[2], a4 = orders[3], a5 = orders[4];
  auto manager_of = [&](const std::string& id) {
    const std::string account = w.get("applications", id)["manager"];
    return account == w.ids["m1"] ? std::string("m1") : std::string("m2");
  };
  auto base = [](const std::string& id) { return "/api/v1/applications/" + id; };

  // Order 1: accepted, credit, two drawdowns, repaid until settled.
  const std::string m = manager_of(a1), other = m == "m1" ? "m2" : "m1";
  w.refused("mb", "POST", base(a1) + "/accept", {{"intended_amount", 1000000}}, 403, "", "applications", a1);
  w.refused(other, "POST", base(a1) + "/accept", {{"intended_amount", 1000000}}, 403, "", "applications", a1);
  w.refused(m, "POST", base(a1) + "/accept", {{"intended_amount", 2000000}}, 422, "intended-within-requested",
            "applications", a1);
  w.refused(m, "POST", base(a1) + "/credit",
            {{"credit_number", "CR-" + w.run + "-1"},
             {"amount", 1000000},
             {"rate_bp", 450},
             {"term_months", 12},
             {"granted_at", "2025-03-01"},
             {"valid_until", "2026-03-01"}},
            422, "credit-decision-after-acceptance", "applications", a1);
  w.ok(m, "POST", base(a1) + "/accept", {{"intended_amount", 1000000}, {"comment", "good"}});
  w.ok(m, "POST", base(a1) + "/credit",
       {{"credit_number", "CR-" + w.run + "-1"},
        {"amount", 1000000},
        {"rate_bp", 450},
        {"term_months", 12},
        {"granted_at", "2025-03-01"},
        {"valid_until", "2026-03-01"}});
  BOOST_CHECK_EQUAL(w.get("applications", a1)["status"], "credit_granted");
  w.ok(m, "POST", base(a1) + "/disbursements", new_loan("L1", 600000));
  w.ok("ia_admin", "POST", base(a1) + "/disbursements", new_loan("L2", 400000));
  w.refused(m, "POST", base(a1) + "/disbursements", new_loan("L3", 1), 422, "disbursed-within-credit", "applications",
            a1);
  w.refused(m, "POST", base(a1) + "/repayments", repayment("L1", 1, 700000), 422, "principal-within-outstanding",
            "applications", a1);
  auto order = w.get("applications", a1);
  BOOST_CHECK_EQUAL(order["status"], "disbursed");
  BOOST_CHECK_EQUAL(order["outstanding_total"], 1000000);
  w.ok(m, "POST", base(a1) + "/repayments", repayment("L1", 1, 300000));
  auto settled_l1 = w.ok(m, "POST", base(a1) + "/repayments", repayment("L1", 2, 300000));
  BOOST_CHECK_EQUAL(settled_l1["events"].back()["type"], "xyd.application.loan_settled.v1");
  BOOST_CHECK_EQUAL(w.get("applications", a1)["status"], "disbursed");
  w.ok(m, "POST", base(a1) + "/repayments", repayment("L2", 1, 400000));
  order = w.get("applications", a1);
  BOOST_CHECK_EQUAL(order["status"], "settled");
  BOOST_CHECK_EQUAL(order["outstanding_total"], 0);
  w.load[w.ids[m]]--;
  w.refused(m, "POST", base(a1) + "/repayments", repayment("L2", 2, 1), 422, "terminal-state", "applications", a1);
  w.refused(m, "POST", base(a1) + "/disbursements", new_loan("L4", 1), 422, "terminal-state", "applications", a1);

  // Order 2: one loan, overdue, written off: bad debt.
  const std::string m2 = manager_of(a2);
  w.ok(m2, "POST", base(a2) + "/accept", {{"intended_amount", 500000}});
  w.ok(m2, "POST", base(a2) + "/credit",
       {{"credit_number", "CR-" + w.run + "-2"},
        {"amount", 500000},
        {"rate_bp", 500},
        {"term_months", 12},
        {"granted_at", "2025-03-01"},
        {"valid_until", "2026-03-01"}});
  w.ok(m2, "POST", base(a2) + "/disbursements", new_loan("L1", 500000));
  w.refused(m2, "POST", base(a2) + "/write-offs", {{"loan_number", "L1"}, {"amount", 500000}, {"as_of", "2025-08-01"}},
            422, "written-off-when-overdue", "applications", a2);
  w.ok(m2, "POST", base(a2) + "/overdue",
       {{"loan_number", "L1"}, {"days_past_due", 35}, {"overdue_principal", 100000}, {"as_of", "2025-05-10"}});
  BOOST_CHECK_EQUAL(w.get("applications", a2)["status"], "overdue");
  w.ok(m2, "POST", base(a2) + "/write-offs", {{"loan_number", "L1"}, {"amount", 500000}, {"as_of", "2025-08-01"}});
  BOOST_CHECK_EQUAL(w.get("applications", a2)["status"], "bad_debt");
  w.load[w.ids[m2]]--;

  // Order 3 terminated by its manager; order 4 credit declined; order 5 withdrawn by the owner.
  const std::string m3 = manager_of(a3), m4 = manager_of(a4);
  w.ok(m3, "POST", base(a3) + "/terminate", {{"reason", "incomplete documents"}});
  BOOST_CHECK_EQUAL(w.get("applications", a3)["status"], "terminated");
  w.load[w.ids[m3]]--;
  w.refused(m3, "POST", base(a3) + "/accept", {{"intended_amount", 1}}, 422, "terminal-state", "applications", a3);
  w.ok(m4, "POST", base(a4) + "/accept", {{"intended_amount", 800000}});
  w.ok(m4, "POST", base(a4) + "/credit-decline", {{"reason", "insufficient cash flow"}, {"declined_at", "2025-03-02"}});
  BOOST_CHECK_EQUAL(w.get("applications", a4)["status"], "credit_declined");
  w.load[w.ids[m4]]--;
  w.refused("mb", "POST", base(a5) + "/withdraw", {{"reason", "not mine"}}, 403, "", "applications", a5);
  w.ok("owner", "POST", base(a5) + "/withdraw", {{"reason", "found other funding"}});
  BOOST_CHECK_EQUAL(w.get("applications", a5)["status"], "withdrawn");
  w.load[w.ids[manager_of(a5)]]--;
  w.refused(manager_of(a5), "POST", base(a5) + "/terminate", {{"reason", "late"}}, 422, "terminal-state",
            "applications", a5);

  // Every order has ended: the next one goes by id among equally idle managers.
  const std::string a6 = "app-" + w.run + "-6";
  const std::string expected = w.least_loaded();
  w.ok("owner", "POST", "/api/v1/applications", application(a6, w.e1, w.product, 200000));
  BOOST_CHECK_EQUAL(w.get("applications", a6)["manager"], expected);
  // Reassigning to the other manager, by the institution admin.
  const std::string to = expected == w.ids["m1"] ? w.ids["m2"] : w.ids["m1"];
  w.refused("ia_admin", "POST", base(a6) + "/reassign", {{"to", w.ids["mb"]}}, 422, "manager-enabled", "applications",
            a6);
  w.ok("ia_admin", "POST", base(a6) + "/reassign", {{"to", to}, {"reason", "workload"}});
  BOOST_CHECK_EQUAL(w.get("applications", a6)["manager"], to);

  // Reads are scoped: the owner, the institution and the admin see the order; another city's
  // government and a manager of another institution do not; lists hold only what the caller may read.
  BOOST_CHECK_EQUAL(w.call("owner", "GET", base(a1)).status, 200);
  BOOST_CHECK_EQUAL(w.call("ia_admin", "GET", base(a1)).status, 200);
  BOOST_CHECK_EQUAL(w.call("gz", "GET", base(a1)).status, 403);
  BOOST_CHECK_EQUAL(w.call("mb", "GET", base(a1)).status, 403);
  BOOST_CHECK_EQUAL(w.call("gz", "GET", "/api/v1/applications?institution=" + w.ins_a).body["items"].size(), 0u);
  auto mine = w.call("ia_admin", "GET", "/api/v1/applications?institution=" + w.ins_a + "&limit=1000");
  BOOST_REQUIRE_EQUAL(mine.status, 200);
  BOOST_CHECK_EQUAL(mine.body["items"].size(), 6u);
  auto settled = w.call("owner", "GET", "/api/v1/applications?status=settled&enterprise=" + w.e1);
  BOOST_REQUIRE_EQUAL(settled.body["items"].size(), 1u);
  BOOST_CHECK_EQUAL(settled.body["items"][0]["id"], a1);

  // The audit lists order 1's events in order.
  // (The audit view follows the log on its own: give it a moment to show the last event.)
  HttpReply audit;
  for (int tries = 0; tries < 100; ++tries) {
    audit = w.call("auditor", "GET", "/api/v1/audit/application/" + a1);
    if (audit.status != 200 || audit.body["items"].size() >= 12) break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_MESSAGE(audit.status == 200, audit.body.dump());
  std::vector<std::string> names;
  int64_t previous = 0;
  for (const auto& item : audit.body["items"]) {
    names.push_back(item["name"]);
    BOOST_CHECK_EQUAL(item["aggregate"]["version"].get<int64_t>(), previous + 1);
    previous = item["aggregate"]["version"];
  }
  const std::vector<std::string> expected_names = {"ApplicationSubmitted", "RiskScreened",      "ManagerAssigned",
                                                   "ApplicationAccepted",  "CreditGranted",     "LoanDisbursed",
                                                   "LoanDisbursed",        "RepaymentReceived", "RepaymentReceived",
                                                   "LoanSettled",          "RepaymentReceived", "LoanSettled"};
  BOOST_CHECK_EQUAL_COLLECTIONS(names.begin(), names.end(), expected_names.begin(), expected_names.end());
  BOOST_CHECK_EQUAL(w.call("owner", "GET", "/api/v1/audit/application/" + a1).status, 403);
}

BOOST_AUTO_TEST_CASE(demands_claimed_assigned_closed) {
  auto& w = world();
  auto published = w.ok("owner", "POST", "/api/v1/demands",
                        {{"enterprise", w.e1},
                         {"amount", 800000},
                         {"term_months", 12},
                         {"region", "440300"},
                         {"product_type", "credit"},
                         {"purpose", "equipment"}});
  const std::string demand = published["id"];
  BOOST_CHECK(demand.starts_with("dem-"));
  BOOST_CHECK_EQUAL(w.get("demands", demand)["industry"], "C");
  // The demand counts in its enterprise's region: a body naming another one is refused, and
  // without one it takes the enterprise's.
  w.refused("owner", "POST", "/api/v1/demands",
            {{"id", "dem-r-" + w.run},
             {"enterprise", w.e1},
             {"amount", 1},
             {"term_months", 12},
             {"region", "440100"},
             {"product_type", "credit"},
             {"purpose", "x"}},
            400, "enterprise-region", "demands", "dem-r-" + w.run);
  auto regionless = w.ok("owner", "POST", "/api/v1/demands",
                         {{"enterprise", w.e1},
                          {"amount", 800000},
                          {"term_months", 12},
                          {"product_type", "credit"},
                          {"purpose", "equipment"}});
  BOOST_CHECK_EQUAL(w.get("demands", regionless["id"].get<std::string>())["region"], "440300");
  w.refused("m1", "POST", "/api/v1/demands",
            {{"id", "dem-x-" + w.run},
             {"enterprise", w.e1},
             {"amount", 1},
             {"term_months", 12},
             {"region", "440300"},
             {"product_type", "credit"},
             {"purpose", "x"}},
            403, "", "demands", "dem-x-" + w.run);
  w.ok("m1", "POST", "/api/v1/demands/" + demand + "/claim");
  w.refused("mb", "POST", "/api/v1/demands/" + demand + "/claim", json::object(), 422, "demand-open", "demands",
            demand);
  w.ok("ia_admin", "POST", "/api/v1/demands/" + demand + "/assign", {{"manager", w.ids["m2"]}});
  BOOST_CHECK_EQUAL(w.get("demands", demand)["manager"], w.ids["m2"]);
  w.refused("m1", "POST", "/api/v1/demands/" + demand + "/close", {{"reason", "expired"}}, 403, "", "demands", demand);
  w.ok("m2", "POST", "/api/v1/demands/" + demand + "/close", {{"reason", "expired"}});
  BOOST_CHECK_EQUAL(w.get("demands", demand)["status"], "closed");
}

BOOST_AUTO_TEST_SUITE_END()

// Every flow log holds just its own events: an order's approval flow, reassignment flow and
// connector calls, an enterprise's certification runs, the demand flow; an unknown log is a 404.
BOOST_AUTO_TEST_CASE(flow_logs_hold_their_own_events) {
  auto& w = world();
  using Names = std::vector<std::string>;
  auto names_in = [&](const std::string& log, const std::string& subject, size_t at_least) {
    Names names;
    for (int tries = 0; tries < 50; ++tries) {  // the audit view may lag the last command a moment
      auto reply = w.call("auditor", "GET",
                          "/api/v1/logs/" + log + "?limit=500" + (subject.empty() ? "" : "&subject=" + subject));
      BOOST_REQUIRE_MESSAGE(reply.status == 200, log << ": " << reply.body.dump());
      names.clear();
      for (const auto& item : reply.body["items"]) names.push_back(item["name"]);
      if (names.size() >= at_least) break;
      std::this_thread::sleep_for(100ms);
    }
    return names;
  };
  const std::string a1 = "application/app-" + w.run + "-1", a6 = "application/app-" + w.run + "-6";
  const Names approval = names_in("approval", a1, 5);
  const Names approval_expected = {"ApplicationSubmitted", "RiskScreened", "ManagerAssigned", "ApplicationAccepted",
                                   "CreditGranted"};
  BOOST_CHECK_EQUAL_COLLECTIONS(approval.begin(), approval.end(), approval_expected.begin(), approval_expected.end());
  const Names calls = names_in("connector-calls", a1, 8);
  const Names calls_expected = {"CreditGranted",     "LoanDisbursed", "LoanDisbursed",     "RepaymentReceived",
                                "RepaymentReceived", "LoanSettled",   "RepaymentReceived", "LoanSettled"};
  BOOST_CHECK_EQUAL_COLLECTIONS(calls.begin(), calls.end(), calls_expected.begin(), calls_expected.end());
  const Names reassignment = names_in("reassignment", a6, 2);
  const Names reassignment_expected = {"ManagerAssigned", "ManagerReassigned"};
  BOOST_CHECK_EQUAL_COLLECTIONS(reassignment.begin(), reassignment.end(), reassignment_expected.begin(),
                                reassignment_expected.end());
  const Names certification = names_in("certification", "enterprise/" + w.e1, 2);
  BOOST_REQUIRE(!certification.empty());
  BOOST_CHECK_EQUAL(certification.front(), "CertificationSubmitted");
  BOOST_CHECK(std::find(certification.begin(), certification.end(), "EnterpriseCertified") != certification.end());
  for (const auto& name : certification)
    BOOST_CHECK_MESSAGE(name.starts_with("Certification") || name == "EnterpriseCertified", name);
  const Names demand = names_in("demand", "", 3);
  const std::set<std::string> demand_events = {"DemandPublished", "DemandClaimed", "DemandAssigned", "DemandClosed"};
  BOOST_CHECK(!demand.empty());
  for (const auto& name : demand) BOOST_CHECK_MESSAGE(demand_events.contains(name), name);
  auto unknown = w.call("auditor", "GET", "/api/v1/logs/gossip");
  BOOST_CHECK_EQUAL(unknown.status, 404);
  BOOST_CHECK_EQUAL(unknown.body["rule"], "known-log");
  auto listed = w.call("auditor", "GET", "/api/v1/logs");
  BOOST_REQUIRE_EQUAL(listed.status, 200);
  BOOST_CHECK_EQUAL(listed.body["items"].size(), 10u);
  BOOST_CHECK_EQUAL(w.call("owner", "GET", "/api/v1/logs/approval").status, 403);
}

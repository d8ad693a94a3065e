// Bank results in, end to end, on both logs. On the real broker: `xyd serve --bank-inbound`, an
// institution with a few hundred accepted applications (made over REST as the real actors), and
// `xyd bank-sim` producing thousands of results to xyd.in.<institution>, with injected
// duplicates, out-of-order and malformed records; the server is killed with SIGKILL mid-stream
// and restarted. Then: every valid result applied exactly once (the orders' state and the
// dashboard projection's credit, loan and bad-debt figures equal the simulator's own totals),
// every invalid one in xyd.dlq once with its reason and in the per-bank error view. On the
// embedded log the simulator sends signed webhooks instead, with the same checks on the orders
// and the error view. On both: webhooks with a bad signature, a stale timestamp or another
// institution's key are refused and change nothing; results are pulled back by serial and the
// reconciliation shows them.
#define BOOST_TEST_MODULE bank_sim
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "connectors/webhook_signature.h"
#include "events/log/open_log.h"
#include "ops/demo/actors.h"
#include "ops/http_client.h"
#include "ops/sms_log.h"
#include "projections/dashboard/dashboard_projection.h"
#include "projections/dashboard/dashboard_query.h"
#include "projections/runtime/runtime.h"
#include "tests/support/backend.h"
#include "tests/support/server_process.h"

using namespace std::chrono_literals;
using namespace xyd;
using nlohmann::json;
using xyd::test::make_uscc;

namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const bool kOnKafka = xyd::test::on_kafka();
// Kafka: thousands of results through the consumer; embedded: a few hundred over webhooks.
const int kApplications = kOnKafka ? 600 : 120;

// The installation under test: a server, its people, a bank with accepted applications, keys
// and webhook secrets. Test thread only.
struct World {
  std::string data = test::fresh_dir("bank-sim");
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  test::ServerProcess server{data, "banksim-" + run, {"--bank-inbound"}};
  bool serving = start();  // first: the client below needs the port the server got
  ops::HttpClient http{server.url(), std::chrono::seconds(60)};
  ops::demo::CallCounters counters;
  ops::demo::Caller caller{http, counters, std::stoull(run)};
  std::string ins = "ins-sim-" + run, other = "ins-other-" + run;
  std::string admin, ia_admin, owner, enterprise, product, key, other_key, secret, other_secret;
  std::vector<std::string> applications;

  std::string phone(int n) const { return "17" + run + std::to_string(10 + n); }
  ops::demo::AccountPlan person(int n, const std::string& kind, const std::string& institution = "") {
    return {phone(n), "测试" + std::to_string(n), "440300", kind, institution, "pw-" + phone(n) + "-sim"};
  }
  json ok(const std::string& step, const std::string& method, const std::string& path, const json& body,
          const std::string& token) {
    auto reply = caller.command(step, method, path, body, token);
    BOOST_REQUIRE_MESSAGE(reply.ok(), step << ": " << reply.error().to_string());
    return reply->body;
  }
  ops::HttpReply get(const std::string& path, const std::string& token) {
    auto reply = http.call({"GET", path, nullptr, token, ""});
    BOOST_REQUIRE_MESSAGE(reply.ok(), path << ": " << reply.error().to_string());
    return *reply;
  }
  bool start() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "serve did not come up; see " << data << ".server.log");
    return true;
  }
  std::string operator_token() {
    std::ifstream in(data + "/operator-token");
    std::string token;
    std::getline(in, token);
    return token;
  }

  World() {
    auto sysadmin = ops::demo::create_staff(caller, data, operator_token(), person(1, "system_admin"));
    BOOST_REQUIRE_MESSAGE(sysadmin.ok(), sysadmin.error().to_string());
    admin = sysadmin->token;
    for (const auto& id : {ins, other})
      ok("onboard-" + id, "POST", "/api/v1/institutions",
         {{"id", id}, {"type", "bank"}, {"full_name", "模拟银行 " + id}, {"short_name", id}, {"region", "440300"}},
         admin);
    auto ia = ops::demo::create_staff(caller, data, admin, person(2, "institution_admin", ins));
    BOOST_REQUIRE_MESSAGE(ia.ok(), ia.error().to_string());
    ia_admin = ia->token;
    auto manager = ops::demo::create_staff(caller, data, admin, person(3, "account_manager", ins));
    BOOST_REQUIRE_MESSAGE(manager.ok(), manager.error().to_string());
    ok("add-manager", "POST", "/api/v1/institutions/" + ins + "/managers", {{"manager", manager->account}}, admin);
    product = ok("product", "POST", "/api/v1/products",
                 {{"name", "模拟贷"},
                  {"product_type", "credit"},
                  {"amount_min", 100000},
                  {"amount_max", 5000000},
                  {"rate_min_bp", 350},
                  {"rate_max_bp", 800},
                  {"term_min_months", 6},
                  {"term_max_months", 36},
                  {"service_regions", {"440300"}},
                  {"docking_mode", "api"}},
                 ia_admin)["id"];
    ops::SmsLog sms(data + "/sms.log");  // the registration code the server sent to the phone
    auto user = ops::demo::register_user(caller, sms, person(4, "enterprise_user"));
    BOOST_REQUIRE_MESSAGE(user.ok(), user.error().to_string());
    owner = user->token;
    enterprise = ok("enterprise", "POST", "/api/v1/enterprises",
                    {{"uscc", make_uscc("440300", run + "77")},
                     {"name", "深圳模拟科技有限公司"},
                     {"legal_representative", "李四"},
                     {"region", "440300"},
                     {"industry", "I"},
                     {"registered_capital", 5000000},
                     {"scale", "small"},
                     {"founded_on", "2016-06-01"}},
                    owner)["id"];
    ok("certify", "POST", "/api/v1/enterprises/" + enterprise + "/certification",
       {{"method", "basic"}, {"agreement_version", "ECA-2025-01"}, {"agreement_read_seconds", 20}}, owner);
    auto made = ok("api-key", "POST", "/api/v1/institutions/" + ins + "/api-keys", json::object(), admin);
    key = made["key"];
    other_key =
        ok("api-key-other", "POST", "/api/v1/institutions/" + other + "/api-keys", json::object(), admin)["key"];
    secret = ok("secret", "POST", "/api/v1/institutions/" + ins + "/webhook-secrets", json::object(), admin)["secret"];
    other_secret = ok("secret-other", "POST", "/api/v1/institutions/" + other + "/webhook-secrets", json::object(),
                      admin)["secret"];
    accepted_applications(kApplications);
  }

  // `n` applications (numbered from `first`) submitted by the owner and accepted by the institution admin, 8 at a time.
  void accepted_applications(int n, int first = 0) {
    std::vector<std::thread> workers;
    std::mutex mutex;
    std::string failure;
    for (int w = 0; w < 8; ++w)
      workers.emplace_back([&, w] {
        ops::demo::Caller c(http, counters, std::stoull(run));
        for (int i = w; i < n; i += 8) {
          const std::string id = "app-sim-" + run + "-" + std::to_string(1000 + first + i);
          const int64_t amount = 100000 + (static_cast<int64_t>(i) * 7919 % 49) * 100000;
          Status s = c.run("apply-" + id, "POST", "/api/v1/applications",
                           {{"id", id},
                            {"enterprise", enterprise},
                            {"product", product},
                            {"amount", amount},
                            {"term_months", 12},
                            {"purpose", "working capital"},
                            {"channel", "web"}},
                           owner);
          if (s.ok())
            s = c.run("accept-" + id, "POST", "/api/v1/applications/" + id + "/accept",
                      {{"intended_amount", amount}, {"comment", "docking"}}, ia_admin);
          std::lock_guard lock(mutex);
          if (!s.ok() && failure.empty()) failure = s.error().to_string();
          if (s.ok()) applications.push_back(id);
        }
      });
    for (auto& worker : workers) worker.join();
    BOOST_REQUIRE_MESSAGE(failure.empty(), failure);
  }

  // The consumer group has committed every record of the institution's topic: a reader starting
  // at the committed offsets finds nothing (end offsets also count transaction markers).
  bool inbound_drained(log::EventLog& log) {
    const std::string topic = "xyd.in." + ins;
    auto partitions = log.partition_count(topic);
    if (!partitions.ok()) return false;
    std::vector<log::TopicPartition> tps;
    for (int32_t p = 0; p < *partitions; ++p) tps.push_back({topic, p});
    auto committed = log.committed("xyd-bank-inbound", tps);
    auto reader = log.reader();
    if (!committed.ok() || !reader.ok()) return false;
    std::map<log::TopicPartition, int64_t> starts;
    for (const auto& tp : tps) starts[tp] = committed->contains(tp) ? committed->at(tp) : 0;
    if (!(*reader)->assign(starts).ok()) return false;
    auto records = (*reader)->poll(1500ms, 10);
    return records.ok() && records->empty();
  }
};

// The test broker's log, opened in this process.
std::unique_ptr<log::EventLog> kafka_log() {
  log::LogOptions options;
  options.backend = "kafka";
  options.kafka.brokers = std::getenv("XYD_TEST_KAFKA") ? std::getenv("XYD_TEST_KAFKA") : "";
  BOOST_REQUIRE_MESSAGE(!options.kafka.brokers.empty(), "XYD_TEST_KAFKA is not set: run through ops/test.sh");
  auto opened = log::open_log(options);
  BOOST_REQUIRE_MESSAGE(opened.ok(), opened.error().to_string());
  return std::move(*opened);
}

// The world is built by the first case that asks and never destroyed (cpprestsdk's static thread
// pool may be gone by then); the global fixture stops its server when the module ends.
World* g_world = nullptr;
World& world() {
  static bool tried = false;
  if (!g_world) {
    BOOST_REQUIRE_MESSAGE(!tried, "the shared set-up failed in an earlier test");
    tried = true;
    g_world = new World();
  }
  return *g_world;
}
// Stops the shared world's server when the test module ends.
struct StopServer {
  ~StopServer() {
    if (g_world && g_world->server.running()) g_world->server.kill_with(SIGTERM);
  }
};

// The dashboard projection's country-wide, all-time figures, built in this process from the log.
json dashboard_figures(log::EventLog& log) {
  projections::runtime::RuntimeOptions options;
  options.path = test::fresh_dir("bank-sim-dashboard");
  options.rules_dir = XYD_RULES_DIR;
  options.only = {"dashboard"};
  auto runtime = projections::runtime::ProjectionRuntime::open(log, options);
  BOOST_REQUIRE_MESSAGE(runtime.ok(), runtime.error().to_string());
  BOOST_REQUIRE((*runtime)->start().ok());
  auto caught_up = (*runtime)->wait_caught_up("dashboard", 120s);
  BOOST_REQUIRE_MESSAGE(caught_up.ok(), caught_up.error().to_string());
  auto reader = (*runtime)->reader("dashboard");
  BOOST_REQUIRE(reader.ok());
  auto figures = projections::dashboard::dashboard(**reader, {"CN", "all", "", 1});
  BOOST_REQUIRE_MESSAGE(figures.ok(), figures.error().to_string());
  (*runtime)->stop();
  reader->reset();
  runtime->reset();
  std::filesystem::remove_all(options.path);  // a whole projection store per call: do not keep it
  return *figures;
}

// count and amount_fen of a dashboard figure, wherever the shape keeps them.
std::pair<int64_t, int64_t> figure(const json& dashboard, const std::string& name) {
  const json* f = nullptr;
  for (const char* group : {"totals", "figures", "headline"})
    if (dashboard.contains(group) && dashboard[group].contains(name)) f = &dashboard[group][name];
  if (!f && dashboard.contains(name)) f = &dashboard[name];
  BOOST_REQUIRE_MESSAGE(f, "the dashboard has no figure " << name << ": " << dashboard.dump().substr(0, 600));
  return {f->value("count", int64_t{-1}), f->value("amount_fen", int64_t{-1})};
}

// The orders as the state view shows them: every valid result the bank sent applied once.
void check_applied_once(World& w, const json& totals) {
  int64_t credit_count = 0, credit_amount = 0, declined = 0, loans = 0, disbursed = 0, repayments = 0, repaid = 0,
          overdue = 0, written_off = 0, written_off_amount = 0;
  std::string after;
  for (;;) {
    auto page =
        w.get("/api/v1/applications?institution=" + w.ins + "&limit=1000" + (after.empty() ? "" : "&after=" + after),
              w.ia_admin);
    BOOST_REQUIRE_EQUAL(page.status, 200);
    for (const auto& order : page.body["items"]) {
      if (order.contains("credit") && order["credit"].is_object()) {
        ++credit_count;
        credit_amount += order["credit"].value("amount", int64_t{0});
      }
      if (order.value("status", "") == "credit_declined") ++declined;
      const json loans_of = order.contains("loans") && order["loans"].is_object() ? order["loans"] : json::object();
      for (const auto& [number, loan] : loans_of.items()) {
        ++loans;
        disbursed += loan.value("amount", int64_t{0});
        repayments += loan.value("last_installment", int64_t{0});
        repaid += loan.value("repaid_principal", int64_t{0});
        if (loan.value("status", "") == "overdue" || loan.value("status", "") == "written_off") ++overdue;
        if (loan.value("status", "") == "written_off") {
          ++written_off;
          written_off_amount += loan.value("written_off_amount", int64_t{0});
        }
      }
    }
    if (!page.body["next_after"].is_string()) break;
    after = page.body["next_after"];
  }
  BOOST_CHECK_EQUAL(credit_count, totals["credit_granted"]["count"].get<int64_t>());
  BOOST_CHECK_EQUAL(credit_amount, totals["credit_granted"]["amount_fen"].get<int64_t>());
  BOOST_CHECK_EQUAL(declined, totals["credit_declined"]["count"].get<int64_t>());
  BOOST_CHECK_EQUAL(loans, totals["loan_disbursed"]["count"].get<int64_t>());
  BOOST_CHECK_EQUAL(disbursed, totals["loan_disbursed"]["amount_fen"].get<int64_t>());
  BOOST_CHECK_EQUAL(repayments, totals["repayment_received"]["count"].get<int64_t>());
  BOOST_CHECK_EQUAL(repaid, totals["repayment_received"]["principal_fen"].get<int64_t>());
  BOOST_CHECK_EQUAL(overdue, totals["loan_overdue"]["count"].get<int64_t>());
  BOOST_CHECK_EQUAL(written_off, totals["loan_written_off"]["count"].get<int64_t>());
  BOOST_CHECK_EQUAL(written_off_amount, totals["loan_written_off"]["amount_fen"].get<int64_t>());
}

// How many dead letters the institution's error view lists (its view follows xyd.dlq: it waits
// a moment for `expected`).
size_t error_view_count(World& w, int64_t expected) {
  const int64_t invalid = expected;
  size_t listed = 0;
  for (int tries = 0; tries < 100; ++tries) {
    listed = 0;
    std::string cursor;
    for (;;) {
      auto page =
          w.get("/api/v1/connectors/" + w.ins + "/errors?limit=1000" + (cursor.empty() ? "" : "&after=" + cursor),
                w.ia_admin);
      BOOST_REQUIRE_MESSAGE(page.status == 200, page.text);
      listed += page.body["items"].size();
      if (!page.body["next_after"].is_string()) break;
      cursor = page.body["next_after"];
    }
    if (static_cast<int64_t>(listed) >= invalid) break;
    std::this_thread::sleep_for(100ms);
  }
  return listed;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(StopServer);

BOOST_AUTO_TEST_SUITE(bank_results)

BOOST_AUTO_TEST_CASE(simulated_bank_with_a_crash_mid_stream_is_applied_exactly_once,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) { return kOnKafka; })) {
  auto& w = world();
  BOOST_REQUIRE_EQUAL(w.applications.size(), static_cast<size_t>(kApplications));
  auto log = kafka_log();
  const json before = dashboard_figures(*log);

  const std::string command = std::string(XYD_BINARY) + " bank-sim --institution " + w.ins + " --key " + w.key +
                              " --http " + w.server.url() + test::backend_flags_text() +
                              " --seed 7 --duplicates 150 --out-of-order 40 --malformed 90 2>&1 >" + w.data +
                              ".sim.json";
  // The bank produces while the connector (the server consuming xyd.in.*) is killed mid-stream
  // and restarted.
  std::pair<int, std::string> sim;
  std::thread bank([&] { sim = test::run_command_line(command); });
  // Mid-stream: once the group has committed some of this bank's records, not yet all.
  auto committed_here = [&]() -> int64_t {
    const std::string topic = "xyd.in." + w.ins;
    auto partitions = log->partition_count(topic);
    if (!partitions.ok()) return 0;
    std::vector<log::TopicPartition> tps;
    for (int32_t p = 0; p < *partitions; ++p) tps.push_back({topic, p});
    auto committed = log->committed("xyd-bank-inbound", tps);
    int64_t n = 0;
    if (committed.ok())
      for (const auto& [tp, offset] : *committed) n += offset;
    return n;
  };
  int64_t seen = 0;
  for (int i = 0; i < 6000 && seen == 0; ++i) {
    seen = committed_here();
    if (seen == 0) std::this_thread::sleep_for(10ms);
  }
  BOOST_TEST_MESSAGE("killing the connector after it committed " << seen << " of this bank's records");
  w.server.kill_with(SIGKILL);
  bank.join();
  BOOST_REQUIRE_MESSAGE(sim.first == 0, "bank-sim failed: " << sim.second);
  std::ifstream in(w.data + ".sim.json");
  json totals = json::parse(in, nullptr, false);
  BOOST_REQUIRE_MESSAGE(totals.is_object(), "bank-sim printed no totals");
  BOOST_TEST_MESSAGE("bank-sim: " << totals.dump());
  const int64_t messages = totals["messages"], invalid = totals["invalid"]["total"];
  BOOST_CHECK_GE(messages, 2000);
  BOOST_CHECK_EQUAL(totals["duplicates"], 150);
  BOOST_CHECK_EQUAL(invalid, 130);
  BOOST_CHECK_MESSAGE(seen > 0 && seen < messages,
                      "killed after " << seen << " of " << messages << " records: the crash tested nothing");
  w.start();
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (!w.inbound_drained(*log) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
  BOOST_REQUIRE_MESSAGE(w.inbound_drained(*log),
                        "the connector did not consume xyd.in." << w.ins << " within 2 minutes");

  check_applied_once(w, totals);

  // The dashboard projection moved by exactly the simulator's credit, loan and bad-debt totals.
  const json after_sim = dashboard_figures(*log);
  for (const auto& [name, sim] : std::vector<std::pair<std::string, std::string>>{{"credit_granted", "credit_granted"},
                                                                                  {"loans_disbursed", "loan_disbursed"},
                                                                                  {"bad_debt", "loan_written_off"}}) {
    const auto [count0, amount0] = figure(before, name);
    const auto [count1, amount1] = figure(after_sim, name);
    BOOST_CHECK_MESSAGE(
        count1 - count0 == totals[sim]["count"].get<int64_t>(),
        name << " count moved by " << count1 - count0 << ", the bank reported " << totals[sim]["count"]);
    BOOST_CHECK_MESSAGE(
        amount1 - amount0 == totals[sim]["amount_fen"].get<int64_t>(),
        name << " amount moved by " << amount1 - amount0 << ", the bank reported " << totals[sim]["amount_fen"]);
  }

  // Every invalid record in xyd.dlq exactly once, with its reason.
  std::map<log::TopicPartition, int64_t> starts;
  auto dlq_partitions = log->partition_count("xyd.dlq");
  BOOST_REQUIRE(dlq_partitions.ok());
  std::map<log::TopicPartition, int64_t> ends;
  for (int32_t p = 0; p < *dlq_partitions; ++p) {
    starts[{"xyd.dlq", p}] = 0;
    ends[{"xyd.dlq", p}] = *log->end_offset({"xyd.dlq", p});
  }
  auto reader = log->reader();
  BOOST_REQUIRE(reader.ok());
  BOOST_REQUIRE((*reader)->assign(starts).ok());
  std::set<std::string> ids;
  int64_t records = 0;
  std::map<std::string, int> rules;
  auto done = [&] {
    for (const auto& [tp, end] : ends)
      if (*(*reader)->position(tp) < end) return false;
    return true;
  };
  while (!done()) {
    auto batch = (*reader)->poll(500ms, 5000);
    BOOST_REQUIRE(batch.ok());
    for (const auto& record : *batch) {
      if (record.key != w.ins) continue;
      const json letter = json::parse(record.value);
      ++records;
      ids.insert(letter["id"]);
      BOOST_CHECK(!letter["reason"]["rule"].get<std::string>().empty());
      BOOST_CHECK(letter["original"].contains("value"));
      ++rules[letter["reason"]["rule"]];
    }
  }
  BOOST_CHECK_EQUAL(static_cast<int64_t>(ids.size()), invalid);
  BOOST_CHECK_EQUAL(records, invalid);
  for (const char* rule : {"json", "schema", "required", "result-type", "integer", "institution-matches-channel",
                           "disbursement-after-credit"})
    BOOST_CHECK_MESSAGE(rules[rule] > 0, "no dead letter with rule " << rule);

  BOOST_CHECK_EQUAL(static_cast<int64_t>(error_view_count(w, invalid)), invalid);
  // Another institution's connector may not read them.
  ops::HttpCall foreign{"GET", "/api/v1/connectors/" + w.ins + "/errors", nullptr, "", ""};
  foreign.headers["Authorization"] = "ApiKey " + w.other_key;
  BOOST_CHECK_EQUAL(w.http.call(foreign)->status, 403);
}

BOOST_AUTO_TEST_CASE(simulated_bank_over_signed_webhooks_is_applied_exactly_once,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) { return !kOnKafka; })) {
  auto& w = world();
  BOOST_REQUIRE_EQUAL(w.applications.size(), static_cast<size_t>(kApplications));
  const std::string command =
      std::string(XYD_BINARY) + " bank-sim --to webhook --institution " + w.ins + " --key " + w.key +
      " --webhook-secret " + w.secret + " --http " + w.server.url() + test::backend_flags_text() +
      " --seed 5 --duplicates 40 --out-of-order 10 --malformed 27" + " 2>&1 >" + w.data + ".sim-webhook.json";
  auto [status, output] = test::run_command_line(command);
  BOOST_REQUIRE_MESSAGE(status == 0, "bank-sim failed: " << output);
  std::ifstream in(w.data + ".sim-webhook.json");
  json totals = json::parse(in, nullptr, false);
  BOOST_REQUIRE_MESSAGE(totals.is_object(), "bank-sim printed no totals");
  BOOST_TEST_MESSAGE("bank-sim: " << totals.dump());
  const int64_t invalid = totals["invalid"]["total"];
  BOOST_CHECK_EQUAL(invalid, 37);
  // Every answer: 200 for valid results and their resends, a problem for each invalid one.
  int64_t answered_ok = totals["answers"].value("200", int64_t{0}), refused = 0;
  for (const auto& [code, n] : totals["answers"].items())
    if (code != "200") refused += n.get<int64_t>();
  BOOST_CHECK_EQUAL(answered_ok, totals["valid"].get<int64_t>() + totals["duplicates"].get<int64_t>());
  BOOST_CHECK_EQUAL(refused, invalid);
  check_applied_once(w, totals);
  BOOST_CHECK_EQUAL(static_cast<int64_t>(error_view_count(w, invalid)), invalid);
}

BOOST_AUTO_TEST_CASE(signed_webhooks_refused_unless_valid_and_recent_and_the_institutions_own) {
  auto& w = world();
  w.applications.clear();
  w.accepted_applications(1, kApplications);
  const std::string app = w.applications.front();
  const std::string path = "/api/v1/connectors/" + w.ins + "/results";
  auto version = [&] { return w.get("/api/v1/applications/" + app, w.ia_admin).body.value("version", int64_t{-1}); };
  auto post = [&](const std::string& body, const std::string& id, int64_t ts, const std::string& secret,
                  bool tamper = false) {
    ops::HttpCall call{"POST", path, nullptr, "", ""};
    call.raw_body = body;
    call.headers["webhook-id"] = id;
    call.headers["webhook-timestamp"] = std::to_string(ts);
    call.headers["webhook-signature"] = *connectors::sign_webhook(secret, id, ts, tamper ? body + " " : body);
    auto reply = w.http.call(call);
    BOOST_REQUIRE(reply.ok());
    return *reply;
  };
  const std::string serial = "WH-" + w.run + "-1";
  const std::string credit = json{
      {"schema", "xyd.bank-result.v1"},
      {"serial", serial},
      {"institution", w.ins},
      {"application", app},
      {"type", "credit_granted"},
      {"credit_number", "CR-WH"},
      {"amount", 100000},
      {"rate_bp", 400},
      {"term_months", 12},
      {"granted_at", "2025-05-01"},
      {"valid_until",
       "2026-05-01"}}.dump();
  const int64_t v0 = version();
  auto refused = [&](const ops::HttpReply& reply, const std::string& field, const std::string& rule) {
    BOOST_CHECK_EQUAL(reply.status, 401);
    BOOST_CHECK_EQUAL(reply.problem.field, field);
    BOOST_CHECK_EQUAL(reply.problem.rule, rule);
    BOOST_CHECK_MESSAGE(reply.body.value("title", "").find("webhook") != std::string::npos, reply.text);
    BOOST_CHECK_EQUAL(version(), v0);
  };
  refused(post(credit, "wh-1", now_seconds(), w.secret, true), "webhook-signature", "signature-mismatch");
  refused(post(credit, "wh-1", now_seconds() - 600, w.secret), "webhook-timestamp", "timestamp-tolerance");
  refused(post(credit, "wh-1", now_seconds(), w.other_secret), "webhook-signature", "signature-mismatch");
  auto unsigned_reply = w.http.call({"POST", path, json::parse(credit), "", ""});
  refused(*unsigned_reply, "webhook-id", "required");

  auto applied = post(credit, "wh-1", now_seconds(), w.secret);
  BOOST_REQUIRE_MESSAGE(applied.status == 200, applied.text);
  BOOST_CHECK_EQUAL(applied.body["outcome"], "applied");
  BOOST_CHECK_EQUAL(version(), v0 + 1);
  auto again = post(credit, "wh-1", now_seconds(), w.secret);
  BOOST_CHECK_EQUAL(again.status, 200);
  BOOST_CHECK_EQUAL(again.body["outcome"], "replayed");
  BOOST_CHECK(again.replayed);
  BOOST_CHECK_EQUAL(version(), v0 + 1);

  // Signed, but over the credit: refused by the write side, kept as a dead letter.
  const std::string over = json{
      {"schema", "xyd.bank-result.v1"},
      {"serial", serial + "-over"},
      {"institution", w.ins},
      {"application", app},
      {"type", "loan_disbursed"},
      {"loan_number", "L1"},
      {"amount", 100001},
      {"rate_bp", 400},
      {"disbursed_at", "2025-05-02"},
      {"maturity", "2026-05-02"},
      {"repayment_method",
       "bullet"}}.dump();
  auto rejected = post(over, "wh-2", now_seconds(), w.secret);
  BOOST_CHECK_EQUAL(rejected.status, 422);
  BOOST_CHECK_EQUAL(rejected.problem.rule, "disbursed-within-credit");
  BOOST_CHECK_EQUAL(rejected.body["dead_letter"], "webhook:" + w.ins + "/wh-2");
  BOOST_CHECK_EQUAL(version(), v0 + 1);

  // Both can be pulled back by serial; the reconciliation of their business date shows them.
  json pulled, pulled_over;
  for (int tries = 0; tries < 100; ++tries) {
    pulled = w.get(path + "/" + serial, w.ia_admin).body;
    pulled_over = w.get(path + "/" + serial + "-over", w.ia_admin).body;
    if (pulled.value("outcome", "") == "applied" && pulled_over.value("outcome", "") == "rejected") break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_CHECK_EQUAL(pulled["outcome"], "applied");
  BOOST_CHECK_EQUAL(pulled["amount"], 100000);
  BOOST_CHECK_EQUAL(pulled_over["outcome"], "rejected");
  BOOST_CHECK_EQUAL(pulled_over["reason"]["rule"], "disbursed-within-credit");
  auto day = w.get("/api/v1/connectors/" + w.ins + "/reconciliation?date=2025-05-01", w.ia_admin);
  BOOST_REQUIRE_EQUAL(day.status, 200);
  BOOST_CHECK_GE(day.body["figures"]["credit_granted"]["count"].get<int64_t>(), 1);
  auto bad_date = w.get("/api/v1/connectors/" + w.ins + "/reconciliation?date=2025-13-01", w.ia_admin);
  BOOST_CHECK_EQUAL(bad_date.status, 400);
  BOOST_CHECK_EQUAL(bad_date.problem.field, "date");
}

BOOST_AUTO_TEST_CASE(the_simulator_takes_its_work_from_the_outbound_stream,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) { return kOnKafka; })) {
  auto& w = world();
  w.applications.clear();
  w.accepted_applications(3, kApplications + 10);
  std::sort(w.applications.begin(), w.applications.end());
  // The outbound stream as the outbound connector publishes it (xyd.outbound.v1): three orders
  // accepted, one of them withdrawn afterwards (not work), one never accepted.
  auto log = kafka_log();
  const std::string topic = "xyd.out." + w.ins;
  // The server's outbound follower may have made the topic already (at the server's partition
  // count): write into it as it is; otherwise make it as the follower would.
  if (!log->partition_count(topic).ok()) {
    const auto made = log->create_topics({{topic, 6}});
    BOOST_REQUIRE_MESSAGE(made.ok() || log->partition_count(topic).ok(), made.error().to_string());
  }
  std::vector<log::OutRecord> stream;
  auto message = [&](const std::string& app, const std::string& type, json data, int version) {
    stream.push_back({topic,
                      app,
                      json{{"schema", "xyd.outbound.v1"},
                           {"event_id", app + "-" + std::to_string(version)},
                           {"type", type},
                           {"application", app},
                           {"institution", w.ins},
                           {"version", version},
                           {"at", 1735689600000},
                           {"data", data}}
                          .dump(),
                      {},
                      {}});
  };
  for (const auto& app : w.applications) {
    message(app, "ApplicationSubmitted", {{"amount", 500000}}, 1);
    message(app, "ManagerAssigned", json::object(), 3);
    message(app, "ApplicationAccepted", {{"intended_amount", 500000}}, 4);
  }
  message(w.applications.back(), "ApplicationWithdrawn", {{"reason", "x"}}, 5);
  message("app-never-accepted-" + w.run, "ApplicationSubmitted", {{"amount", 1}}, 1);
  BOOST_REQUIRE(log->append(stream).ok());

  auto [status, output] =
      test::run_command_line(std::string(XYD_BINARY) + " bank-sim --from outbound --to kafka --institution " + w.ins +
                             test::backend_flags_text() + " --seed 3 2>/dev/null");
  BOOST_REQUIRE_MESSAGE(status == 0, "bank-sim failed: " << output);
  const json totals = json::parse(output, nullptr, false);
  BOOST_REQUIRE_MESSAGE(totals.is_object(), output);
  BOOST_CHECK_EQUAL(totals["applications"], 2);
  // The two orders it answered are decided once the connector has read the results.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!w.inbound_drained(*log) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(200ms);
  for (size_t i = 0; i < 2; ++i) {
    const json order = w.get("/api/v1/applications/" + w.applications[i], w.ia_admin).body;
    BOOST_CHECK_MESSAGE(order.value("status", "") != "accepted",
                        w.applications[i] << " is still accepted: " << order.dump().substr(0, 300));
  }
}

BOOST_AUTO_TEST_SUITE_END()

// The risk-warning feeds end to end, through `xyd serve` on the backend under test with a rules
// folder of its own: real actors record risk signals, profile changes, follows and an overdue loan;
// an SSE client connected before the event gets its warning within a second; Last-Event-ID resumes
// with exactly the missed ones; a city user sees only its region; a follower gets its enterprise's
// changes (and an enterprise user may follow only what it may read); an institution's user reads the
// risk marker on its order; a follower outside a loan's scope gets its warnings without the loan's
// details; a disabled account's stream ends within a second; a caller's fifth stream gets 429 with
// Retry-After; on Kafka the warning reaches the xyd.risk-warnings topic; a changed threshold and a
// rebuild change exactly the affected warnings.
// The broker is shared with other suites: assertions look at this run's enterprises only.
#define BOOST_TEST_MODULE risk_feed
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "tests/ops/risk_feed_kafka.h"
#include "tests/support/backend.h"
#include "tests/support/server_process.h"
#include "tests/support/sse_client.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

std::string copy_rules() {
  const std::string dir = fresh_dir("risk-rules");
  std::filesystem::create_directories(dir);
  for (const auto& entry : std::filesystem::directory_iterator(XYD_RULES_DIR))
    if (entry.path().extension() == ".json")
      std::filesystem::copy_file(entry.path(), dir + "/" + entry.path().filename().string());
  return dir;
}

struct World {
  std::string data = fresh_dir("risk-feed");
  std::string rules = copy_rules();
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  ServerProcess server{data, "risk-" + run, {"--rules", rules, "--sse-heartbeat-seconds", "1"}};
  std::map<std::string, std::string> ids, tokens;
  std::string ins_a = "ins-ra-" + run, product, e1, e2, order;

  std::string phone(int n) const { return "16" + run + std::to_string(10 + n); }
  HttpReply call(const std::string& who, const std::string& method, const std::string& path,
                 const json& body = nullptr) {
    return http_request(server.url(), method, path, body, bearer(tokens.at(who)));
  }
  json ok(const std::string& who, const std::string& method, const std::string& path,
          const json& body = json::object()) {
    auto reply = call(who, method, path, body);
    BOOST_REQUIRE_MESSAGE(reply.status == 200 || reply.status == 201,
                          who << " " << method << " " << path << " -> " << reply.status << " " << reply.body.dump());
    return reply.body;
  }
  std::string login(const std::string& phone, const std::string& password) {
    auto reply = http_request(server.url(), "POST", "/api/v1/sessions", {{"phone", phone}, {"password", password}});
    BOOST_REQUIRE_MESSAGE(reply.status == 201, "login " << phone << ": " << reply.body.dump());
    if (!reply.body.value("password_change_required", false)) return reply.body["token"];
    const std::string chosen = "pw-" + phone + "-chosen";
    auto changed = http_request(
        server.url(), "PUT", "/api/v1/accounts/" + reply.body["account"]["id"].get<std::string>() + "/password",
        {{"current_password", password}, {"new_password", chosen}}, bearer(reply.body["token"]));
    BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
    return login(phone, chosen);
  }
  void create(const std::string& name, int n, json body) {
    body["phone"] = phone(n);
    auto reply = call("admin", "POST", "/api/v1/accounts", body);
    BOOST_REQUIRE_MESSAGE(reply.status == 201, name << ": " << reply.body.dump());
    ids[name] = reply.body["id"];
    tokens[name] = login(phone(n), text_after(last_sms(data, phone(n)), "Initial password: ", 16));
  }
  void self_register(const std::string& name, int n, const std::string& region) {
    const std::string password = "pw-" + phone(n) + "-own";
    auto reply =
        register_with_code(server.url(), data, {{"phone", phone(n)}, {"region", region}, {"password", password}});
    BOOST_REQUIRE_MESSAGE(reply.status == 201, reply.body.dump());
    ids[name] = reply.body["id"];
    tokens[name] = login(phone(n), password);
  }
  void start_and_wait() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "serve did not come up; see " << data << ".server.log");
  }
  // The risk list as `who` sees it (this run's enterprise `enterprise`, or everything).
  json list(const std::string& who, const std::string& query = "") {
    auto reply = call(who, "GET", "/api/v1/risk-warnings?limit=1000" + query);
    BOOST_REQUIRE_MESSAGE(reply.status == 200, reply.body.dump());
    return reply.body["items"];
  }

  World() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "serve did not come up; see " << data << ".server.log");
    server.kill_with(SIGTERM);
    auto [status, output] = run_command_line(std::string(XYD_BINARY) + " admin create --phone " + phone(1) +
                                             " --data '" + data + "'" + backend_flags_text() + " 2>&1");
    BOOST_REQUIRE_MESSAGE(status == 0, "xyd admin create failed: " << output);
    start_and_wait();
    tokens["admin"] = login(phone(1), text_after(output, "one-time password: ", 16));

    ok("admin", "POST", "/api/v1/institutions",
       {{"id", ins_a}, {"type", "bank"}, {"full_name", "风险测试银行"}, {"short_name", "RA"}, {"region", "440300"}});
    create("ia", 2, {{"kind", "institution_admin"}, {"region", "440300"}, {"institution", ins_a}});
    create("m1", 3, {{"kind", "account_manager"}, {"region", "440300"}, {"institution", ins_a}});
    create("gz", 4, {{"kind", "government_city"}, {"region", "440100"}});
    ok("admin", "POST", "/api/v1/institutions/" + ins_a + "/managers", {{"manager", ids["m1"]}});
    product = ok("ia", "POST", "/api/v1/products",
                 {{"name", "风险贷"},
                  {"product_type", "credit"},
                  {"amount_min", 100000},
                  {"amount_max", 3000000},
                  {"rate_min_bp", 350},
                  {"rate_max_bp", 800},
                  {"term_min_months", 6},
                  {"term_max_months", 36},
                  {"service_regions", {"440300"}},
                  {"docking_mode", "offline_manager"}})["id"];
    self_register("owner", 5, "440300");
    // The follower may read every enterprise (a manager), though its own scope covers no order.
    create("fan", 6, {{"kind", "account_manager"}, {"region", "440300"}, {"institution", ins_a}});
    self_register("other", 7, "440100");
    create("streams", 8, {{"kind", "government_city"}, {"region", "440100"}});
    create("leaver", 9, {{"kind", "government_city"}, {"region", "440100"}});
    for (const auto& [name, region] : {std::pair{"1", "440300"}, std::pair{"2", "440100"}}) {
      const std::string id = ok("owner", "POST", "/api/v1/enterprises",
                                {{"uscc", make_uscc(region, run + "0" + name)},
                                 {"name", std::string("风险测试企业") + name},
                                 {"legal_representative", "张三"},
                                 {"region", region},
                                 {"industry", "C"},
                                 {"registered_capital", 5000000},
                                 {"scale", "small"},
                                 {"founded_on", "2015-06-01"}})["id"];
      (std::string(name) == "1" ? e1 : e2) = id;
      ok("owner", "POST", "/api/v1/enterprises/" + id + "/certification",
         {{"method", "basic"}, {"agreement_version", "ECA-2025-01"}, {"agreement_read_seconds", 20}});
    }
    order = "app-risk-" + run;
    ok("owner", "POST", "/api/v1/applications",
       {{"id", order},
        {"enterprise", e1},
        {"product", product},
        {"amount", 1000000},
        {"term_months", 12},
        {"purpose", "working capital"},
        {"channel", "web"}});
    const std::string base = "/api/v1/applications/" + order;
    ok("m1", "POST", base + "/accept", {{"intended_amount", 1000000}});
    ok("m1", "POST", base + "/credit",
       {{"credit_number", "CR-" + run},
        {"amount", 1000000},
        {"rate_bp", 450},
        {"term_months", 12},
        {"granted_at", "2025-03-01"},
        {"valid_until", "2026-03-01"}});
    ok("m1", "POST", base + "/disbursements",
       {{"loan_number", "L1"},
        {"amount", 1000000},
        {"rate_bp", 450},
        {"disbursed_at", "2025-03-05"},
        {"maturity", "2026-03-05"},
        {"repayment_method", "equal_principal"}});
  }

  std::map<std::string, std::string> auth(const std::string& who) { return bearer(tokens.at(who)); }
  json signal(const std::string& enterprise, const std::string& type, const std::string& severity) {
    return ok("admin", "POST", "/api/v1/enterprises/" + enterprise + "/risk-signals",
              {{"signal_type", type}, {"severity", severity}, {"source", "test"}, {"observed_at", "2025-06-01"}});
  }
};

World& world() {
  return shared_setup<World>();
}

auto of_enterprise(const std::string& enterprise, const std::string& rule = "") {
  return [enterprise, rule](const SseEvent& e) {
    json data = json::parse(e.data, nullptr, false);
    return data.is_object() && data["enterprise"] == enterprise && (rule.empty() || data["rule"] == rule);
  };
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_connected_client_gets_the_warning_within_a_second) {
  auto& w = world();
  SseClient admin(w.server.port(), "/api/v1/feeds/risk-warnings", w.auth("admin"));
  SseClient gz(w.server.port(), "/api/v1/feeds/risk-warnings", w.auth("gz"));
  BOOST_REQUIRE_EQUAL(admin.status(), 200);
  BOOST_CHECK_EQUAL(admin.content_type(), "text/event-stream");
  BOOST_REQUIRE_EQUAL(gz.status(), 200);
  std::this_thread::sleep_for(300ms);  // both streams are in their loop
  const auto raised = std::chrono::steady_clock::now();
  w.signal(w.e1, "judicial", "high");
  auto got = admin.wait_for(of_enterprise(w.e1, "risk-signal-high"), 5s);
  BOOST_REQUIRE_MESSAGE(got, "no warning on the stream within 5 s");
  const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(got->received - raised);
  BOOST_TEST_MESSAGE("SSE latency from the request to the warning: " << latency.count() << " ms");
  BOOST_CHECK_LE(latency.count(), 1000);
  BOOST_CHECK_EQUAL(got->event, "warning");
  json warning = json::parse(got->data);
  BOOST_CHECK_EQUAL(got->id, std::to_string(warning["sequence"].get<uint64_t>()));
  BOOST_CHECK_EQUAL(warning["rule_set"], "risk-warning");
  BOOST_CHECK(!warning["rule_set_version"].get<std::string>().empty());
  BOOST_CHECK_EQUAL(warning["region"], "440300");
  // The city user of 440100 gets the warning of its own city, never the one of 440300.
  w.signal(w.e2, "tax", "high");
  BOOST_CHECK(gz.wait_for(of_enterprise(w.e2, "risk-signal-high"), 5s));
  BOOST_CHECK(!gz.wait_for(of_enterprise(w.e1), 200ms));
  // A quiet stream is kept alive by comments (every second with this server's flag).
  std::this_thread::sleep_for(2500ms);
  BOOST_CHECK_GE(gz.comments(), 1u);
  for (const auto& item : w.list("gz")) BOOST_CHECK(item["region"].get<std::string>().starts_with("4401"));
  bool listed = false;
  for (const auto& item : w.list("gz", "&enterprise=" + w.e2)) listed = listed || item["rule"] == "risk-signal-high";
  BOOST_CHECK(listed);
  BOOST_CHECK(w.list("gz", "&enterprise=" + w.e1).empty());
}

BOOST_AUTO_TEST_CASE(last_event_id_resumes_with_exactly_the_missed_ones) {
  auto& w = world();
  const std::string path = "/api/v1/feeds/risk-warnings?enterprise=" + w.e1;
  std::string last;
  {
    SseClient first(w.server.port(), path, w.auth("admin"));
    std::this_thread::sleep_for(200ms);
    w.signal(w.e1, "abnormal_operation", "high");
    auto got = first.wait_for(of_enterprise(w.e1, "risk-signal-high"), 5s);
    BOOST_REQUIRE(got);
    last = got->id;
  }  // disconnected
  std::set<std::string> missed;
  w.signal(w.e1, "administrative_penalty", "high");
  w.signal(w.e1, "tax", "low");  // raises nothing
  w.signal(w.e1, "judicial", "high");
  // The list is a projection: on Kafka it catches up shortly after the commands are acknowledged.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (bool first = true;; first = false) {
    if (!first) std::this_thread::sleep_for(100ms);
    missed.clear();
    for (const auto& item : w.list("admin", "&enterprise=" + w.e1 + "&after=" + last))
      missed.insert(std::to_string(item["sequence"].get<uint64_t>()));
    if (missed.size() >= 2 || std::chrono::steady_clock::now() >= deadline) break;
  }
  BOOST_REQUIRE_EQUAL(missed.size(), 2u);
  for (const auto& how : {std::string("header"), std::string("query")}) {
    auto headers = w.auth("admin");
    std::string resume_path = path;
    if (how == "header")
      headers["Last-Event-ID"] = last;
    else
      resume_path += "&last_event_id=" + last;
    SseClient resumed(w.server.port(), resume_path, headers);
    BOOST_REQUIRE_EQUAL(resumed.status(), 200);
    resumed.wait_count(missed.size(), 5s);
    std::this_thread::sleep_for(300ms);  // nothing more comes
    std::set<std::string> got;
    for (const auto& e : resumed.events()) got.insert(e.id);
    BOOST_CHECK_MESSAGE(got == missed, how << ": resumed with " << got.size() << " events");
  }
  auto bad = w.call("admin", "GET", "/api/v1/feeds/risk-warnings?last_event_id=abc");
  BOOST_CHECK_EQUAL(bad.status, 400);
  BOOST_CHECK_EQUAL(bad.body.value("field", ""), "last_event_id");
  bad = w.call("admin", "GET", "/api/v1/risk-warnings?kind=rumour");
  BOOST_CHECK_EQUAL(bad.status, 400);
  BOOST_CHECK_EQUAL(bad.body.value("rule", ""), "one-of");
  bad = w.call("admin", "GET", "/api/v1/risk-warnings?after=-1");
  BOOST_CHECK_EQUAL(bad.body.value("field", ""), "after");
}

BOOST_AUTO_TEST_CASE(followers_get_their_enterprises_changes) {
  auto& w = world();
  // An enterprise user follows only what it may read: not another owner's enterprise.
  auto refused = w.call("other", "POST", "/api/v1/enterprises/" + w.e2 + "/followers", json::object());
  BOOST_CHECK_EQUAL(refused.status, 403);
  BOOST_CHECK_EQUAL(refused.body.value("rule", ""), "scope-own");
  w.ok("fan", "POST", "/api/v1/enterprises/" + w.e2 + "/followers");
  SseClient fan(w.server.port(), "/api/v1/feeds/risk-warnings", w.auth("fan"));
  SseClient other(w.server.port(), "/api/v1/feeds/risk-warnings", w.auth("other"));
  std::this_thread::sleep_for(300ms);
  w.ok("admin", "POST", "/api/v1/enterprises/" + w.e2 + "/profile-changes",
       {{"field", "legal_representative"}, {"before", "张三"}, {"after", "李四"}, {"source", "test"}});
  auto change = fan.wait_for(of_enterprise(w.e2), 5s);
  BOOST_REQUIRE_MESSAGE(change, "the follower got no change");
  BOOST_CHECK_EQUAL(change->event, "change");
  BOOST_CHECK_EQUAL(json::parse(change->data)["details"]["after"], "李四");
  BOOST_CHECK(!other.wait_for(of_enterprise(w.e2), 300ms));
  bool listed = false;
  for (const auto& item : w.list("fan")) {
    BOOST_CHECK_EQUAL(item["enterprise"], w.e2);  // only what it follows
    listed = listed || item["kind"] == "change";
  }
  BOOST_CHECK(listed);
  BOOST_CHECK(w.list("other").empty());
}

BOOST_AUTO_TEST_CASE(the_risk_marker_on_an_institutions_order) {
  auto& w = world();
  const std::string base = "/api/v1/applications/" + w.order;
  w.ok("m1", "POST", base + "/overdue",
       {{"loan_number", "L1"}, {"days_past_due", 120}, {"overdue_principal", 100000}, {"as_of", "2025-07-10"}});
  std::set<std::string> rules;
  for (int i = 0; i < 50 && !rules.contains("loan-overdue-90"); ++i) {
    auto order = w.ok("ia", "GET", base);
    rules.clear();
    for (const auto& warning : order["risk_marker"]["warnings"]) rules.insert(warning["rule"]);
    if (!rules.contains("loan-overdue-90")) std::this_thread::sleep_for(100ms);
  }
  BOOST_CHECK(rules.contains("loan-overdue-90"));
  BOOST_CHECK(rules.contains("loan-overdue"));
  BOOST_CHECK(rules.contains("risk-signal-high"));
  auto listed = w.ok("m1", "GET", "/api/v1/applications?enterprise=" + w.e1);
  BOOST_REQUIRE_EQUAL(listed["items"].size(), 1u);
  BOOST_CHECK_EQUAL(listed["items"][0]["risk_marker"]["level"], "high");
  // The enterprise user's answer is as before: no marker.
  BOOST_CHECK(!w.ok("owner", "GET", base).contains("risk_marker"));
  // The institution sees the warnings on its orders, the enterprise-level ones of its customer too.
  std::set<std::string> seen;
  for (const auto& item : w.list("ia", "&enterprise=" + w.e1)) seen.insert(item["rule"]);
  BOOST_CHECK(seen.contains("loan-overdue-90"));
  BOOST_CHECK(seen.contains("risk-signal-high"));
  BOOST_CHECK(w.list("ia", "&enterprise=" + w.e2).empty());
}

BOOST_AUTO_TEST_CASE(a_follower_outside_the_loans_scope_does_not_read_its_details) {
  auto& w = world();
  // The order's overdue warnings are on the view (the risk-marker case raised them).
  std::vector<json> by_manager;
  for (int i = 0; i < 50 && by_manager.empty(); ++i) {
    for (const auto& item : w.list("m1", "&enterprise=" + w.e1))
      if (item["rule"] == "loan-overdue-90") by_manager.push_back(item);
    if (by_manager.empty()) std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_MESSAGE(!by_manager.empty(), "the assigned manager sees no loan-overdue-90 warning");
  BOOST_CHECK_EQUAL(by_manager[0]["application"], w.order);  // its own scope: the details
  BOOST_CHECK(by_manager[0].contains("details"));
  // Another manager of the bank follows the enterprise: it gets the warning, not the loan.
  BOOST_CHECK(w.list("fan", "&enterprise=" + w.e1).empty());
  w.ok("fan", "POST", "/api/v1/enterprises/" + w.e1 + "/followers");
  bool seen = false;
  for (const auto& item : w.list("fan", "&enterprise=" + w.e1)) {
    if (item["rule"] == "loan-overdue-90") seen = true;
    if (item.contains("application") && item["application"].is_null()) continue;  // an enterprise-level warning
    for (const char* member : {"application", "loan", "institution", "subject", "event", "details"})
      BOOST_CHECK_MESSAGE(!item.contains(member), "a follower reads " << member << " of " << item.dump());
  }
  BOOST_CHECK_MESSAGE(seen, "the follower does not get the enterprise's loan warning");
  const std::string text = w.call("fan", "GET", "/api/v1/risk-warnings?limit=1000&enterprise=" + w.e1).body.dump();
  BOOST_CHECK(text.find(w.order) == std::string::npos);
  BOOST_CHECK(text.find("overdue_principal") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_disabled_accounts_stream_ends_within_a_second) {
  auto& w = world();
  SseClient stream(w.server.port(), "/api/v1/feeds/risk-warnings", w.auth("leaver"));
  BOOST_REQUIRE_EQUAL(stream.status(), 200);
  BOOST_CHECK(!stream.wait_ended(1500ms));  // re-checked, and still allowed: it stays open
  auto disabled = w.call("admin", "POST", "/api/v1/accounts/" + w.ids["leaver"] + "/disable", {{"reason", "left"}});
  BOOST_REQUIRE_MESSAGE(disabled.status == 200, disabled.body.dump());
  const auto at = std::chrono::steady_clock::now();
  BOOST_REQUIRE_MESSAGE(stream.wait_ended(5s), "the disabled account's stream is still open after 5 s");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - at);
  BOOST_TEST_MESSAGE("the stream ended " << took.count() << " ms after the account was disabled");
  BOOST_CHECK_LE(took.count(), 1000);
  // Its token opens no new stream either.
  BOOST_CHECK_EQUAL(w.call("leaver", "GET", "/api/v1/feeds/risk-warnings").status, 401);
}

BOOST_AUTO_TEST_CASE(streams_are_capped_per_caller_with_retry_after) {
  auto& w = world();
  std::vector<std::unique_ptr<SseClient>> open;
  for (int i = 0; i < 4; ++i) {  // the server's default cap per caller
    open.push_back(std::make_unique<SseClient>(w.server.port(), "/api/v1/feeds/risk-warnings", w.auth("streams")));
    BOOST_REQUIRE_EQUAL(open.back()->status(), 200);
  }
  auto over = http_request(w.server.url(), "GET", "/api/v1/feeds/risk-warnings", nullptr, w.auth("streams"), 5s);
  BOOST_CHECK_EQUAL(over.status, 429);
  BOOST_CHECK(!over.headers["Retry-After"].empty());
  BOOST_CHECK_EQUAL(over.body.value("rule", ""), "stream-cap");
  BOOST_CHECK_EQUAL(over.body.value("status", 0), 429);
  BOOST_CHECK(over.headers["Content-Type"].starts_with("application/problem+json"));
  // Another caller is not held back by this one's streams.
  SseClient someone_else(w.server.port(), "/api/v1/feeds/risk-warnings", w.auth("gz"));
  BOOST_CHECK_EQUAL(someone_else.status(), 200);
  // A closed stream gives its slot back (once the server notices, at the latest at its heartbeat).
  open.pop_back();
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(100ms);
    SseClient again(w.server.port(), "/api/v1/feeds/risk-warnings", w.auth("streams"));
    status = again.status();
  }
  BOOST_CHECK_EQUAL(status, 200);
}

BOOST_AUTO_TEST_CASE(kafka_output_topic_receives_the_warnings) {
  auto& w = world();
  if (!on_kafka()) {
    BOOST_TEST_MESSAGE("the output topic is published on Kafka only");
    return;
  }
  auto warnings = w.list("admin", "&enterprise=" + w.e1 + "&kind=warning");
  BOOST_REQUIRE(!warnings.empty());
  std::set<std::string> wanted;
  for (const auto& item : warnings) wanted.insert(std::to_string(item["sequence"].get<uint64_t>()));
  auto records = consume_risk_topic(std::getenv("XYD_TEST_KAFKA"), w.e1, wanted.size(), 30s);
  std::set<std::string> got;
  for (const auto& r : records) {
    json value = json::parse(r.value, nullptr, false);
    BOOST_REQUIRE(value.is_object());
    BOOST_CHECK_EQUAL(r.key, w.e1);
    BOOST_CHECK_EQUAL(r.sequence_header, std::to_string(value["sequence"].get<uint64_t>()));
    got.insert(r.sequence_header);
  }
  for (const auto& s : wanted) BOOST_CHECK_MESSAGE(got.contains(s), "warning " << s << " is not on xyd.risk-warnings");

  // A killed server neither loses nor re-sends: after the restart, the next warning goes out and
  // every sequence this server published is on the topic once.
  std::this_thread::sleep_for(500ms);  // the publisher has recorded its position
  w.server.kill_with(SIGKILL);
  w.start_and_wait();
  w.signal(w.e1, "judicial", "high");
  for (int i = 0; i < 50 && w.list("admin", "&enterprise=" + w.e1 + "&kind=warning").size() <= warnings.size(); ++i)
    std::this_thread::sleep_for(100ms);
  for (const auto& item : w.list("admin", "&enterprise=" + w.e1 + "&kind=warning"))
    wanted.insert(std::to_string(item["sequence"].get<uint64_t>()));
  BOOST_REQUIRE_EQUAL(wanted.size(), warnings.size() + 1);
  records = consume_risk_topic(std::getenv("XYD_TEST_KAFKA"), w.e1, wanted.size(), 30s);
  std::map<std::string, int> published;
  for (const auto& r : records)
    if (r.node_header == w.server.node()) ++published[r.sequence_header];
  for (const auto& s : wanted)
    BOOST_CHECK_MESSAGE(published[s] == 1, "warning " << s << " published " << published[s] << " times");
}

BOOST_AUTO_TEST_CASE(a_changed_threshold_and_a_rebuild_change_exactly_the_affected_warnings) {
  auto& w = world();
  auto mine = [&] {
    std::map<std::string, json> out;
    for (const auto& e : {w.e1, w.e2})
      for (const auto& item : w.list("admin", "&enterprise=" + e))
        out[std::to_string(item["sequence"].get<uint64_t>())] = item;
    return out;
  };
  const auto before = mine();
  std::string affected;
  for (const auto& [sequence, item] : before)
    if (item["rule"] == "loan-overdue-90") affected = sequence;
  BOOST_REQUIRE_MESSAGE(!affected.empty(), "the overdue order raised no loan-overdue-90 warning");
  // The operator's routine: raise the threshold above the order's 120 days, new version, rebuild.
  const std::string file = w.rules + "/risk-warning.json";
  json rules = json::parse(std::ifstream(file));
  rules["version"] = "test-" + w.run;
  for (auto& rule : rules["rules"])
    if (rule["id"] == "loan-overdue-90") rule["when"]["at_least"] = 150;
  std::ofstream(file) << rules.dump(2);
  auto status = w.call("admin", "GET", "/api/v1/ops/projections/risk");
  BOOST_REQUIRE_EQUAL(status.status, 200);
  const int64_t live = status.body["live"]["version"];
  auto started = w.call("admin", "POST", "/api/v1/ops/projections/risk/rebuild");
  BOOST_REQUIRE_MESSAGE(started.status == 202, started.body.dump());
  for (int i = 0; i < 600; ++i) {
    status = w.call("admin", "GET", "/api/v1/ops/projections/risk");
    if (status.body["live"]["version"] != live && status.body["rebuild"].is_null()) break;
    std::this_thread::sleep_for(100ms);
  }
  BOOST_REQUIRE_MESSAGE(status.body["live"]["version"] != live, "the rebuild did not go live: " << status.body.dump());
  BOOST_CHECK_EQUAL(status.body["live"]["rule_set_version"], "test-" + w.run);
  const auto after = mine();
  BOOST_CHECK(!after.contains(affected));  // the one warning below the new threshold is gone
  BOOST_CHECK_EQUAL(after.size() + 1, before.size());
  for (const auto& [sequence, item] : before) {
    if (sequence == affected) continue;
    BOOST_REQUIRE_MESSAGE(after.contains(sequence), "warning " << sequence << " vanished");
    json x = item, y = after.at(sequence);
    BOOST_CHECK_EQUAL(y["rule_set_version"], "test-" + w.run);
    x.erase("rule_set_version");
    y.erase("rule_set_version");
    BOOST_CHECK_MESSAGE(x == y, "warning " << sequence << " changed: " << x.dump() << " vs " << y.dump());
  }
}

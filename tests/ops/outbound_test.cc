// The outbound side end to end, through `xyd serve` on the backend under test: applications
// routed to three banks stream to them. Bank A's webhook answers 500 three times and then 200
// (retried with bounded, jittered delays, then delivered, signed, in order); bank B's answers 410
// (delivery stops, the subscription shows disabled, what was queued is dead-lettered); bank C's
// always 500 (dead letter after the attempt cap, on xyd.dlq too). The topic xyd.out.<A> holds every
// event of A's applications once, in order, and none of another bank's; after a kill -9 and a
// restart nothing is lost. Subscriptions are refused by name when malformed or out of scope.
#define BOOST_TEST_MODULE connectors_outbound
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/connector_world.h"
#include "tests/support/webhook_receiver.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

constexpr int kBaseDelayMs = 100, kMaxDelayMs = 800, kMaxAttempts = 4;

struct World : ConnectorWorld {
  // Never destroyed: closing a cpprestsdk listener from an exit handler hangs (its pool is being
  // torn down); the process's exit releases the socket.
  WebhookReceiver& receiver = *new WebhookReceiver();
  std::string a, b, c;                                 // institutions
  std::map<std::string, std::string> product, secret;  // by institution
  std::string e1;
  std::vector<std::string> a_apps, b_apps, c_apps;
  int app_count = 0;

  World()
      : ConnectorWorld("outbound", {"--webhook-base-delay-ms", std::to_string(kBaseDelayMs), "--webhook-max-delay-ms",
                                    std::to_string(kMaxDelayMs), "--webhook-max-attempts", std::to_string(kMaxAttempts),
                                    "--webhook-timeout-ms", "2000", "--webhooks-allow-loopback", "true"}) {
    a = onboard("a", "440300");
    b = onboard("b", "440300");
    c = onboard("c", "440300");
    create("ia_admin", 2, {{"kind", "institution_admin"}, {"region", "440300"}, {"institution", a}});
    create("m1", 3, {{"kind", "account_manager"}, {"region", "440300"}, {"institution", a}});
    ok("admin", "POST", "/api/v1/institutions/" + a + "/managers", {{"manager", ids["m1"]}});
    for (const auto& id : {a, b, c}) {
      product[id] = publish_product(id, "440300");
      secret[id] = ok("admin", "POST", "/api/v1/institutions/" + id + "/webhook-secrets")["secret"];
    }
    register_owner("owner", 20);
    e1 = enterprise("owner", "440300", run + "01", true);
  }

  std::string apply(const std::string& institution) {
    const std::string id = "app-" + run + "-" + std::to_string(++app_count);
    ok("owner", "POST", "/api/v1/applications",
       {{"id", id},
        {"enterprise", e1},
        {"product", product.at(institution)},
        {"amount", 1000000},
        {"term_months", 12},
        {"purpose", "working capital"},
        {"channel", "web"}});
    (institution == a ? a_apps : institution == b ? b_apps : c_apps).push_back(id);
    return id;
  }

  // The ids of an application's events, in version order, as the audit view lists them.
  std::vector<std::string> event_ids(const std::string& application) {
    std::vector<std::string> ids_in_order;
    for (int tries = 0; tries < 50; ++tries) {
      auto reply = call("admin", "GET", "/api/v1/audit/application/" + application + "?limit=500");
      const int64_t version =
          call("admin", "GET", "/api/v1/applications/" + application).body.value("version", int64_t{0});
      if (reply.status == 200 && static_cast<int64_t>(reply.body["items"].size()) == version) {
        for (const auto& item : reply.body["items"]) ids_in_order.push_back(item["id"]);
        return ids_in_order;
      }
      std::this_thread::sleep_for(100ms);
    }
    BOOST_FAIL("the audit view did not catch up with " << application);
    return ids_in_order;
  }

  // The messages on xyd.out.<institution>, in the order each partition holds them.
  std::vector<json> topic(const std::string& institution) {
    auto [status, output] = run_command_line(std::string(XYD_BINARY) + " log tail --topic xyd.out." + institution +
                                             " --data '" + data + "'" + backend_flags_text() + " 2>/dev/null");
    BOOST_REQUIRE_MESSAGE(status == 0, "xyd log tail failed: " << output);
    std::vector<json> messages;
    std::istringstream lines(output);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) messages.push_back(json::parse(line)["value"]);
    return messages;
  }
};

World& world() {
  return shared_setup<World>();
}

// The event ids of `application` among `messages` in the order they come, first occurrences only.
std::vector<std::string> first_ids(const std::vector<json>& messages, const std::string& application) {
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const auto& m : messages)
    if (m.value("application", "") == application && seen.insert(m.value("event_id", "")).second)
      ids.push_back(m["event_id"]);
  return ids;
}

template <typename Predicate>
bool eventually(Predicate done, std::chrono::seconds limit = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

std::vector<json> delivered(const std::vector<ReceivedHook>& hooks) {
  std::vector<json> messages;
  for (const auto& h : hooks)
    if (h.answered == 200) messages.push_back(h.message);
  return messages;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(outbound_connectors)

BOOST_AUTO_TEST_CASE(subscriptions_are_validated_and_scoped) {
  auto& w = world();
  const std::string path = "/api/v1/institutions/" + w.a + "/webhook";
  auto bad = w.call("ia_admin", "PUT", path, {{"url", "ftp://127.0.0.1/hook"}});
  BOOST_CHECK_EQUAL(bad.status, 400);
  BOOST_CHECK_EQUAL(bad.body.value("field", ""), "url");
  BOOST_CHECK_EQUAL(bad.body.value("rule", ""), "http-url");
  BOOST_CHECK_EQUAL(w.call("ia_admin", "PUT", path, json::object()).body.value("rule", ""), "required");
  BOOST_CHECK_EQUAL(w.call("ia_admin", "GET", path).status, 404);  // the refusals changed nothing
  BOOST_CHECK_EQUAL(w.call("m1", "PUT", path, {{"url", w.receiver.url("/a")}}).status, 403);
  BOOST_CHECK_EQUAL(
      w.call("ia_admin", "PUT", "/api/v1/institutions/" + w.b + "/webhook", {{"url", w.receiver.url("/b")}}).status,
      403);

  w.receiver.script("/a", [](int n) { return n < 3 ? 500 : 200; }, {w.secret[w.a]});
  w.receiver.script("/b", [](int) { return 410; }, {w.secret[w.b]});
  w.receiver.script("/c", [](int) { return 500; }, {w.secret[w.c]});
  auto subscribed = w.ok("ia_admin", "PUT", path, {{"url", w.receiver.url("/a")}});
  BOOST_CHECK_EQUAL(subscribed["status"], "active");
  w.ok("admin", "PUT", "/api/v1/institutions/" + w.b + "/webhook", {{"url", w.receiver.url("/b")}});
  w.ok("admin", "PUT", "/api/v1/institutions/" + w.c + "/webhook", {{"url", w.receiver.url("/c")}});
  BOOST_CHECK_EQUAL(w.ok("ia_admin", "GET", path)["url"], w.receiver.url("/a"));
}

BOOST_AUTO_TEST_CASE(webhooks_retry_then_deliver_signed_and_in_order) {
  auto& w = world();
  const std::string a1 = w.apply(w.a), a2 = w.apply(w.a);
  const std::string m = w.ids["m1"];
  const std::string base = "/api/v1/applications/" + a1;
  w.ok("m1", "POST", base + "/accept", {{"intended_amount", 1000000}, {"comment", "ok"}});
  w.ok("m1", "POST", base + "/credit",
       {{"credit_number", "C-" + w.run},
        {"amount", 1000000},
        {"rate_bp", 450},
        {"term_months", 12},
        {"valid_until", "2026-12-31"},
        {"granted_at", "2025-03-01"}});
  w.ok("m1", "POST", base + "/disbursements",
       {{"loan_number", "L-" + w.run},
        {"amount", 500000},
        {"rate_bp", 450},
        {"disbursed_at", "2025-03-05"},
        {"maturity", "2026-03-05"},
        {"repayment_method", "equal_principal"}});
  const auto a1_ids = w.event_ids(a1), a2_ids = w.event_ids(a2);
  BOOST_CHECK_GE(a1_ids.size(), 6u);
  BOOST_REQUIRE_MESSAGE(eventually([&] {
                          auto got = delivered(w.receiver.received("/a"));
                          return first_ids(got, a1) == a1_ids && first_ids(got, a2) == a2_ids;
                        }),
                        "A's webhook did not get every event of its applications in order");
  const auto hooks = w.receiver.received("/a");
  // The first message was refused three times, then delivered: four attempts of one event.
  BOOST_REQUIRE_GE(hooks.size(), 4u);
  for (int i = 0; i < 4; ++i) BOOST_CHECK_EQUAL(hooks[i].id, hooks[0].id);
  BOOST_CHECK_EQUAL(hooks[3].answered, 200);
  for (const auto& h : hooks) {
    BOOST_CHECK_MESSAGE(h.signature_ok, "bad signature on " << h.id);
    BOOST_CHECK_EQUAL(h.message["institution"], w.a);
    BOOST_CHECK_EQUAL(h.message["schema"], "xyd.outbound.v1");
    BOOST_CHECK_EQUAL(h.id, h.message["event_id"]);
  }
  // Each delivered once (no retry after a 200), strictly in version order per application.
  BOOST_CHECK_EQUAL(delivered(hooks).size(), a1_ids.size() + a2_ids.size());
  BOOST_CHECK(!hooks[0].message["data"].contains("owner"));
  // The flow log: every attempt with status, latency, attempt number and next retry.
  auto log = w.ok("ia_admin", "GET", "/api/v1/connectors/" + w.a + "/deliveries?limit=4");
  BOOST_REQUIRE_EQUAL(log["items"].size(), 4u);
  BOOST_CHECK(log["next_cursor"].is_string());
  for (int i = 0; i < 4; ++i) {
    const auto& entry = log["items"][i];
    BOOST_CHECK_EQUAL(entry["attempt"], i + 1);
    BOOST_CHECK_EQUAL(entry["event_id"], hooks[0].id);
    BOOST_CHECK_EQUAL(entry["url"], w.receiver.url("/a"));
    BOOST_CHECK_EQUAL(entry["status"], i < 3 ? 500 : 200);
    BOOST_CHECK_EQUAL(entry["outcome"], i < 3 ? "retry" : "delivered");
    BOOST_CHECK(entry["latency_ms"].is_number());
    if (i < 3) {  // full jitter under a ceiling that doubles: 100, 200, 400 ms
      const int64_t wait = entry["next_retry_ms"].get<int64_t>() - entry["at_ms"].get<int64_t>();
      BOOST_CHECK_GE(wait, 0);
      BOOST_CHECK_LE(wait, kBaseDelayMs << i);
      const int64_t gap = log["items"][i + 1]["at_ms"].get<int64_t>() - entry["at_ms"].get<int64_t>();
      BOOST_CHECK_GE(gap, wait);
    } else {
      BOOST_CHECK(entry["next_retry_at"].is_null());
    }
  }
  auto rest =
      w.ok("admin", "GET",
           "/api/v1/connectors/" + w.a + "/deliveries?limit=1000&cursor=" + log["next_cursor"].get<std::string>());
  BOOST_CHECK_EQUAL(rest["items"].size(), hooks.size() - 4);
  BOOST_CHECK_EQUAL(w.call("m1", "GET", "/api/v1/connectors/" + w.a + "/deliveries").status, 403);
  BOOST_CHECK_EQUAL(
      w.call("admin", "GET", "/api/v1/connectors/" + w.a + "/deliveries?from=yesterday").body.value("rule", ""),
      "rfc3339");
}

BOOST_AUTO_TEST_CASE(gone_stops_delivery_and_the_cap_dead_letters) {
  auto& w = world();
  const std::string b1 = w.apply(w.b), c1 = w.apply(w.c);
  const auto b1_ids = w.event_ids(b1), c1_ids = w.event_ids(c1);
  // B: one POST, 410, the subscription disabled; every queued event kept as a dead letter.
  BOOST_REQUIRE(eventually([&] {
    auto letters = w.ok("admin", "GET", "/api/v1/connectors/" + w.b + "/deliveries/dead-letters");
    return letters["items"].size() == b1_ids.size();
  }));
  BOOST_CHECK_EQUAL(w.receiver.received("/b").size(), 1u);
  auto subscription = w.ok("admin", "GET", "/api/v1/institutions/" + w.b + "/webhook");
  BOOST_CHECK_EQUAL(subscription["status"], "disabled");
  BOOST_CHECK(subscription.contains("disabled_reason"));
  const std::string b2 = w.apply(w.b);
  std::this_thread::sleep_for(1s);
  BOOST_CHECK_EQUAL(w.receiver.received("/b").size(), 1u);  // nothing more goes to a gone receiver
  // C: always 500: each event tried kMaxAttempts times, then dead-lettered with the reason.
  BOOST_REQUIRE_MESSAGE(eventually([&] {
                          auto letters = w.ok("admin", "GET", "/api/v1/connectors/" + w.c + "/deliveries/dead-letters");
                          return letters["items"].size() == c1_ids.size();
                        }),
                        "C's events were not dead-lettered after the cap");
  auto letters = w.ok("admin", "GET", "/api/v1/connectors/" + w.c + "/deliveries/dead-letters");
  for (size_t i = 0; i < c1_ids.size(); ++i) {
    BOOST_CHECK_EQUAL(letters["items"][i]["id"], c1_ids[i]);
    BOOST_CHECK_EQUAL(letters["items"][i]["reason"]["rule"], "attempt-cap");
    BOOST_CHECK_EQUAL(letters["items"][i]["record"]["event_id"], c1_ids[i]);
  }
  BOOST_CHECK_EQUAL(w.receiver.received("/c").size(), c1_ids.size() * kMaxAttempts);
  auto [status, dlq] = run_command_line(std::string(XYD_BINARY) + " log tail --topic xyd.dlq --data '" + w.data + "'" +
                                        backend_flags_text() + " 2>/dev/null");
  BOOST_REQUIRE_EQUAL(status, 0);
  for (const auto& id : c1_ids) BOOST_CHECK_MESSAGE(dlq.find(id) != std::string::npos, id << " is not on xyd.dlq");
  for (const auto& id : b1_ids) BOOST_CHECK_MESSAGE(dlq.find(id) != std::string::npos, id << " is not on xyd.dlq");
  (void)b2;
}

BOOST_AUTO_TEST_CASE(each_institution_topic_holds_its_events_once_in_order) {
  auto& w = world();
  BOOST_REQUIRE(eventually([&] {
    auto messages = w.topic(w.a);
    for (const auto& app : w.a_apps)
      if (first_ids(messages, app) != w.event_ids(app)) return false;
    return true;
  }));
  auto messages = w.topic(w.a);
  size_t expected = 0;
  for (const auto& app : w.a_apps) {
    const auto ids = w.event_ids(app);
    expected += ids.size();
    std::vector<int64_t> versions;
    for (const auto& m : messages)
      if (m["application"] == app) versions.push_back(m["version"]);
    for (size_t i = 0; i < versions.size(); ++i) BOOST_CHECK_EQUAL(versions[i], static_cast<int64_t>(i + 1));
  }
  BOOST_CHECK_EQUAL(messages.size(), expected);  // once each: no duplicates without a crash
  for (const auto& m : messages) BOOST_CHECK_EQUAL(m["institution"], w.a);
  auto of_b = w.topic(w.b);
  BOOST_CHECK(!of_b.empty());
  for (const auto& m : of_b) BOOST_CHECK_EQUAL(m["institution"], w.b);
}

BOOST_AUTO_TEST_CASE(a_killed_server_loses_nothing_on_the_topic_or_the_webhook) {
  auto& w = world();
  // Applications arrive from another thread while the server is killed mid-stream (kill -9).
  std::atomic<bool> going{true};
  std::vector<std::string> tried;
  const auto owner = bearer(w.tokens["owner"]);
  std::thread submitter([&] {
    for (int i = 0; i < 400 && going; ++i) {
      const std::string id = "app-" + w.run + "-k" + std::to_string(i);
      tried.push_back(id);
      http_request(w.server.url(), "POST", "/api/v1/applications",
                   {{"id", id},
                    {"enterprise", w.e1},
                    {"product", w.product.at(w.a)},
                    {"amount", 1000000},
                    {"term_months", 12},
                    {"purpose", "working capital"},
                    {"channel", "web"}},
                   owner, 5s);
    }
  });
  std::this_thread::sleep_for(1500ms);
  w.server.kill_with(SIGKILL);
  going = false;
  submitter.join();
  w.start_and_wait();
  for (int i = 0; i < 3; ++i) tried.push_back(w.apply(w.a));
  std::vector<std::pair<std::string, std::vector<std::string>>> expected;  // the applications that exist
  for (const auto& app : tried)
    if (w.call("admin", "GET", "/api/v1/applications/" + app).status == 200)
      expected.emplace_back(app, w.event_ids(app));
  BOOST_TEST_MESSAGE(expected.size() << " applications written around the kill");
  BOOST_REQUIRE_GE(expected.size(), 4u);
  auto all_there = [&](const std::vector<json>& messages) {
    for (const auto& [app, ids] : expected)
      if (first_ids(messages, app) != ids) return false;
    return true;
  };
  BOOST_CHECK_MESSAGE(eventually([&] { return all_there(w.topic(w.a)); }, 60s),
                      "the topic lacks events or has them out of order");
  BOOST_CHECK_MESSAGE(eventually([&] { return all_there(delivered(w.receiver.received("/a"))); }, 60s),
                      "the webhook lacks events or got them out of order");
}

BOOST_AUTO_TEST_SUITE_END()

// The process's one runtime: bank_results beside the standard views (it reads xyd.dlq too), the
// outbound follower and the data-source intake listed as subscriptions with their lag; a
// subscription is not rebuilt, bank_results is; `xyd projections` shows them all, through the
// server and, while it is stopped, from the stored positions.
BOOST_AUTO_TEST_CASE(one_runtime_lists_bank_results_and_the_subscriptions) {
  auto& w = world();
  w.apply(w.a);
  auto items = [&] {
    auto listed = w.call("admin", "GET", "/api/v1/ops/projections");
    BOOST_REQUIRE_EQUAL(listed.status, 200);
    std::map<std::string, json> by_name;
    for (const auto& item : listed.body["items"]) by_name[item.value("name", "")] = item;
    return by_name;
  };
  auto listed = items();
  BOOST_REQUIRE(listed.contains("bank_results"));
  BOOST_CHECK_EQUAL(listed["bank_results"]["kind"], "projection");
  BOOST_CHECK(listed["bank_results"]["topics"] == json({"xyd.events.application", "xyd.dlq"}));
  BOOST_CHECK_EQUAL(listed["audit"]["kind"], "projection");
  for (const char* name : {"outbound", "data-sources"}) {
    BOOST_REQUIRE_MESSAGE(listed.contains(name), name << " is not listed");
    BOOST_CHECK_EQUAL(listed[name]["kind"], "subscription");
    BOOST_CHECK_EQUAL(listed[name]["live"]["state"], "following");
    BOOST_CHECK(listed[name]["live"]["lag"].is_number());
  }
  BOOST_CHECK_MESSAGE(eventually([&] {
                        auto now = items();
                        return now["outbound"]["live"]["lag"] == 0 && now["outbound"]["live"]["events_done"] > 0;
                      }),
                      "the outbound follower's lag did not reach 0: " << items()["outbound"].dump());

  auto refused = w.call("admin", "POST", "/api/v1/ops/projections/outbound/rebuild");
  BOOST_CHECK_EQUAL(refused.status, 409);
  BOOST_CHECK_MESSAGE(refused.body.value("detail", "").find("subscription") != std::string::npos, refused.body.dump());

  auto started = w.call("admin", "POST", "/api/v1/ops/projections/bank_results/rebuild");
  BOOST_REQUIRE_MESSAGE(started.status == 202, started.body.dump());
  const int64_t version = started.body.value("rebuilding_version", int64_t{0});
  BOOST_CHECK_MESSAGE(
      eventually([&] { return items()["bank_results"]["live"].value("version", int64_t{0}) == version; }),
      "bank_results v" << version << " did not go live: " << items()["bank_results"].dump());

  auto [status, output] = run_command_line(std::string(XYD_BINARY) + " projections --data '" + w.data + "' --http " +
                                           w.server.url() + backend_flags_text() + " 2>&1");
  BOOST_REQUIRE_MESSAGE(status == 0, output);
  for (const char* row : {"bank_results +projection", "outbound +subscription", "data-sources +subscription"})
    BOOST_CHECK_MESSAGE(std::regex_search(output, std::regex(row)), "xyd projections shows no " << row << ":\n"
                                                                                                << output);
  auto [refused_status, refused_output] =
      run_command_line(std::string(XYD_BINARY) + " rebuild outbound --data '" + w.data + "' --http " + w.server.url() +
                       backend_flags_text() + " 2>&1");
  BOOST_CHECK_NE(refused_status, 0);
  BOOST_CHECK_MESSAGE(refused_output.find("is a subscription") != std::string::npos, refused_output);

  // With serve stopped, `xyd projections` lists the subscriptions from their stored positions.
  w.server.kill_with(SIGTERM);
  auto [local_status, local_output] = run_command_line(std::string(XYD_BINARY) + " projections --json --data '" +
                                                       w.data + "'" + backend_flags_text() + " 2>/dev/null");
  BOOST_CHECK_MESSAGE(local_status == 0, local_output);
  const json local = json::parse(local_output, nullptr, false);
  std::set<std::string> subscriptions;
  if (local.is_array())
    for (const auto& item : local)
      if (item.value("kind", "") == "subscription" && item["live"]["lag"].is_number())
        subscriptions.insert(item.value("name", ""));
  BOOST_CHECK_MESSAGE(subscriptions.contains("outbound") && subscriptions.contains("data-sources"), local_output);
  // ... and `xyd rebuild bank_results` rebuilds it in the data folder itself.
  auto [rebuilt_status, rebuilt_output] = run_command_line(std::string(XYD_BINARY) + " rebuild bank_results --data '" +
                                                           w.data + "'" + backend_flags_text() + " 2>&1");
  BOOST_CHECK_MESSAGE(rebuilt_status == 0 && rebuilt_output.find("bank_results v") != std::string::npos &&
                          rebuilt_output.find("is live") != std::string::npos,
                      rebuilt_output);
  w.start_and_wait();
}

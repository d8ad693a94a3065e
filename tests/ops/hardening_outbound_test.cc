// Hostile webhooks and files, end to end through `xyd serve` (embedded log): an institution's
// webhook cannot point at loopback, private, link-local or other internal addresses (refused when
// subscribed, by name too, and again at every delivery: a subscription made while loopback was
// allowed is not delivered once it is not); a 400 MB answer is cut off at 64 KiB (the server's
// memory stays small, the delivery finishes); the delivery log and dead letters keep coarse error
// classes only. The data folder is 0700 and the secret files 0600 from the start; looser modes are
// tightened at start with a warning; the anonymous /healthz names no path of the data folder.
#define BOOST_TEST_MODULE hardening_outbound
#include <signal.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "tests/support/connector_world.h"
#include "tests/support/raw_http_server.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using nlohmann::json;

namespace {

constexpr int kMaxAttempts = 3;

struct World : ConnectorWorld {
  // Never destroyed (as the outbound suite's receiver): the process's exit releases the socket.
  RawHttpServer& receiver = *new RawHttpServer();
  std::map<std::string, std::string> ins, product;  // by tag
  std::string e1;
  int app_count = 0;

  World()
      : ConnectorWorld("hardening",
                       {"--webhook-base-delay-ms", "100", "--webhook-max-delay-ms", "300", "--webhook-max-attempts",
                        std::to_string(kMaxAttempts), "--webhook-timeout-ms", "1500"}) {
    for (const std::string tag : {"ssrf", "huge", "closed", "silent", "e5", "e4", "late"}) {
      ins[tag] = onboard(tag, "440300");
      product[tag] = publish_product(ins[tag], "440300");
      ok("admin", "POST", "/api/v1/institutions/" + ins[tag] + "/webhook-secrets");
    }
    create("ia_admin", 2, {{"kind", "institution_admin"}, {"region", "440300"}, {"institution", ins["ssrf"]}});
    register_owner("owner", 20);
    e1 = enterprise("owner", "440300", run + "01", true);
  }

  void apply(const std::string& tag) {
    ok("owner", "POST", "/api/v1/applications",
       {{"id", "app-" + run + "-" + std::to_string(++app_count)},
        {"enterprise", e1},
        {"product", product.at(tag)},
        {"amount", 1000000},
        {"term_months", 12},
        {"purpose", "working capital"},
        {"channel", "web"}});
  }

  // Restarts serve with loopback webhooks allowed or not (through XYD_WEBHOOKS_ALLOW_LOOPBACK).
  void restart(bool allow_loopback) {
    server.kill_with(SIGTERM);
    if (allow_loopback)
      ::setenv("XYD_WEBHOOKS_ALLOW_LOOPBACK", "true", 1);
    else
      ::unsetenv("XYD_WEBHOOKS_ALLOW_LOOPBACK");
    start_and_wait();
  }

  json deliveries(const std::string& tag) {
    return ok("admin", "GET", "/api/v1/connectors/" + ins.at(tag) + "/deliveries?limit=1000")["items"];
  }
  json dead_letters(const std::string& tag) {
    return ok("admin", "GET", "/api/v1/connectors/" + ins.at(tag) + "/deliveries/dead-letters")["items"];
  }
};

World& world() {
  return shared_setup<World>();
}

template <typename Predicate>
bool eventually(Predicate done, std::chrono::seconds limit = 60s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

unsigned mode_of(const std::string& path) {
  struct stat info {};
  BOOST_REQUIRE_MESSAGE(::stat(path.c_str(), &info) == 0, path << " does not exist");
  return info.st_mode & 0777;
}

// A field of /proc/<pid>/status in KiB (VmRSS, VmHWM).
int64_t proc_kib(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with(field + ":")) return std::atoll(line.c_str() + field.size() + 1);
  return -1;
}

std::string file_text_from(const std::string& path, std::streamoff from) {
  std::ifstream in(path);
  in.seekg(from);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(hardening_outbound)

BOOST_AUTO_TEST_CASE(the_data_folder_and_secret_files_are_private) {
  auto& w = world();
  BOOST_CHECK_EQUAL(mode_of(w.data), 0700u);
  BOOST_CHECK_EQUAL(mode_of(w.data + "/credentials") & 077, 0u);
  BOOST_CHECK_EQUAL(mode_of(w.data + "/log") & 077, 0u);
  BOOST_CHECK_EQUAL(mode_of(w.data + "/sms.log"), 0600u);  // it holds initial passwords and login codes
  BOOST_CHECK_EQUAL(mode_of(w.data + "/operator-token"), 0600u);
}

BOOST_AUTO_TEST_CASE(looser_modes_are_tightened_at_start_with_a_warning) {
  auto& w = world();
  w.server.kill_with(SIGTERM);
  std::filesystem::permissions(w.data, std::filesystem::perms(0755));
  std::filesystem::permissions(w.data + "/credentials", std::filesystem::perms(0755));
  std::filesystem::permissions(w.data + "/sms.log", std::filesystem::perms(0644));
  const auto log_size = std::filesystem::file_size(w.data + ".server.log");
  w.start_and_wait();
  BOOST_CHECK_EQUAL(mode_of(w.data), 0700u);
  BOOST_CHECK_EQUAL(mode_of(w.data + "/credentials"), 0700u);
  BOOST_CHECK_EQUAL(mode_of(w.data + "/sms.log"), 0600u);
  const std::string said = file_text_from(w.data + ".server.log", static_cast<std::streamoff>(log_size));
  BOOST_CHECK_MESSAGE(
      said.find("warning: " + w.data + " was open to other users (mode 0755); tightened to 0700") != std::string::npos,
      said);
  BOOST_CHECK(said.find("warning: " + w.data + "/sms.log was open") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(anonymous_health_names_no_path_of_the_data_folder) {
  auto& w = world();
  for (const std::string path : {"/healthz", "/api/v1/version"}) {
    auto reply = http_request(w.server.url(), "GET", path);
    BOOST_CHECK_EQUAL(reply.status, 200);
    const std::string body = reply.body.dump();
    BOOST_CHECK_MESSAGE(body.find(w.data) == std::string::npos, path << " names the data folder: " << body);
    BOOST_CHECK_MESSAGE(body.find(std::filesystem::temp_directory_path().string()) == std::string::npos,
                        path << " names a path: " << body);
  }
}

BOOST_AUTO_TEST_CASE(webhooks_to_internal_addresses_are_refused_when_subscribed) {
  auto& w = world();
  const std::string path = "/api/v1/institutions/" + w.ins["ssrf"] + "/webhook";
  const std::string port = w.server.url().substr(w.server.url().rfind(':') + 1);  // serve's own
  for (const std::string& url : std::vector<std::string>{
           w.receiver.url("/status/200"), "http://127.0.0.1:" + port + "/", "http://10.0.0.1/", "http://[::1]/",
           "http://169.254.169.254/latest/meta-data/", "http://localhost:" + port + "/hook",
           "http://0.0.0.0:" + port + "/", "http://[::ffff:127.0.0.1]/", "http://100.64.0.1/", "http://192.168.1.1/",
           "http://172.16.0.1/", "http://224.0.0.1/", "http://[fe80::1]/", "http://[fd00::1]/", "http://2130706433/"}) {
    for (const std::string who : {"ia_admin", "admin"}) {
      auto refused = w.call(who, "PUT", path, {{"url", url}});
      BOOST_CHECK_MESSAGE(refused.status == 400, who << " subscribed " << url << ": " << refused.status);
      BOOST_CHECK_EQUAL(refused.body.value("field", ""), "url");
      BOOST_CHECK_MESSAGE(refused.body.value("rule", "") == "public-address", url << ": " << refused.body.dump());
    }
  }
  BOOST_CHECK_EQUAL(w.call("ia_admin", "PUT", path, {{"url", "http://no-such-host.invalid/"}}).body.value("rule", ""),
                    "resolvable");
  BOOST_CHECK_EQUAL(w.call("ia_admin", "GET", path).status, 404);  // nothing was subscribed
}

BOOST_AUTO_TEST_CASE(a_huge_answer_is_cut_off_and_memory_stays_small) {
  auto& w = world();
  w.restart(true);
  w.ok("admin", "PUT", "/api/v1/institutions/" + w.ins["huge"] + "/webhook", {{"url", w.receiver.url("/huge")}});
  w.ok("admin", "PUT", "/api/v1/institutions/" + w.ins["late"] + "/webhook", {{"url", w.receiver.url("/status/200")}});
  const int64_t peak_before = proc_kib(w.server.pid(), "VmHWM");
  BOOST_REQUIRE_GT(peak_before, 0);
  w.apply("huge");
  BOOST_REQUIRE_MESSAGE(eventually([&] {
                          for (const auto& entry : w.deliveries("huge"))
                            if (entry.value("error", "") == "too-large") return true;
                          return false;
                        }),
                        "no delivery to /huge was classified too-large: " << w.deliveries("huge").dump());
  const json first = w.deliveries("huge")[0];
  BOOST_CHECK_EQUAL(first["status"], 200);
  BOOST_CHECK_EQUAL(first["outcome"], "delivered");  // the receiver said 200; its body does not matter
  BOOST_CHECK_LT(first["latency_ms"].get<int64_t>(), 1500);
  std::this_thread::sleep_for(500ms);
  BOOST_TEST_MESSAGE("the receiver got " << w.receiver.huge_bytes_sent() << " bytes out");
  BOOST_CHECK_LT(w.receiver.huge_bytes_sent(), 32LL << 20);
  const int64_t peak_after = proc_kib(w.server.pid(), "VmHWM");
  BOOST_TEST_MESSAGE("serve's peak memory " << peak_before / 1024 << " MiB -> " << peak_after / 1024 << " MiB");
  BOOST_CHECK_LT(peak_after - peak_before, 64 * 1024);  // far below the 400 MB answer
}

BOOST_AUTO_TEST_CASE(delivery_logs_keep_coarse_error_classes_only) {
  auto& w = world();
  const std::map<std::string, std::pair<std::string, std::string>> cases = {
      {"closed", {"http://127.0.0.1:" + std::to_string(closed_port()) + "/x", "connect-failed"}},
      {"silent", {w.receiver.url("/silent"), "timeout"}},
      {"e5", {w.receiver.url("/status/503"), "http-5xx"}},
      {"e4", {w.receiver.url("/status/404"), "http-4xx"}}};
  for (const auto& [tag, target] : cases) {
    w.ok("admin", "PUT", "/api/v1/institutions/" + w.ins[tag] + "/webhook", {{"url", target.first}});
    w.apply(tag);
  }
  for (const auto& [tag, target] : cases) {
    BOOST_REQUIRE_MESSAGE(eventually([&] { return !w.dead_letters(tag).empty(); }, 90s),
                          tag << " was not dead-lettered");
    const json entries = w.deliveries(tag);
    BOOST_REQUIRE_GE(entries.size(), static_cast<size_t>(kMaxAttempts));
    for (const auto& entry : entries) {
      BOOST_CHECK_MESSAGE(entry.value("error", "") == target.second, tag << ": " << entry.dump());
      for (const auto& [key, value] : entry.items())
        BOOST_CHECK_MESSAGE(
            (std::set<std::string>{"event_id", "type", "application", "url", "status", "latency_ms", "attempt", "at",
                                   "at_ms", "outcome", "next_retry_at", "next_retry_ms", "error"}
                 .contains(key)),
            tag << ": unexpected " << key);
    }
    const json letter = w.dead_letters(tag)[0];
    const std::string last = target.second.starts_with("http-")
                                 ? "the receiver answered " + std::string(tag == "e5" ? "503" : "404")
                                 : "no answer (" + target.second + ")";
    BOOST_CHECK_EQUAL(letter["reason"].value("message", ""),
                      "not delivered after " + std::to_string(kMaxAttempts) + " attempts; last: " + last);
  }
}

BOOST_AUTO_TEST_CASE(every_delivery_checks_the_address_again) {
  auto& w = world();
  // "late" was subscribed to loopback while it was allowed; now it is not.
  w.restart(false);
  w.apply("late");
  BOOST_REQUIRE_MESSAGE(eventually([&] {
                          auto entries = w.deliveries("late");
                          return !entries.empty() && entries[0].value("error", "") == "refused-address";
                        }),
                        "no refused-address in " << w.deliveries("late").dump());
  const json entry = w.deliveries("late")[0];
  BOOST_CHECK_EQUAL(entry["status"], 0);
  BOOST_CHECK_EQUAL(entry["outcome"], "retry");
  BOOST_CHECK_EQUAL(w.receiver.requests("/status/200"), 0);
}

BOOST_AUTO_TEST_SUITE_END()

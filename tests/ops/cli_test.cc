// End-to-end tests of the `xyd` binary on the backend under test: `xyd serve` answers /healthz
// naming its log and refuses unknown routes with a problem document; `xyd log sample` then
// `xyd log tail` (and, on Kafka, kcat) show events with their CloudEvents headers.
#define BOOST_TEST_MODULE xyd_cli
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cpprest/http_client.h>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "events/codec.h"
#include "tests/support/backend.h"

using namespace std::chrono_literals;

namespace {

const std::string kBackend = xyd::test::backend_under_test();

std::string brokers() {
  const char* b = std::getenv("XYD_TEST_KAFKA");
  BOOST_REQUIRE_MESSAGE(b && *b, "XYD_TEST_KAFKA is not set: ops/test.sh starts the broker these tests need");
  return b;
}

// Flags that point xyd at this test's own data folder or broker.
std::vector<std::string> log_flags(const std::string& data) {
  std::vector<std::string> flags = {"--data", data, "--log", kBackend};
  if (kBackend == "kafka") {
    flags.push_back("--brokers");
    flags.push_back(brokers());
  }
  return flags;
}

std::string shell_quote(const std::string& s) {
  return "'" + s + "'";
}

// Runs a command and returns its standard output; fails the test on a non-zero exit.
std::string run(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  BOOST_REQUIRE(pipe);
  std::string out;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  int status = pclose(pipe);
  BOOST_REQUIRE_MESSAGE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "command failed: " << command << "\n" << out);
  return out;
}

std::string xyd_command(const std::vector<std::string>& args) {
  std::string command = XYD_BINARY;
  for (const auto& a : args) command += " " + shell_quote(a);
  return command;
}

// The address `xyd serve` printed on its standard output (saved in `path`): "serving on <address>";
// empty when it printed none before `timeout`.
std::string served_address(const std::string& path, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::smatch found;
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    const std::string printed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (std::regex_search(printed, found, std::regex(R"(serving on (http://127\.0\.0\.1:(\d+)) )"))) return found[1];
    std::this_thread::sleep_for(100ms);
  }
  return {};
}

std::string fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("xyd-cli-" + name + "-" + xyd::events::uuid_v7().substr(0, 13));
  std::filesystem::remove_all(dir);
  return dir.string();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(xyd_cli)

BOOST_AUTO_TEST_CASE(serve_answers_healthz_naming_its_log_and_stops_on_sigterm) {
  const std::string data = fresh_dir("serve");
  const std::string printed_to = data + ".out";
  // Port 0: serve listens where the kernel says and prints the address it really listens on.
  std::vector<std::string> args = {XYD_BINARY, "serve", "--http", "http://127.0.0.1:0", "--node", "cli-test"};
  for (const auto& f : log_flags(data)) args.push_back(f);
  pid_t server = fork();
  BOOST_REQUIRE(server >= 0);
  if (server == 0) {
    if (FILE* out = std::fopen(printed_to.c_str(), "w")) dup2(fileno(out), 1);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(XYD_BINARY, argv.data());
    _exit(127);
  }
  const std::string address = served_address(printed_to, 60s);
  BOOST_REQUIRE_MESSAGE(!address.empty() && !address.ends_with(":0"), "serve printed no address it listens on");
  web::http::client::http_client client(address);
  nlohmann::json health;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      auto response = client.request(web::http::methods::GET, "/healthz").get();
      status = response.status_code();
      health = nlohmann::json::parse(response.extract_utf8string(true).get());
      break;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(200ms);
    }
  }
  BOOST_CHECK_EQUAL(status, 200);
  BOOST_CHECK_EQUAL(health.value("status", ""), "ok");
  BOOST_CHECK_EQUAL(health["log"].value("backend", ""), kBackend);
  BOOST_CHECK_EQUAL(health["log"].value("reachable", false), true);
  BOOST_CHECK_EQUAL(health.value("node", ""), "cli-test");

  // /api/v1/version names the same build as `xyd version`: the commit and when it was built.
  auto version = nlohmann::json::parse(
      client.request(web::http::methods::GET, "/api/v1/version").get().extract_utf8string(true).get());
  const std::string commit = version.value("commit", "");
  BOOST_CHECK_MESSAGE(std::regex_match(commit, std::regex("[0-9a-f]{40}(-dirty)?")), "commit: " << commit);
  BOOST_CHECK_MESSAGE(
      std::regex_match(version.value("build_time", ""), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")),
      "build_time: " << version.dump());
  const std::string printed = run(xyd_command({"version"}));
  BOOST_CHECK_MESSAGE(
      printed.find("commit " + commit + ", built " + version.value("build_time", "")) != std::string::npos,
      "xyd version says " << printed);

  auto missing = client.request(web::http::methods::GET, "/api/v1/nothing-here").get();
  BOOST_CHECK_EQUAL(missing.status_code(), 404);
  BOOST_CHECK_EQUAL(missing.headers().content_type(), "application/problem+json");
  auto problem = nlohmann::json::parse(missing.extract_utf8string(true).get());
  BOOST_CHECK_EQUAL(problem.value("status", 0), 404);
  BOOST_CHECK(problem.contains("type") && problem.contains("title") && problem.contains("detail"));

  // An account created through the server (as the local operator, whose token serve wrote), then
  // `log tail` beside the running server shows its event.
  std::ifstream token_file(data + "/operator-token");
  std::string operator_token;
  std::getline(token_file, operator_token);
  web::http::http_request post(web::http::methods::POST);
  post.set_request_uri("/api/v1/accounts");
  post.headers().add("Authorization", "Bearer " + operator_token);
  const std::string phone = "188" + std::to_string(10000000 + getpid() % 89999999);
  post.set_body(nlohmann::json{{"phone", phone}, {"region", "440300"}}.dump(), "application/json");
  auto created = client.request(post).get();
  BOOST_CHECK_EQUAL(created.status_code(), 201);
  const std::string account = nlohmann::json::parse(created.extract_utf8string(true).get()).value("id", "");
  std::vector<std::string> tail = {"log", "tail", "--topic", "xyd.events.account"};
  for (const auto& f : log_flags(data)) tail.push_back(f);
  auto lines = run(xyd_command(tail));
  BOOST_CHECK_MESSAGE(lines.find("\"key\":\"" + account + "\"") != std::string::npos,
                      "log tail beside the server does not show " << account);

  if (kBackend == "kafka") {
    // A tool opening the log (here `xyd log sample`, which writes) must not fence the server's
    // transactional producer: the server still executes commands afterwards.
    std::vector<std::string> sample = {"log", "sample", "--count", "1", "--node", "cli-test"};
    for (const auto& f : log_flags(data)) sample.push_back(f);
    run(xyd_command(sample));
    web::http::http_request again(web::http::methods::POST);
    again.set_request_uri("/api/v1/accounts");
    again.headers().add("Authorization", "Bearer " + operator_token);
    again.set_body(nlohmann::json{{"phone", "189" + phone.substr(3)}, {"region", "440300"}}.dump(), "application/json");
    BOOST_CHECK_EQUAL(client.request(again).get().status_code(), 201);
  }

  kill(server, SIGTERM);
  int exit_status = 0;
  waitpid(server, &exit_status, 0);
  BOOST_CHECK(WIFEXITED(exit_status));
  BOOST_CHECK_EQUAL(WEXITSTATUS(exit_status), 0);
  std::filesystem::remove_all(data);
}

BOOST_AUTO_TEST_CASE(sample_events_show_with_cloudevents_headers_in_log_tail) {
  const std::string data = fresh_dir("tail");
  auto flags = log_flags(data);
  std::vector<std::string> sample = {"log", "sample", "--count", "3"};
  sample.insert(sample.end(), flags.begin(), flags.end());
  auto positions = run(xyd_command(sample));
  BOOST_CHECK_EQUAL(std::count(positions.begin(), positions.end(), '\n'), 3);
  std::set<std::string> ours;  // "topic/partition@offset" of each sample event
  std::istringstream printed(positions);
  for (std::string position; std::getline(printed, position);) ours.insert(position);

  std::vector<std::string> tail = {"log", "tail", "--topic", "xyd.events.account"};
  tail.insert(tail.end(), flags.begin(), flags.end());
  auto lines = run(xyd_command(tail));
  size_t events = 0;
  std::istringstream in(lines);
  for (std::string line; std::getline(in, line);) {
    auto record = nlohmann::json::parse(line);
    // On Kafka the topic also holds every earlier test's account events: only ours are checked.
    const std::string at = record.value("topic", "") + "/" + std::to_string(record.value("partition", -1)) + "@" +
                           std::to_string(record.value("offset", int64_t{-1}));
    if (!ours.contains(at)) continue;
    BOOST_CHECK(record["headers"].contains("ce_id"));
    BOOST_CHECK_EQUAL(record["headers"].value("ce_type", ""), "xyd.account.registered.v2");
    BOOST_CHECK_EQUAL(record["headers"].value("ce_specversion", ""), "1.0");
    BOOST_CHECK_EQUAL(record["value"].value("aggregatetype", ""), "account");
    BOOST_CHECK_EQUAL(record["value"]["hash"].get<std::string>().size(), 64u);
    ++events;
  }
  BOOST_CHECK_EQUAL(events, 3u);

  if (kBackend == "kafka") {
    // Any Kafka tool reads them: kcat prints the ce_* headers.
    auto kcat = run("kcat -b " + brokers() + " -C -t xyd.events.account -J -e -q");
    BOOST_CHECK(kcat.find("\"ce_type\"") != std::string::npos || kcat.find("ce_type") != std::string::npos);
    BOOST_CHECK(kcat.find("xyd.account.registered.v2") != std::string::npos);
  }
  std::filesystem::remove_all(data);
}

// Every flag is read against its command's table before the command runs: a value outside its
// choices or range, an unknown flag, a missing value, a bad environment variable: exit 2, the flag
// named, nothing created.
BOOST_AUTO_TEST_CASE(bad_flags_get_a_clear_error) {
  const std::string cwd = fresh_dir("bad-flags");
  std::filesystem::create_directories(cwd);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"serve --log cassandra", "--log (XYD_LOG) must be one of 'embedded', 'kafka', not 'cassandra'"},
      {"serve --lockout-sekonds 5", "unknown flag --lockout-sekonds"},
      {"serve --lockout-seconds 10abc", "--lockout-seconds must be a whole number from 1 to 2592000, not '10abc'"},
      {"serve --port-file", "--port-file needs a value"},
      {"serve --bank-inbound maybe", "unexpected word 'maybe'"},  // a toggle takes true|false or nothing
      {"log sample --count 0", "--count must be a whole number from 1 to 100000"},
      {"log tail --topic xyd.events.account --follow nope", "unexpected word 'nope'"},
      {"bank-sim --institution i --to email", "--to must be one of 'kafka', 'webhook', not 'email'"},
      {"rebuild --all --json", "unknown flag --json"},
      {"version --log-format json", "unknown flag --log-format"},
  };
  for (const auto& [arguments, expected] : cases) {
    const std::string line =
        "cd " + shell_quote(cwd) + " && timeout 10 " + XYD_BINARY + " " + arguments + " --data ./data 2>&1; echo rc=$?";
    const std::string out = run(line);
    BOOST_CHECK_MESSAGE(out.find(expected) != std::string::npos, line << " says:\n" << out);
    BOOST_CHECK_MESSAGE(out.find("rc=2") != std::string::npos, line << " does not exit 2:\n" << out);
    BOOST_CHECK_MESSAGE(std::filesystem::is_empty(cwd), line << " left files in its working folder");
  }
  const std::string from_env =
      run("cd " + shell_quote(cwd) + " && XYD_PARTITIONS=0 timeout 10 " + XYD_BINARY + " version 2>&1; echo rc=$?");
  BOOST_CHECK_MESSAGE(
      from_env.find("--partitions (XYD_PARTITIONS) must be a whole number from 1 to 1000") != std::string::npos &&
          from_env.find("rc=2") != std::string::npos,
      from_env);
  std::filesystem::remove_all(cwd);
}

// `--help` (or -h) on every command prints its usage, exits 0 and does nothing else: no server,
// no data folder, no demo, no connection.
BOOST_AUTO_TEST_CASE(every_command_help_prints_usage_and_does_nothing_else) {
  const std::string cwd = fresh_dir("help");
  std::filesystem::create_directories(cwd);
  const std::vector<std::string> commands = {"serve",       "log tail", "log sample",   "log",
                                             "load",        "version",  "admin create", "demo",
                                             "projections", "rebuild",  "audit verify", "bank-sim"};
  for (const auto& command : commands) {
    for (const std::string flag : {"--help", "-h"}) {
      // Flags the command would act on come before --help: they must change nothing either.
      const std::string line = "cd " + shell_quote(cwd) + " && timeout 10 " + XYD_BINARY + " " + command +
                               " --data ./data --http http://127.0.0.1:9 " + flag + " 2>&1";
      const std::string out = run(line);
      BOOST_CHECK_MESSAGE(out.find("usage") != std::string::npos && out.find("  " + command) != std::string::npos,
                          line << " does not print its usage:\n"
                               << out);
      BOOST_CHECK_MESSAGE(std::filesystem::is_empty(cwd), line << " left files in its working folder");
    }
  }
  BOOST_CHECK(run(xyd_command({"help", "serve"})).find("--trusted-proxies") != std::string::npos);
  BOOST_CHECK(run(xyd_command({"--version"})).starts_with("xyd "));
  std::filesystem::remove_all(cwd);
}

BOOST_AUTO_TEST_SUITE_END()

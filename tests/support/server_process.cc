#include "tests/support/server_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cpprest/http_client.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "events/codec.h"
#include "tests/support/backend.h"

namespace xyd::test {

std::vector<std::string> backend_flags() {
  std::vector<std::string> flags = {"--log", backend_under_test()};
  if (on_kafka()) {
    const char* brokers = std::getenv("XYD_TEST_KAFKA");
    BOOST_REQUIRE_MESSAGE(brokers && *brokers,
                          "XYD_TEST_KAFKA is not set: ops/test.sh starts the broker these tests need");
    flags.push_back("--brokers");
    flags.push_back(brokers);
  }
  return flags;
}

std::string fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("xyd-" + name + "-" + events::uuid_v7().substr(0, 13));
  std::filesystem::remove_all(dir);
  return dir.string();
}

ServerProcess::ServerProcess(std::string data_dir, std::string node, std::vector<std::string> extra_flags)
    : data_dir_(std::move(data_dir)), node_(std::move(node)), extra_flags_(std::move(extra_flags)) {}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) kill_with(SIGKILL);
}

void ServerProcess::start() {
  std::filesystem::remove(port_file());
  std::vector<std::string> args = {
      XYD_BINARY,    "serve",     "--data", data_dir_, "--http", "127.0.0.1:" + std::to_string(port_),
      "--port-file", port_file(), "--node", node_};
  for (const auto& f : backend_flags()) args.push_back(f);
  for (const auto& f : extra_flags_) args.push_back(f);
  std::string log_path = data_dir_ + ".server.log";
  pid_ = fork();
  BOOST_REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    // The server dies with the test program, however that ends (a crash, an abort, a kill): no
    // server of a failed test is left holding ports, stores or Kafka partitions.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    FILE* out = std::fopen(log_path.c_str(), "a");
    if (out) {
      dup2(fileno(out), 1);
      dup2(fileno(out), 2);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(XYD_BINARY, argv.data());
    _exit(127);
  }
}

bool ServerProcess::wait_healthy(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (read_port() && http_request(url(), "GET", "/healthz", nullptr, {}, std::chrono::seconds(2)).status == 200)
      return true;
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      return false;  // it died
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

bool ServerProcess::read_port() {
  std::ifstream in(port_file());
  int reported = 0;
  if (!(in >> reported) || reported <= 0 || reported > 65535) return false;
  BOOST_REQUIRE_MESSAGE(port_ == 0 || port_ == reported, "serve moved from port " << port_ << " to " << reported);
  port_ = reported;
  return true;
}

int ServerProcess::port() const {
  BOOST_REQUIRE_MESSAGE(port_ != 0, "the server's port is not known yet: wait_healthy() first");
  return port_;
}

void ServerProcess::kill_with(int signal) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = 0;
}

std::map<std::string, std::string> ServerProcess::operator_auth() const {
  std::ifstream in(data_dir_ + "/operator-token");
  std::string token;
  std::getline(in, token);
  return bearer(token);
}

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

std::pair<int, std::string> run_command_line(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return {-1, ""};
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

std::pair<std::string, std::string> run_demo(const ServerProcess& server, int seed, int enterprises) {
  auto [status, output] = run_command_line(std::string(XYD_BINARY) + " demo --seed " + std::to_string(seed) +
                                           " --enterprises " + std::to_string(enterprises) + " --http " + server.url() +
                                           " --data '" + server.data_dir() + "' 2>&1");
  BOOST_REQUIRE_MESSAGE(status == 0, "xyd demo failed: " << output);
  std::smatch found;
  BOOST_REQUIRE_MESSAGE(std::regex_search(output, found, std::regex("system admin: phone (\\S+), password (\\S+)")),
                        "the demo printed no system admin: " << output);
  return {found[1], found[2]};
}

std::string backend_flags_text() {
  std::string text;
  for (const auto& f : backend_flags()) text += " '" + f + "'";
  return text;
}

std::string last_sms(const std::string& data_dir, const std::string& phone) {
  std::ifstream in(data_dir + "/sms.log");
  std::string line, found;
  while (std::getline(in, line))
    if (line.find("\t" + phone + "\t") != std::string::npos) found = line;
  return found;
}

std::string registration_code(const std::string& data_dir, const std::string& phone) {
  return text_after(last_sms(data_dir, phone), "registration code: ", 6);
}

HttpReply register_with_code(const std::string& base, const std::string& data_dir, nlohmann::json body,
                             const std::map<std::string, std::string>& headers) {
  const std::string phone = body.value("phone", "");
  auto sent = http_request(base, "POST", "/api/v1/sessions/codes", {{"phone", phone}, {"purpose", "registration"}});
  if (sent.status != 202) return sent;
  body["code"] = registration_code(data_dir, phone);
  return http_request(base, "POST", "/api/v1/accounts", body, headers);
}

std::map<std::string, std::string> as_operator(const ServerProcess& server, const std::string& idempotency_key) {
  auto headers = server.operator_auth();
  headers["Idempotency-Key"] = idempotency_key;
  return headers;
}

std::string text_after(const std::string& text, const std::string& marker, size_t length) {
  auto at = text.find(marker);
  return at == std::string::npos ? std::string() : text.substr(at + marker.size(), length);
}

HttpReply http_request(const std::string& base, const std::string& method, const std::string& path,
                       const nlohmann::json& body, const std::map<std::string, std::string>& headers,
                       std::chrono::seconds timeout) {
  HttpReply reply;
  try {
    web::http::client::http_client_config config;
    config.set_timeout(timeout);
    web::http::client::http_client client(base, config);
    web::http::http_request request(method);
    request.set_request_uri(path);
    for (const auto& [name, value] : headers) request.headers().add(name, value);
    if (!body.is_null()) request.set_body(body.dump(), "application/json");
    auto response = client.request(request).get();
    reply.status = response.status_code();
    for (const auto& [name, value] : response.headers()) reply.headers[name] = value;
    auto bytes = response.extract_vector().get();
    reply.raw.assign(bytes.begin(), bytes.end());
    reply.body = nlohmann::json::parse(reply.raw, nullptr, false);
  } catch (const std::exception&) {
    reply.status = 0;
  }
  return reply;
}

// Weights 3^i mod 31 over the alphabet of GB 32100 (no I O S V Z).
std::string make_uscc(const std::string& region, const std::string& serial) {
  static const std::string alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  std::string code = "91" + region + serial.substr(0, 9);
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += static_cast<int>(alphabet.find(code[i])) * weights[i];
  return code + alphabet[(31 - sum % 31) % 31];
}

}  // namespace xyd::test

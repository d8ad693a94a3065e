// ServerProcess: an `xyd serve` child process for end-to-end tests: started with a data folder and
// the backend under test on a port the kernel chooses (--http 127.0.0.1:0, reported through
// --port-file), waited for until /healthz answers, killed with any signal, restarted with the same
// settings and port. http_request: a tiny blocking JSON client. Test thread only.
#pragma once

#include <sys/types.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xyd::test {

class ServerProcess {
 public:
  ServerProcess(std::string data_dir, std::string node, std::vector<std::string> extra_flags = {});
  ~ServerProcess();

  // Starts the child; a restart listens on the port the first start got.
  void start();
  // Waits until the server has reported its port and GET /healthz answers 200; false after
  // `timeout` or when the child died.
  bool wait_healthy(std::chrono::seconds timeout = std::chrono::seconds(60));
  void kill_with(int signal);  // and reap it
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The port and URL it listens on, known once wait_healthy() succeeded (the test fails if asked
  // earlier).
  int port() const;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port()); }
  const std::string& node() const { return node_; }
  const std::string& data_dir() const { return data_dir_; }
  // The local operator's Authorization header (the token serve wrote to <data>/operator-token).
  std::map<std::string, std::string> operator_auth() const;

 private:
  // Reads the port serve wrote to port_file(); false while it has not.
  bool read_port();
  std::string port_file() const { return data_dir_ + ".port"; }

  std::string data_dir_;
  int port_ = 0;  // 0 until the first start reported it
  std::string node_;
  std::vector<std::string> extra_flags_;
  pid_t pid_ = 0;
};

struct HttpReply {
  int status = 0;  // 0: no answer (refused, reset, timed out)
  nlohmann::json body;
  std::map<std::string, std::string> headers;
  std::string raw;  // the body's bytes (CSV, XLSX)
};

HttpReply http_request(const std::string& base, const std::string& method, const std::string& path,
                       const nlohmann::json& body = nullptr, const std::map<std::string, std::string>& headers = {},
                       std::chrono::seconds timeout = std::chrono::seconds(15));

// Bearer authorization for a token.
std::map<std::string, std::string> bearer(const std::string& token);

// Runs a shell command line; its exit status and standard output.
std::pair<int, std::string> run_command_line(const std::string& command);

// Flags that put xyd on the backend under test (and, for Kafka, on the test broker).
std::vector<std::string> backend_flags();
// The backend flags as one shell-quoted string, for command lines.
std::string backend_flags_text();
// The last SMS the server "sent" to a phone (the default channel appends to <data>/sms.log).
std::string last_sms(const std::string& data_dir, const std::string& phone);
// The registration code last sent to the phone (empty when none was).
std::string registration_code(const std::string& data_dir, const std::string& phone);
// Self-registration as a client does it: a registration code to the body's phone
// (POST /api/v1/sessions/codes, purpose "registration"), read from <data>/sms.log, then
// POST /api/v1/accounts with it. The code request's reply when that is not a 202.
HttpReply register_with_code(const std::string& base, const std::string& data_dir, nlohmann::json body,
                             const std::map<std::string, std::string>& headers = {});
// The local operator's authorization and an Idempotency-Key: how the write-side tests create
// accounts (an administrator's creation needs no registration code).
std::map<std::string, std::string> as_operator(const ServerProcess& server, const std::string& idempotency_key);
// The `length` characters after `marker` in `text` (empty when the marker is absent).
std::string text_after(const std::string& text, const std::string& marker, size_t length);
// The set-up several test cases share, built by the first that asks; when building it failed,
// the others fail at once instead of building it again. Test thread only.
template <typename T>
T& shared_setup() {
  static std::unique_ptr<T> built;
  static bool tried = false;
  if (!built) {
    BOOST_REQUIRE_MESSAGE(!tried, "the shared set-up failed in an earlier test");
    tried = true;
    built = std::make_unique<T>();
  }
  return *built;
}

// Fills the running server with `xyd demo --seed S --enterprises N` (through its REST API, reading
// codes from its data folder) and returns the demo system admin's phone and password; the test
// fails at once when the demo fails.
std::pair<std::string, std::string> run_demo(const ServerProcess& server, int seed, int enterprises);

// A fresh temporary folder.
std::string fresh_dir(const std::string& name);
// A valid GB 32100 unified social credit code: "91" (enterprise), the region, a 9-character
// organisation code from `serial`, and the check character.
std::string make_uscc(const std::string& region, const std::string& serial);

}  // namespace xyd::test

// The HTTP edge in process, with real cpprestsdk and real sockets: bodies are capped on the bytes
// actually read whatever the framing (a chunked upload cannot bypass the limit or fill memory),
// hostile JSON is refused before any handler sees it, a handler that throws answers a generic 500
// whose body names nothing internal, and the server goes on serving.
#define BOOST_TEST_MODULE api_server
#include "api/api_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <thread>

using namespace xyd;
using namespace xyd::api;
using nlohmann::json;

namespace {

// The resident set of this process, in KiB.
long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// One raw HTTP exchange: sends the head, then `chunks` chunks of `chunk_size` bytes with chunked
// framing; returns the whole answer (status line, headers, body).
std::string raw_exchange(int port, const std::string& head, size_t chunks = 0, size_t chunk_size = 0,
                         const std::string& tail = "") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return "";
  timeval timeout{30, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  auto send_all = [&](const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  };
  bool open = send_all(head);
  if (chunks > 0) {
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk_size);
    const std::string chunk = std::string(size_line) + std::string(chunk_size, '[') + "\r\n";
    for (size_t i = 0; i < chunks && open; ++i) open = send_all(chunk);
    if (open) send_all("0\r\n\r\n");
  }
  if (open && !tail.empty()) send_all(tail);
  std::string answer;
  char buffer[4096];
  while (true) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    answer.append(buffer, static_cast<size_t>(n));
    if (answer.find("\r\n\r\n") != std::string::npos) {
      auto length_at = answer.find("Content-Length: ");
      auto body_at = answer.find("\r\n\r\n") + 4;
      if (length_at != std::string::npos && answer.size() >= body_at + std::stoul(answer.substr(length_at + 16))) break;
    }
  }
  ::close(fd);
  return answer;
}

int status_of(const std::string& answer) {
  return answer.size() > 12 ? std::stoi(answer.substr(9, 3)) : 0;
}
json body_of(const std::string& answer) {
  auto at = answer.find("\r\n\r\n");
  return at == std::string::npos ? json() : json::parse(answer.substr(at + 4), nullptr, false);
}

struct Server {
  int port = 0;  // the kernel's choice, once started
  std::atomic<int> handled{0};
  std::unique_ptr<ApiServer> server;
  Server() {
    Router router;
    router.add(
        "POST", "/echo",
        [this](const Request& r) -> Result<Response> {
          ++handled;
          XYD_ASSIGN_OR_RETURN(json body, r.json_body());
          Response response;
          response.body = {{"keys", body.size()}};
          return response;
        },
        Access::open);
    router.add(
        "GET", "/throws",
        [](const Request&) -> Result<Response> {
          throw std::runtime_error("secret detail at /var/lib/xyd/data and nlohmann type_error");
        },
        Access::open);
    router.add(
        "GET", "/unavailable",
        [](const Request&) -> Result<Response> {
          return make_error(Errc::unavailable, "broker 10.1.2.3:9092 fenced transactional id xyd-processor-node-7");
        },
        Access::open);
    router.add(
        "GET", "/item/{id}",
        [](const Request& r) -> Result<Response> {
          Response response;
          response.body = {{"id", r.params.at("id")}};
          return response;
        },
        Access::open);
    server = std::make_unique<ApiServer>("http://127.0.0.1:0", std::move(router));
    BOOST_REQUIRE(server->start().ok());
    port = server->port();
    BOOST_REQUIRE_NE(port, 0);
    BOOST_REQUIRE_EQUAL(server->address(), "http://127.0.0.1:" + std::to_string(port));
  }
  std::string post(const std::string& body) {
    return raw_exchange(port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                                  std::to_string(body.size()) + "\r\n\r\n" + body);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_chunked_upload_past_the_limit_is_refused_without_filling_memory) {
  Server s;
  const long before = rss_kib();
  // 64 MiB in chunks of 64 KiB: the limit is 1 MiB.
  auto answer = raw_exchange(s.port,
                             "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n",
                             1024, 64 * 1024);
  const long after = rss_kib();
  BOOST_CHECK_EQUAL(status_of(answer), 413);
  BOOST_CHECK_EQUAL(body_of(answer)["rule"], "max-size");
  BOOST_CHECK_EQUAL(s.handled.load(), 0);
  BOOST_TEST_MESSAGE("RSS " << before << " KiB -> " << after << " KiB");
  BOOST_CHECK_LT(after - before, 32 * 1024);  // far less than the 64 MiB sent
  // A small chunked body is read whole and served.
  auto small = raw_exchange(s.port,
                            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n6\r\n{\"a\":1\r\n1\r\n}\r\n0\r\n\r\n");
  BOOST_CHECK_EQUAL(status_of(small), 200);
  BOOST_CHECK_EQUAL(body_of(small)["keys"], 1);
}

BOOST_AUTO_TEST_CASE(a_declared_length_past_the_limit_is_refused) {
  Server s;
  auto answer = raw_exchange(
      s.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n" + std::string(2097152, ' '));
  BOOST_CHECK_EQUAL(status_of(answer), 413);
  BOOST_CHECK_EQUAL(s.handled.load(), 0);
}

BOOST_AUTO_TEST_CASE(hostile_json_is_a_400_naming_the_rule_and_the_server_goes_on) {
  Server s;
  auto deep = s.post(std::string(50000, '[') + std::string(50000, ']'));
  BOOST_CHECK_EQUAL(status_of(deep), 400);
  BOOST_CHECK_EQUAL(body_of(deep)["rule"], "max-depth");
  auto utf8 = s.post("{\"a\": \"\xff\xfe\"}");
  BOOST_CHECK_EQUAL(status_of(utf8), 400);
  auto long_string = s.post("{\"a\": \"" + std::string(100000, 'x') + "\"}");
  BOOST_CHECK_EQUAL(status_of(long_string), 400);
  BOOST_CHECK_EQUAL(body_of(long_string)["rule"], "max-string-length");
  auto fine = s.post("{\"a\": 1, \"b\": [1, 2]}");
  BOOST_CHECK_EQUAL(status_of(fine), 200);
}

BOOST_AUTO_TEST_CASE(a_5xx_says_nothing_internal_but_an_id) {
  Server s;
  auto thrown = raw_exchange(s.port, "GET /throws HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_CHECK_EQUAL(status_of(thrown), 500);
  const std::string text = body_of(thrown).dump();
  BOOST_CHECK(text.find("secret") == std::string::npos);
  BOOST_CHECK(text.find("/var/lib") == std::string::npos);
  BOOST_CHECK(text.find("type_error") == std::string::npos);
  BOOST_CHECK(text.find("error id ") != std::string::npos);
  auto unavailable = raw_exchange(s.port, "GET /unavailable HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_CHECK_EQUAL(status_of(unavailable), 503);
  const std::string detail = body_of(unavailable).dump();
  BOOST_CHECK(detail.find("10.1.2.3") == std::string::npos);
  BOOST_CHECK(detail.find("transactional") == std::string::npos);
  BOOST_CHECK(detail.find("retry") != std::string::npos);
  // Still serving.
  BOOST_CHECK_EQUAL(status_of(s.post("{}")), 200);
}

BOOST_AUTO_TEST_CASE(path_parameters_must_be_short_utf8_without_control_characters) {
  Server s;
  BOOST_CHECK_EQUAL(status_of(raw_exchange(s.port, "GET /item/%FF%FE HTTP/1.1\r\nHost: x\r\n\r\n")), 400);
  BOOST_CHECK_EQUAL(status_of(raw_exchange(s.port, "GET /item/a%0Ab HTTP/1.1\r\nHost: x\r\n\r\n")), 400);
  BOOST_CHECK_EQUAL(
      status_of(raw_exchange(s.port, "GET /item/" + std::string(200, 'x') + " HTTP/1.1\r\nHost: x\r\n\r\n")), 400);
  auto fine = raw_exchange(s.port, "GET /item/%E4%BF%A1 HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_CHECK_EQUAL(status_of(fine), 200);
  BOOST_CHECK_EQUAL(body_of(fine)["id"], "信");
}

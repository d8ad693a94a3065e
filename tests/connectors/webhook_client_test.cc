// The webhook client's guards, without a server of ours: which addresses a webhook may reach
// (loopback, private, link-local, CGNAT, multicast, unspecified and their IPv4-mapped / NAT64 /
// 6to4 forms refused), the URL check, resolution before the check ("localhost"), the POST going to
// the checked address (never resolved again), and answers: at most 64 KiB read of a 400 MB one,
// coarse error classes for a closed port and a silent receiver; over TLS, the certificate checked
// against the URL's host.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "connectors/webhook_http.h"
#include "connectors/webhook_target.h"
#include "tests/support/raw_http_server.h"

using namespace xyd;
using namespace xyd::connectors;
using namespace std::chrono_literals;

namespace {

// A target named `host` whose one address is 127.0.0.1:port (as resolve_webhook_target would give).
WebhookTarget loopback_target(const std::string& host, int port, const std::string& path) {
  auto target = parse_webhook_url("http://" + host + ":" + std::to_string(port) + path);
  BOOST_REQUIRE(target.ok());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sockaddr_storage storage{};
  std::memcpy(&storage, &address, sizeof address);
  target->addresses = {storage};
  return *target;
}

// A TLS receiver on 127.0.0.1 (on a port the kernel chooses) with a certificate for "localhost" and 127.0.0.1 (made by
// the openssl command), answering 202 to each request. Its thread serves; the test thread reads `cert`.
class TlsServer {
 public:
  TlsServer() {
    dir_ = (std::filesystem::temp_directory_path() / ("xyd-tls-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir_);
    cert = dir_ + "/cert.pem";
    const std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
        "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " +
        dir_ + "/key.pem -out " + cert + " >/dev/null 2>&1";
    BOOST_REQUIRE_MESSAGE(std::system(command.c_str()) == 0, "openssl could not make a certificate");
    context_ = SSL_CTX_new(TLS_server_method());
    BOOST_REQUIRE(SSL_CTX_use_certificate_file(context_, cert.c_str(), SSL_FILETYPE_PEM) == 1);
    BOOST_REQUIRE(SSL_CTX_use_PrivateKey_file(context_, (dir_ + "/key.pem").c_str(), SSL_FILETYPE_PEM) == 1);
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    port = xyd::test::bind_loopback(listener_);
    BOOST_REQUIRE(::listen(listener_, 8) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsServer() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
    SSL_CTX_free(context_);
    std::filesystem::remove_all(dir_);
  }
  std::string cert;
  int port = 0;

 private:
  void serve() {
    while (!stopping_) {
      pollfd entry{listener_, POLLIN, 0};
      if (::poll(&entry, 1, 100) <= 0) continue;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      timeval limit{2, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
      SSL* ssl = SSL_new(context_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) {
        std::string request;
        char buffer[4096];
        int n = 0;
        while (request.find("\r\n\r\n") == std::string::npos && (n = SSL_read(ssl, buffer, sizeof buffer)) > 0)
          request.append(buffer, static_cast<size_t>(n));
        const std::string answer = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
        SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
        SSL_shutdown(ssl);
      }
      SSL_free(ssl);
      ::close(fd);
    }
  }
  std::string dir_;
  SSL_CTX* context_ = nullptr;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(webhook_client)

BOOST_AUTO_TEST_CASE(internal_addresses_are_told_from_public_ones) {
  for (const char* text : {"127.0.0.1", "127.255.255.254", "::1", "::ffff:127.0.0.1"})
    BOOST_CHECK_MESSAGE(classify_address_text(text) == AddressKind::loopback, text);
  for (const char* text : {"10.0.0.1",        "172.16.0.1",
                           "172.31.255.255",  "192.168.1.1",
                           "169.254.169.254", "100.64.0.1",
                           "100.127.255.255", "0.0.0.0",
                           "0.1.2.3",         "224.0.0.1",
                           "239.255.255.250", "255.255.255.255",
                           "240.0.0.1",       "198.18.0.1",
                           "192.0.2.1",       "::",
                           "fc00::1",         "fd12:3456::1",
                           "fe80::1",         "ff02::1",
                           "::ffff:10.0.0.1", "::ffff:169.254.169.254",
                           "::ffff:0.0.0.0",  "64:ff9b::a9fe:a9fe",
                           "64:ff9b::7f00:1", "2002:a00:1::1",
                           "2002:7f00:1::1",  "::127.0.0.1",
                           "2001:db8::1",     "2001::1",
                           "not an address"})
    BOOST_CHECK_MESSAGE(classify_address_text(text) == AddressKind::internal, text);
  for (const char* text :
       {"8.8.8.8", "1.1.1.1", "100.63.255.255", "100.128.0.1", "172.15.255.255", "172.32.0.1", "169.253.0.1",
        "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"})
    BOOST_CHECK_MESSAGE(classify_address_text(text) == AddressKind::public_address, text);
}

BOOST_AUTO_TEST_CASE(urls_are_checked_before_anything_is_resolved) {
  auto target = parse_webhook_url("HTTPS://Bank.example:8443/xyd/hooks?x=1#fragment");
  BOOST_REQUIRE(target.ok());
  BOOST_CHECK(target->tls);
  BOOST_CHECK_EQUAL(target->host, "Bank.example");
  BOOST_CHECK_EQUAL(target->port, 8443);
  BOOST_CHECK_EQUAL(target->host_header, "Bank.example:8443");
  BOOST_CHECK_EQUAL(target->path, "/xyd/hooks?x=1");
  auto v6 = parse_webhook_url("http://[2001:4860::1]?q");
  BOOST_REQUIRE(v6.ok());
  BOOST_CHECK_EQUAL(v6->host, "2001:4860::1");
  BOOST_CHECK_EQUAL(v6->port, 80);
  BOOST_CHECK_EQUAL(v6->path, "/?q");
  for (const char* bad : {"ftp://bank.example/", "bank.example/hook", "http://user:pw@bank.example/", "http:///x",
                          "http://bank.example:0/", "http://bank.example:65536/", "http://bank.example:/",
                          "http://bank example/", "http://bank.example/a b", "http://bank.example/\r\nX: y",
                          "http://[::1/", "http://[fe80::1%25eth0]/", "http://银行.example/"}) {
    auto refused = parse_webhook_url(bad);
    BOOST_CHECK_MESSAGE(!refused.ok(), bad);
    BOOST_CHECK_EQUAL(refused.error().field, "url");
    BOOST_CHECK_EQUAL(refused.error().rule, "http-url");
  }
  BOOST_CHECK(!parse_webhook_url("http://bank.example/" + std::string(2100, 'a')).ok());
}

BOOST_AUTO_TEST_CASE(names_and_literals_are_checked_after_resolution) {
  const std::string port = std::to_string(xyd::test::closed_port());
  for (const std::string& url :
       std::vector<std::string>{"http://127.0.0.1:" + port + "/", "http://10.0.0.1/", "http://[::1]/",
                                "http://169.254.169.254/latest/meta-data/", "http://localhost:" + port + "/hook",
                                "http://[::ffff:127.0.0.1]/", "http://0.0.0.0:" + port + "/", "http://2130706433/",
                                "http://0x7f.1/", "http://100.64.0.1/", "http://224.0.0.1/", "http://[fd00::1]/"}) {
    auto refused = resolve_webhook_target(url, false);
    BOOST_REQUIRE_MESSAGE(!refused.ok(), url << " was allowed");
    BOOST_CHECK_EQUAL(refused.error().field, "url");
    BOOST_CHECK_MESSAGE(refused.error().rule == "public-address" || refused.error().rule == "resolvable",
                        url << ": " << refused.error().rule);
    BOOST_CHECK_MESSAGE(refused.error().message.find("127.") == std::string::npos, refused.error().message);
  }
  BOOST_CHECK_EQUAL(resolve_webhook_target("http://localhost:" + port + "/", false).error().rule, "public-address");
  BOOST_CHECK_EQUAL(resolve_webhook_target("http://10.0.0.1/", false).error().rule, "public-address");
  // With the loopback allowance (tests' receivers): loopback only.
  auto local = resolve_webhook_target("http://localhost:" + port + "/hook", true);
  BOOST_REQUIRE(local.ok());
  BOOST_REQUIRE(!local->addresses.empty());
  for (const auto& address : local->addresses)
    BOOST_CHECK(classify_address(reinterpret_cast<const sockaddr*>(&address)) == AddressKind::loopback);
  BOOST_CHECK(resolve_webhook_target("http://127.0.0.1:" + port + "/", true).ok());
  BOOST_CHECK_EQUAL(resolve_webhook_target("http://10.0.0.1/", true).error().rule, "public-address");
  BOOST_CHECK_EQUAL(resolve_webhook_target("http://169.254.169.254/", true).error().rule, "public-address");
  // A public literal needs no DNS; its port goes with the address.
  auto public_target = resolve_webhook_target("https://8.8.8.8:8443/h", false);
  BOOST_REQUIRE(public_target.ok());
  BOOST_REQUIRE_EQUAL(public_target->addresses.size(), 1u);
  BOOST_CHECK_EQUAL(ntohs(reinterpret_cast<const sockaddr_in*>(&public_target->addresses[0])->sin_port), 8443);
  BOOST_CHECK_EQUAL(resolve_webhook_target("http://no-such-host.invalid/", false).error().rule, "resolvable");
}

BOOST_AUTO_TEST_CASE(the_post_goes_to_the_checked_address_with_the_urls_host) {
  xyd::test::RawHttpServer server;
  const int port = server.port();
  // "bank.invalid" resolves nowhere: the POST reaches the server only through the checked address.
  auto answer = post_webhook(loopback_target("bank.invalid", port, "/status/204?x=1"), R"({"a":1})",
                             {{"webhook-id", "msg-1"}}, 2000ms);
  BOOST_CHECK_EQUAL(answer.status, 204);
  BOOST_CHECK_EQUAL(answer.error, "");
  const std::string request = server.last_request();
  BOOST_CHECK(request.starts_with("POST /status/204?x=1 HTTP/1.1\r\n"));
  BOOST_CHECK(request.find("\r\nHost: bank.invalid:" + std::to_string(port) + "\r\n") != std::string::npos);
  BOOST_CHECK(request.find("\r\nwebhook-id: msg-1\r\n") != std::string::npos);
  BOOST_CHECK(request.ends_with("\r\n\r\n{\"a\":1}"));
  BOOST_CHECK_EQUAL(post_webhook(loopback_target("bank.invalid", port, "/status/503"), "{}", {}, 2000ms).status, 503);
}

BOOST_AUTO_TEST_CASE(a_huge_answer_is_cut_off_at_64_kib) {
  xyd::test::RawHttpServer server;
  const int port = server.port();
  const auto started = std::chrono::steady_clock::now();
  auto answer = post_webhook(loopback_target("127.0.0.1", port, "/huge"), "{}", {}, 5000ms);
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_CHECK_EQUAL(answer.status, 200);
  BOOST_CHECK_EQUAL(answer.error, "too-large");
  BOOST_CHECK_LT(took, 3s);
  std::this_thread::sleep_for(300ms);  // the receiver notices the closed connection
  // What got out before the client closed: the 64 KiB read plus what the kernel buffers held.
  BOOST_TEST_MESSAGE("the receiver got " << server.huge_bytes_sent() << " bytes out");
  BOOST_CHECK_LT(server.huge_bytes_sent(), 32LL << 20);
  BOOST_CHECK_GT(server.huge_bytes_sent(), static_cast<int64_t>(kMaxWebhookAnswerBytes));
}

BOOST_AUTO_TEST_CASE(failures_are_coarse_classes) {
  xyd::test::RawHttpServer server;
  const int port = server.port();
  const auto closed = post_webhook(loopback_target("127.0.0.1", xyd::test::closed_port(), "/"), "{}", {}, 2000ms);
  BOOST_CHECK_EQUAL(closed.status, 0);
  BOOST_CHECK_EQUAL(closed.error, "connect-failed");
  const auto started = std::chrono::steady_clock::now();
  const auto silent = post_webhook(loopback_target("127.0.0.1", port, "/silent"), "{}", {}, 500ms);
  BOOST_CHECK_EQUAL(silent.status, 0);
  BOOST_CHECK_EQUAL(silent.error, "timeout");
  BOOST_CHECK_LT(std::chrono::steady_clock::now() - started, 2s);
  BOOST_CHECK_GE(silent.latency_ms, 400);
}

BOOST_AUTO_TEST_CASE(tls_checks_the_certificate_against_the_urls_host) {
  TlsServer server;
  const int port = server.port;
  // The client trusts the system's store; SSL_CERT_FILE points it at the test's certificate (set
  // before this process's first TLS connection: no earlier case uses https).
  ::setenv("SSL_CERT_FILE", server.cert.c_str(), 1);
  auto tls_target = [&](const std::string& host) {
    WebhookTarget target = loopback_target(host, port, "/hook");
    target.tls = true;
    return target;
  };
  const auto named = post_webhook(tls_target("localhost"), "{}", {}, 3000ms);
  BOOST_CHECK_EQUAL(named.status, 202);
  BOOST_CHECK_EQUAL(named.error, "");
  BOOST_CHECK_EQUAL(post_webhook(tls_target("127.0.0.1"), "{}", {}, 3000ms).status, 202);  // the IP in the certificate
  // Another name on the same address: the certificate does not match, nothing is sent.
  const auto other = post_webhook(tls_target("bank.invalid"), "{}", {}, 3000ms);
  BOOST_CHECK_EQUAL(other.status, 0);
  BOOST_CHECK_EQUAL(other.error, "tls-failed");
}

BOOST_AUTO_TEST_SUITE_END()

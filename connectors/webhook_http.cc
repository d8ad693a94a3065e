#include "connectors/webhook_http.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "events/numbers.h"

namespace xyd::connectors {
namespace {

using Clock = std::chrono::steady_clock;

// The shared client context: system trust store, peer verification on (created once; SSL_CTX is
// safe to share between threads once set up).
SSL_CTX* client_context() {
  static SSL_CTX* context = [] {
    SSL_CTX* made = SSL_CTX_new(TLS_client_method());
    if (made) {
      SSL_CTX_set_min_proto_version(made, TLS1_2_VERSION);
      SSL_CTX_set_default_verify_paths(made);
      SSL_CTX_set_verify(made, SSL_VERIFY_PEER, nullptr);
    }
    return made;
  }();
  return context;
}

// SIGPIPE blocked on this thread for the exchange (a peer that closes mid-write must not end the
// process; OpenSSL writes with plain write()), any pending one consumed before the mask returns.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t pipe_, old_;
};

// A connected socket, plain or TLS, every wait bounded by one deadline. Owned by one call.
class Channel {
 public:
  explicit Channel(Clock::time_point deadline) : deadline_(deadline) {}
  ~Channel() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }

  // Connects to the first address that answers; "" or the error class.
  std::string connect(const WebhookTarget& target) {
    for (const auto& address : target.addresses) {
      if (Clock::now() >= deadline_) return "timeout";
      const int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) continue;
      const socklen_t length = address.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
      int result = ::connect(fd, reinterpret_cast<const sockaddr*>(&address), length);
      if (result != 0 && errno == EINPROGRESS) {
        fd_ = fd;
        int error = 0;
        socklen_t size = sizeof error;
        result = wait(POLLOUT) && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0 ? 0 : -1;
        fd_ = -1;
      }
      if (result == 0) {
        fd_ = fd;
        return target.tls ? handshake(target.host) : "";
      }
      ::close(fd);
    }
    return Clock::now() >= deadline_ ? "timeout" : "connect-failed";
  }

  // Sends every byte; "" or the error class.
  std::string send_all(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      if (ssl_) {
        size_t written = 0;
        if (SSL_write_ex(ssl_, data.data() + sent, data.size() - sent, &written) == 1) {
          sent += written;
          continue;
        }
        if (!wait_tls(SSL_get_error(ssl_, 0))) return timed_out() ? "timeout" : "connect-failed";
        continue;
      }
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<size_t>(n);
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        if (!wait(POLLOUT)) return timed_out() ? "timeout" : "connect-failed";
      } else {
        return "connect-failed";
      }
    }
    return "";
  }

  // Reads up to `size` bytes: the count, 0 when the peer closed, -1 on an error or the deadline.
  ssize_t receive(char* buffer, size_t size) {
    while (true) {
      if (ssl_) {
        size_t got = 0;
        if (SSL_read_ex(ssl_, buffer, size, &got) == 1) return static_cast<ssize_t>(got);
        const int error = SSL_get_error(ssl_, 0);
        if (error == SSL_ERROR_ZERO_RETURN) return 0;
        if (!wait_tls(error)) return -1;
        continue;
      }
      const ssize_t n = ::recv(fd_, buffer, size, 0);
      if (n >= 0) return n;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
      if (!wait(POLLIN)) return -1;
    }
  }

  bool timed_out() const { return Clock::now() >= deadline_; }

 private:
  bool wait(short events) {
    while (true) {
      // Rounded up: a wait that gives up has reached the deadline (timed_out() tells it from an error).
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
      if (left <= 0) return false;
      pollfd entry{fd_, events, 0};
      const int ready = ::poll(&entry, 1, static_cast<int>(std::min<int64_t>(left, 1000)));
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) return false;
    }
  }

  bool wait_tls(int error) {
    if (error == SSL_ERROR_WANT_READ) return wait(POLLIN);
    if (error == SSL_ERROR_WANT_WRITE) return wait(POLLOUT);
    ERR_clear_error();
    return false;
  }

  std::string handshake(const std::string& host) {
    SSL_CTX* context = client_context();
    if (!context || !(ssl_ = SSL_new(context))) return "tls-failed";
    SSL_set_fd(ssl_, fd_);
    in6_addr v6{};
    in_addr v4{};
    const bool literal = inet_pton(AF_INET6, host.c_str(), &v6) == 1 || inet_pton(AF_INET, host.c_str(), &v4) == 1;
    if (literal) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, host.c_str());
      SSL_set1_host(ssl_, host.c_str());
    }
    while (true) {
      if (SSL_connect(ssl_) == 1) return "";
      const int error = SSL_get_error(ssl_, 0);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        ERR_clear_error();
        return "tls-failed";
      }
      if (!wait_tls(error)) return "timeout";
    }
  }

  Clock::time_point deadline_;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

std::string request_head(const WebhookTarget& target, size_t body_size,
                         const std::map<std::string, std::string>& headers) {
  std::string head = "POST " + target.path + " HTTP/1.1\r\nHost: " + target.host_header +
                     "\r\nUser-Agent: xyd-webhooks/1\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body_size) + "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  return head + "\r\n";
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// The final head of an answer (informational 1xx heads skipped), once its bytes are in.
struct AnswerHead {
  int status = 0;         // 0: the head is not complete yet
  bool garbled = false;   // not an HTTP/1.x status line
  size_t body_start = 0;  // where the body begins in the bytes
  int64_t length = -1;    // Content-Length, -1 when absent
  bool chunked = false;
};

AnswerHead read_head(const std::string& bytes) {
  AnswerHead head;
  size_t start = 0;
  while (true) {
    const size_t end = bytes.find("\r\n\r\n", start);
    if (end == std::string::npos) return head;
    const std::string line = bytes.substr(start, bytes.find("\r\n", start) - start);
    if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ' ||
        !std::all_of(line.begin() + 9, line.begin() + 12, [](unsigned char c) { return std::isdigit(c); })) {
      head.garbled = true;
      return head;
    }
    const int status = static_cast<int>(whole_number(line.substr(9, 3), 0, 999).value_or(0));
    if (status >= 100 && status < 200) {
      start = end + 4;
      continue;
    }
    const std::string fields = lower(bytes.substr(start, end - start));
    head.status = status;
    head.body_start = end + 4;
    if (const size_t at = fields.find("\r\ncontent-length:"); at != std::string::npos)
      head.length = std::max<int64_t>(0, std::atoll(fields.c_str() + at + 17));
    head.chunked = fields.find("\r\ntransfer-encoding:") != std::string::npos && head.length < 0;
    return head;
  }
}

// Whether the whole answer is in: by its Content-Length, or its last chunk.
bool complete(const AnswerHead& head, const std::string& bytes) {
  const size_t body = bytes.size() - head.body_start;
  if (head.length >= 0) return body >= static_cast<uint64_t>(head.length);
  return head.chunked && (bytes.ends_with("\r\n0\r\n\r\n") || (body == 5 && bytes.ends_with("0\r\n\r\n")));
}

}  // namespace

WebhookAnswer post_webhook(const WebhookTarget& target, const std::string& body,
                           const std::map<std::string, std::string>& headers, std::chrono::milliseconds timeout,
                           size_t max_answer_bytes) {
  const auto started = Clock::now();
  WebhookAnswer answer;
  auto finish = [&](std::string error) {
    answer.error = std::move(error);
    answer.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    return answer;
  };
  SigpipeGuard no_sigpipe;
  Channel channel(started + timeout);
  if (auto error = channel.connect(target); !error.empty()) return finish(error);
  if (auto error = channel.send_all(request_head(target, body.size(), headers) + body); !error.empty())
    return finish(error);

  std::string bytes;
  AnswerHead head;
  size_t scanned = 0;
  char buffer[16384];
  while (true) {
    // One byte past the limit tells a larger answer from one of exactly the limit.
    const ssize_t n = channel.receive(buffer, std::min(sizeof buffer, max_answer_bytes + 1 - bytes.size()));
    if (n > 0) bytes.append(buffer, static_cast<size_t>(n));
    // The head is looked at again only when a new blank line may have arrived.
    if (!head.status && bytes.find("\r\n\r\n", scanned < 3 ? 0 : scanned - 3) != std::string::npos)
      head = read_head(bytes.substr(0, std::min(bytes.size(), max_answer_bytes)));
    scanned = bytes.size();
    answer.status = head.status;
    if (head.garbled) return finish("bad-answer");
    if (bytes.size() > max_answer_bytes) return finish("too-large");  // cut off: the socket closes unread
    if (head.status && complete(head, bytes)) return finish("");
    if (n <= 0) {
      if (head.status) return finish("");  // the status is in; the rest of the body does not matter
      return finish(n < 0 && channel.timed_out() ? "timeout" : "bad-answer");
    }
  }
}

}  // namespace xyd::connectors

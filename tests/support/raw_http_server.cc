#include "tests/support/raw_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

namespace xyd::test {
namespace {

// Waits up to `ms` for `fd` to be readable (or closed by the peer).
bool readable(int fd, int ms) {
  pollfd entry{fd, POLLIN, 0};
  return ::poll(&entry, 1, ms) > 0;
}

}  // namespace

int bind_loopback(int fd) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("cannot bind a loopback port");
  return ntohs(address.sin_port);
}

RawHttpServer::RawHttpServer() {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  port_ = bind_loopback(listener_);
  if (::listen(listener_, 16) != 0)
    throw std::runtime_error("RawHttpServer: cannot listen on port " + std::to_string(port_));
  acceptor_ = std::thread([this] { accept_loop(); });
}

int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int port = bind_loopback(fd);
  ::close(fd);
  return port;
}

RawHttpServer::~RawHttpServer() {
  stopping_ = true;
  acceptor_.join();
  ::close(listener_);
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& worker : workers) worker.join();
}

std::string RawHttpServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

int RawHttpServer::requests(const std::string& path) const {
  std::lock_guard lock(mutex_);
  auto found = requests_.find(path);
  return found == requests_.end() ? 0 : found->second;
}

std::string RawHttpServer::last_request() const {
  std::lock_guard lock(mutex_);
  return last_request_;
}

void RawHttpServer::accept_loop() {
  while (!stopping_) {
    if (!readable(listener_, 100)) continue;
    const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mutex_);
    workers_.emplace_back([this, fd] {
      serve(fd);
      ::close(fd);
    });
  }
}

void RawHttpServer::serve(int fd) {
  // The request: its head, then Content-Length bytes of body (bounded, and within 10 s).
  std::string request;
  char buffer[65536];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  size_t head_end = std::string::npos, wanted = 0;
  while (std::chrono::steady_clock::now() < deadline && request.size() < (1 << 20)) {
    if (head_end != std::string::npos && request.size() >= head_end + 4 + wanted) break;
    if (!readable(fd, 100)) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    request.append(buffer, static_cast<size_t>(n));
    if (head_end == std::string::npos && (head_end = request.find("\r\n\r\n")) != std::string::npos) {
      const size_t at = request.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) wanted = std::strtoul(request.c_str() + at + 16, nullptr, 10);
    }
  }
  const size_t space = request.find(' ');
  const std::string path =
      space == std::string::npos ? "" : request.substr(space + 1, request.find(' ', space + 1) - space - 1);
  {
    std::lock_guard lock(mutex_);
    ++requests_[path];
    last_request_ = request;
  }
  if (path == "/silent") {  // never answers: waits until the client closes or 30 s pass
    for (int i = 0; i < 300 && !stopping_; ++i)
      if (readable(fd, 100) && ::recv(fd, buffer, sizeof buffer, 0) <= 0) return;
    return;
  }
  if (path == "/huge") {  // 400 MB, sent until the client stops reading (blocked 5 s) or closes
    const std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(kHugeBody) + "\r\n\r\n";
    int64_t sent = ::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    std::fill(std::begin(buffer), std::end(buffer), 'x');
    while (sent < kHugeBody + static_cast<int64_t>(head.size()) && !stopping_) {
      pollfd entry{fd, POLLOUT, 0};
      if (::poll(&entry, 1, 5000) <= 0 || (entry.revents & (POLLERR | POLLHUP))) break;
      const ssize_t n = ::send(fd, buffer, sizeof buffer, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n <= 0 && errno != EAGAIN) break;
      if (n > 0) sent += n;
      if (huge_sent_ < sent) huge_sent_ = sent;
    }
    return;
  }
  std::string status = path.starts_with("/status/") ? path.substr(8, 3) : "404";
  const std::string answer = "HTTP/1.1 " + status + " Whatever\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
}

}  // namespace xyd::test

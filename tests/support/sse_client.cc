#include "tests/support/sse_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

namespace xyd::test {
namespace {

// Reads until "\r\n\r\n"; returns the head, leaves the rest in `rest`.
bool read_head(int fd, std::string& head, std::string& rest) {
  std::string buffer;
  char chunk[4096];
  while (buffer.find("\r\n\r\n") == std::string::npos) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<size_t>(n));
  }
  const size_t end = buffer.find("\r\n\r\n");
  head = buffer.substr(0, end);
  rest = buffer.substr(end + 4);
  return true;
}

}  // namespace

SseClient::SseClient(int port, const std::string& path, const std::map<std::string, std::string>& headers) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return;
  timeval timeout{10, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return;
  std::string head, rest;
  if (!read_head(fd_, head, rest)) return;
  if (head.size() > 12) status_ = std::atoi(head.substr(9, 3).c_str());
  for (size_t at = head.find("\r\n"); at != std::string::npos; at = head.find("\r\n", at + 2)) {
    std::string line = head.substr(at + 2, head.find("\r\n", at + 2) - at - 2);
    std::string lower;
    for (char c : line) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.starts_with("content-type:")) content_type_ = lower.substr(13);
    while (!content_type_.empty() && content_type_[0] == ' ') content_type_.erase(0, 1);
  }
  pending_ = rest;  // raw (chunked) body bytes
  reader_ = std::thread([this] {
    read_loop();
    std::lock_guard lock(mutex_);
    ended_ = true;
    changed_.notify_all();
  });
}

SseClient::~SseClient() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  if (reader_.joinable()) reader_.join();
  if (fd_ >= 0) ::close(fd_);
}

void SseClient::read_loop() {
  std::string raw = std::move(pending_), body;
  pending_.clear();
  char chunk[8192];
  while (true) {
    // Decode every complete chunk in `raw`.
    while (true) {
      const size_t line_end = raw.find("\r\n");
      if (line_end == std::string::npos) break;
      const size_t size = std::strtoul(raw.substr(0, line_end).c_str(), nullptr, 16);
      if (raw.size() < line_end + 2 + size + 2) break;
      if (size == 0) return;  // the body ended
      body.append(raw, line_end + 2, size);
      raw.erase(0, line_end + 2 + size + 2);
    }
    if (!body.empty()) {
      parse(body);
      body.clear();
    }
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      return;
    }
    raw.append(chunk, static_cast<size_t>(n));
  }
}

void SseClient::parse(const std::string& text) {
  pending_ += text;
  size_t end;
  while ((end = pending_.find("\n\n")) != std::string::npos) {
    const std::string block = pending_.substr(0, end);
    pending_.erase(0, end + 2);
    SseEvent event;
    bool any = false, comment = false;
    size_t at = 0;
    while (at <= block.size()) {
      size_t line_end = block.find('\n', at);
      if (line_end == std::string::npos) line_end = block.size();
      const std::string line = block.substr(at, line_end - at);
      at = line_end + 1;
      if (line.starts_with(":"))
        comment = true;
      else if (line.starts_with("id: "))
        event.id = line.substr(4), any = true;
      else if (line.starts_with("event: "))
        event.event = line.substr(7), any = true;
      else if (line.starts_with("data: "))
        event.data += line.substr(6), any = true;
    }
    event.received = std::chrono::steady_clock::now();
    std::lock_guard lock(mutex_);
    if (comment) ++comments_;
    if (any && !event.data.empty()) events_.push_back(std::move(event));
    changed_.notify_all();
  }
}

std::unique_ptr<SseEvent> SseClient::wait_for(const std::function<bool(const SseEvent&)>& match,
                                              std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::unique_ptr<SseEvent> found;
  changed_.wait_for(lock, timeout, [&] {
    for (const auto& e : events_)
      if (match(e)) {
        found = std::make_unique<SseEvent>(e);
        return true;
      }
    return false;
  });
  return found;
}

void SseClient::wait_count(size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return events_.size() >= count; });
}

std::vector<SseEvent> SseClient::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

bool SseClient::wait_ended(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return ended_; });
}

size_t SseClient::comments() const {
  std::lock_guard lock(mutex_);
  return comments_;
}

}  // namespace xyd::test

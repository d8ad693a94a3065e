#include "tests/support/raw_http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

namespace xyd::test {
namespace {

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trimmed(const std::string& text) {
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t") - begin + 1);
}

}  // namespace

std::string RawReply::header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

RawReply exchange(int port, const std::string& method, const std::string& target,
                  const std::vector<std::pair<std::string, std::string>>& headers,
                  const std::optional<std::string>& body) {
  RawReply reply;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return reply;
  timeval timeout{20, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return reply;
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  if (body) request += "Content-Length: " + std::to_string(body->size()) + "\r\n";
  request += "\r\n";
  if (body) request += *body;
  for (size_t sent = 0; sent < request.size();) {  // a server may answer (413) before reading it all
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string in;
  char buffer[65536];
  size_t header_end = std::string::npos, length = std::string::npos;
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    in.append(buffer, static_cast<size_t>(n));
    if (header_end == std::string::npos && (header_end = in.find("\r\n\r\n")) != std::string::npos) {
      const std::string head = in.substr(0, header_end);
      for (size_t line = head.find("\r\n"); line != std::string::npos;) {
        const size_t next = head.find("\r\n", line + 2);
        const std::string text = head.substr(line + 2, (next == std::string::npos ? head.size() : next) - line - 2);
        if (const size_t colon = text.find(':'); colon != std::string::npos)
          reply.headers[lower(trimmed(text.substr(0, colon)))] = trimmed(text.substr(colon + 1));
        line = next;
      }
      reply.content_type = lower(reply.header("content-type"));
      if (reply.content_type.starts_with("text/event-stream")) break;  // a stream: its headers are the answer
      if (method == "HEAD") break;                                     // never a body
      if (auto found = reply.headers.find("content-length"); found != reply.headers.end())
        length = std::strtoull(found->second.c_str(), nullptr, 10);
    }
    if (header_end != std::string::npos && length != std::string::npos && in.size() >= header_end + 4 + length) break;
  }
  if (method == "HEAD" && header_end != std::string::npos) {  // anything that still comes is a body it must not have
    timeval brief{0, 300000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &brief, sizeof brief);
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) in.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  if (in.starts_with("HTTP/1.") && in.size() > 12) reply.status = std::atoi(in.c_str() + 9);
  if (header_end != std::string::npos) reply.body = in.substr(header_end + 4);
  return reply;
}

}  // namespace xyd::test

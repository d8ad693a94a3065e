#include "api/port_reservation.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cpprest/base_uri.h>
#include <cstring>

namespace xyd::api {

Result<std::unique_ptr<PortReservation>> PortReservation::reserve_if_any(const std::string& address) {
  web::uri uri;
  try {
    uri = web::uri(address);
  } catch (const std::exception& e) {
    return make_error(Errc::invalid_argument, "not an address: " + address + " (" + e.what() + ")", "http");
  }
  if (uri.port() != 0) return std::unique_ptr<PortReservation>();
  std::string host = uri.host();
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int failed = getaddrinfo(host.empty() ? nullptr : host.c_str(), "0", &hints, &found); failed != 0)
    return make_error(Errc::invalid_argument, "cannot resolve " + host + ": " + gai_strerror(failed), "http");
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
  const int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return make_error(Errc::unavailable, std::string("socket: ") + std::strerror(errno));
  const int on = 1;
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      bind(fd, found->ai_addr, found->ai_addrlen) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    return make_error(Errc::unavailable, "cannot bind " + host + ":0: " + why);
  }
  const int port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                               : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  // The same address with the port in place of the 0 that ends its authority.
  const size_t authority = address.find("://") + 3;
  const size_t end = std::min(address.find('/', authority), address.size());
  const size_t colon = address.rfind(':', end - 1);
  std::string named = address.substr(0, colon + 1) + std::to_string(port) + address.substr(end);
  return std::unique_ptr<PortReservation>(new PortReservation(fd, port, std::move(named)));
}

PortReservation::~PortReservation() {
  close(fd_);
}

}  // namespace xyd::api

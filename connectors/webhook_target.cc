#include "connectors/webhook_target.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

#include "events/numbers.h"

namespace xyd::connectors {
namespace {

Error bad_url(const std::string& why) {
  return make_error(Errc::invalid_argument, "url must be an absolute http or https URL " + why, "url", "http-url");
}

bool in_v4(uint32_t address, uint32_t network, int bits) {
  const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (address & mask) == (network & mask);
}

constexpr uint32_t v4(int a, int b, int c, int d) {
  return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | uint32_t(d);
}

AddressKind classify_v4(uint32_t a) {  // host byte order
  if (in_v4(a, v4(127, 0, 0, 0), 8)) return AddressKind::loopback;
  static const struct {
    uint32_t network;
    int bits;
  } internal[] = {
      {v4(0, 0, 0, 0), 8},        // "this network", the unspecified address
      {v4(10, 0, 0, 0), 8},       // private (RFC 1918)
      {v4(100, 64, 0, 0), 10},    // carrier-grade NAT
      {v4(169, 254, 0, 0), 16},   // link-local (cloud metadata services)
      {v4(172, 16, 0, 0), 12},    // private
      {v4(192, 0, 0, 0), 24},     // IETF protocol assignments
      {v4(192, 0, 2, 0), 24},     // documentation
      {v4(192, 88, 99, 0), 24},   // 6to4 relay anycast
      {v4(192, 168, 0, 0), 16},   // private
      {v4(198, 18, 0, 0), 15},    // benchmarking
      {v4(198, 51, 100, 0), 24},  // documentation
      {v4(203, 0, 113, 0), 24},   // documentation
      {v4(224, 0, 0, 0), 4},      // multicast
      {v4(240, 0, 0, 0), 4},      // reserved, broadcast
  };
  for (const auto& range : internal)
    if (in_v4(a, range.network, range.bits)) return AddressKind::internal;
  return AddressKind::public_address;
}

uint32_t v4_at(const uint8_t* bytes) {
  return (uint32_t(bytes[0]) << 24) | (uint32_t(bytes[1]) << 16) | (uint32_t(bytes[2]) << 8) | uint32_t(bytes[3]);
}

AddressKind public_or_internal(AddressKind kind) {
  return kind == AddressKind::public_address ? kind : AddressKind::internal;
}

AddressKind classify_v6(const uint8_t* b) {
  static const uint8_t zero[16] = {};
  if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1))
    return b[15] == 1 ? AddressKind::loopback : AddressKind::internal;  // ::1, ::
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, mapped, 12) == 0) return classify_v4(v4_at(b + 12));  // ::ffff:a.b.c.d
  static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  // Translated forms go through a gateway: only a public IPv4 inside makes them public (never loopback).
  if (std::memcmp(b, nat64, 12) == 0) return public_or_internal(classify_v4(v4_at(b + 12)));  // 64:ff9b::a.b.c.d
  if (b[0] == 0x20 && b[1] == 0x02) return public_or_internal(classify_v4(v4_at(b + 2)));     // 6to4 2002:a.b.c.d::
  if ((b[0] & 0xe0) != 0x20)
    return AddressKind::internal;  // outside global unicast 2000::/3: fc00::/7,
                                   // fe80::/10, ff00::/8, ::/96 compatible, ...
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return AddressKind::internal;  // documentation
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) return AddressKind::internal;        // Teredo
  return AddressKind::public_address;
}

bool allowed(AddressKind kind, bool allow_loopback) {
  return kind == AddressKind::public_address || (allow_loopback && kind == AddressKind::loopback);
}

bool host_character(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

}  // namespace

AddressKind classify_address(const sockaddr* address) {
  if (!address) return AddressKind::internal;
  if (address->sa_family == AF_INET)
    return classify_v4(ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr));
  if (address->sa_family == AF_INET6)
    return classify_v6(reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr.s6_addr);
  return AddressKind::internal;
}

AddressKind classify_address_text(const std::string& text) {
  sockaddr_storage storage{};
  auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, text.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
  } else if (inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
  } else {
    return AddressKind::internal;
  }
  return classify_address(reinterpret_cast<const sockaddr*>(&storage));
}

Result<WebhookTarget> parse_webhook_url(const std::string& url) {
  if (url.size() > 2048) return bad_url("of at most 2048 characters");
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return bad_url("without spaces, control or non-ASCII characters");
  WebhookTarget target;
  std::string lower = url.substr(0, 8);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  size_t start = 0;
  if (lower.starts_with("https://")) {
    target.tls = true;
    start = 8;
  } else if (lower.starts_with("http://")) {
    start = 7;
  } else {
    return bad_url("(http:// or https://)");
  }
  const size_t authority_end = url.find_first_of("/?#", start);
  const std::string authority =
      url.substr(start, authority_end == std::string::npos ? std::string::npos : authority_end - start);
  if (authority.find('@') != std::string::npos) return bad_url("without user name or password");
  std::string port;
  bool has_port = false;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return bad_url("(an IPv6 host in brackets)");
    target.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad_url("(a port after the IPv6 host)");
      port = authority.substr(close + 2);
      has_port = true;
    }
    in6_addr ignored{};
    if (inet_pton(AF_INET6, target.host.c_str(), &ignored) != 1) return bad_url("(an IPv6 host in brackets)");
  } else {
    const size_t colon = authority.rfind(':');
    target.host = authority.substr(0, colon);
    has_port = colon != std::string::npos;
    if (has_port) port = authority.substr(colon + 1);
    if (target.host.empty() || !std::all_of(target.host.begin(), target.host.end(), host_character))
      return bad_url("with a host name or address");
  }
  const auto port_number = port.size() <= 5 ? whole_number(port, 1, 65535) : std::nullopt;
  if (has_port && !port_number) return bad_url("(a port of 1 to 65535)");
  target.host_header = authority;
  target.port = static_cast<uint16_t>(has_port ? *port_number : (target.tls ? 443 : 80));
  std::string rest = authority_end == std::string::npos ? "" : url.substr(authority_end);
  rest = rest.substr(0, rest.find('#'));
  target.path = rest.empty() || rest.front() != '/' ? "/" + rest : rest;
  return target;
}

Result<WebhookTarget> resolve_webhook_target(const std::string& url, bool allow_loopback) {
  XYD_ASSIGN_OR_RETURN(WebhookTarget target, parse_webhook_url(url));
  const uint16_t port = htons(target.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(target.host.c_str(), nullptr, &hints, &found) != 0 || !found)
    return make_error(Errc::invalid_argument, "url names a host that does not resolve", "url", "resolvable");
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(found, freeaddrinfo);
  for (const addrinfo* at = found; at; at = at->ai_next) {
    if (at->ai_family != AF_INET && at->ai_family != AF_INET6) continue;
    if (!allowed(classify_address(at->ai_addr), allow_loopback))
      return make_error(Errc::invalid_argument,
                        "url must reach a public address: loopback, private, link-local, shared, multicast and "
                        "reserved addresses are refused",
                        "url", "public-address");
    sockaddr_storage address{};
    std::memcpy(&address, at->ai_addr, std::min<size_t>(at->ai_addrlen, sizeof address));
    if (at->ai_family == AF_INET)
      reinterpret_cast<sockaddr_in*>(&address)->sin_port = port;
    else
      reinterpret_cast<sockaddr_in6*>(&address)->sin6_port = port;
    target.addresses.push_back(address);
  }
  if (target.addresses.empty())
    return make_error(Errc::invalid_argument, "url names a host that does not resolve", "url", "resolvable");
  return target;
}

}  // namespace xyd::connectors

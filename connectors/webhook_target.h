// Where a webhook may go: the URL of a subscription split into what a POST needs, its host
// resolved once, and every address checked against the public-address policy (no loopback,
// private, link-local, CGNAT, multicast, unspecified or reserved address, nor an IPv4-mapped or
// NAT64 form of one). The POST connects to the checked address, never to a fresh resolution, so
// a name that resolves elsewhere later cannot turn a checked URL into an internal one. Any thread
// (getaddrinfo blocks the caller).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <string>
#include <vector>

#include "events/result.h"

namespace xyd::connectors {

// What an address is, for the policy. Only `public_address` is reachable, and `loopback` when the
// server runs with --webhooks-allow-loopback.
enum class AddressKind { public_address, loopback, internal };

AddressKind classify_address(const sockaddr* address);
// The same for an address in text form ("10.0.0.1", "::ffff:127.0.0.1"); internal when it does not parse.
AddressKind classify_address_text(const std::string& text);

struct WebhookTarget {
  bool tls = false;
  std::string host;                         // as in the URL, brackets removed ("bank.example", "2001:db8::1")
  std::string host_header;                  // host[:port] as the Host header carries it
  uint16_t port = 0;                        // as in the URL, or 80 / 443
  std::string path;                         // path and query, at least "/"
  std::vector<sockaddr_storage> addresses;  // resolved and checked, in resolver order
};

// The parts of an absolute http(s) URL without user info (addresses left empty); an
// invalid_argument naming `url` with rule `http-url` otherwise. Nothing is resolved.
Result<WebhookTarget> parse_webhook_url(const std::string& url);

// parse_webhook_url, then the host resolved and every address checked: a name that does not
// resolve is refused with rule `resolvable`, one with any non-public address with rule
// `public-address` (both invalid_argument naming `url`; the message names neither address nor port).
Result<WebhookTarget> resolve_webhook_target(const std::string& url, bool allow_loopback);

}  // namespace xyd::connectors

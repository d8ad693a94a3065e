// How a request's credentials become a Principal: a session token (`Authorization: Bearer
// xyds_...`: the session must be live, its account active in the reference view and its password
// unchanged since login, so disabling an account or changing its password ends its sessions at
// once), a connector's machine key (`Authorization: ApiKey xydk_...` or `X-Api-Key`), or the local
// operator's token (`Authorization: Bearer <data>/operator-token`). Also who the client is
// behind trusted proxies (`X-Forwarded-For`). Stateless; any request thread.
#pragma once

#include "api/router.h"
#include "api/services.h"

namespace xyd::api {

Authenticator make_authenticator(ApiServices& services);

// Refuses (invalid_argument naming "trusted-proxies", rule "ip-or-cidr") an entry of a
// comma-separated list that is not an IPv4 or IPv6 address or CIDR block; the entries otherwise.
Result<std::vector<std::string>> parse_trusted_proxies(const std::string& list);
// The client's address: the connection's peer, unless the peer is one of the trusted proxies;
// then the right-most address of X-Forwarded-For that is not a trusted proxy (the left-most one
// when all are; the peer when the header is missing or its last hop is not an address). So a
// client can prepend what it likes to the header but never choose the address it is counted as.
std::string client_address(const Request& request, const std::vector<std::string>& trusted_proxies);
// Whether `address` (an IP, with or without a port) lies in one of `blocks` (addresses or CIDR
// blocks as parse_trusted_proxies accepts them).
bool address_in_blocks(const std::string& address, const std::vector<std::string>& blocks);
// The same with the server's --trusted-proxies.
std::string client_address(const ApiServices& services, const Request& request);

// A fresh random operator token, written to `path` (mode 0600) for local tools to read.
Result<std::string> write_operator_token(const std::string& path);
// The operator token a running server wrote to `path`; not_found when there is none.
Result<std::string> read_operator_token(const std::string& path);

}  // namespace xyd::api

#include "api/authenticator.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "events/json_input.h"
#include "events/numbers.h"
#include "events/rocks/private_files.h"

namespace xyd::api {
namespace {

Error unauthenticated(const std::string& message, const std::string& rule) {
  return make_error(Errc::unauthenticated, message, "authorization", rule);
}

bool same_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<Principal> session_principal(ApiServices& services, const std::string& token) {
  XYD_ASSIGN_OR_RETURN(identity::Session session, services.credentials.find_session(token, services.now_ms()));
  XYD_ASSIGN_OR_RETURN(auto account, services.state.get("account", session.account));
  if (!account) return unauthenticated("the session's account is unknown", "account-exists");
  const auto& data = account->data;
  const std::string status = events::string_or(data, "status");
  if (status != "active")
    return unauthenticated("the account is " + status + ": its sessions no longer work", "account-active");
  if (events::string_or(data, "credential_ref") != session.credential_ref)
    return unauthenticated("the password changed after this login: log in again", "token-revoked");
  Principal p;
  p.actor = {session.account, events::string_or(data, "kind"), events::string_or(data, "institution"),
             events::string_or(data, "region")};
  p.kind = "session";
  p.session_id = session.id;
  p.credential = session.credential_ref;
  p.restricted = session.restricted;
  return p;
}

Result<Principal> key_principal(ApiServices& services, const std::string& key) {
  XYD_ASSIGN_OR_RETURN(identity::MachineKey found, services.credentials.find_machine_key(key, services.now_ms()));
  if (!found.institution.empty()) {
    XYD_ASSIGN_OR_RETURN(auto institution, services.state.get("institution", found.institution));
    const std::string status = institution ? events::string_or(institution->data, "status", "active") : "active";
    if (status != "active")
      return unauthenticated("institution " + found.institution + " is " + status + ": its keys do not work",
                             "institution-active");
  }
  Principal p;
  p.actor = {"key:" + found.key_id, found.role, found.institution, ""};
  p.kind = "machine_key";
  p.credential = found.key_id;
  return p;
}

// An IP address as 16 bytes (IPv4 as ::ffff:a.b.c.d, so both families compare alike).
using Ip = std::array<unsigned char, 16>;

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t"), last = text.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

std::optional<Ip> parse_ip(std::string text) {
  if (text.size() > 2 && text.front() == '[') {  // [v6] or [v6]:port
    auto close = text.find(']');
    if (close == std::string::npos) return std::nullopt;
    text = text.substr(1, close - 1);
  } else if (std::count(text.begin(), text.end(), ':') == 1) {  // v4:port
    text = text.substr(0, text.find(':'));
  }
  Ip ip{};
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    ip[10] = ip[11] = 0xff;
    std::memcpy(ip.data() + 12, &v4, 4);
    return ip;
  }
  if (inet_pton(AF_INET6, text.c_str(), ip.data()) == 1) return ip;
  return std::nullopt;
}

bool is_v4(const Ip& ip) {
  static const unsigned char prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(ip.data(), prefix, 12) == 0;
}

// A trusted-proxy entry: an address (a block of its full length) or "address/bits".
struct Block {
  Ip ip;
  int bits = 128;
};

std::optional<Block> parse_block(const std::string& entry) {
  const auto slash = entry.find('/');
  auto ip = parse_ip(entry.substr(0, slash));
  if (!ip) return std::nullopt;
  Block block{*ip, 128};
  if (slash != std::string::npos) {
    const std::string bits = entry.substr(slash + 1);
    const int most = is_v4(*ip) ? 32 : 128;
    const auto n = bits.size() <= 3 ? whole_number(bits, 0, most) : std::nullopt;
    if (!n) return std::nullopt;
    block.bits = static_cast<int>(*n) + 128 - most;
  }
  return block;
}

bool contains(const Block& block, const Ip& ip) {
  for (int i = 0; i < block.bits; ++i) {
    const unsigned char mask = static_cast<unsigned char>(0x80 >> (i % 8));
    if ((block.ip[i / 8] & mask) != (ip[i / 8] & mask)) return false;
  }
  return true;
}

bool trusted(const std::vector<std::string>& proxies, const Ip& ip) {
  for (const auto& entry : proxies)
    if (auto block = parse_block(entry); block && contains(*block, ip)) return true;
  return false;
}

}  // namespace

Result<std::vector<std::string>> parse_trusted_proxies(const std::string& list) {
  std::vector<std::string> entries;
  size_t start = 0;
  while (start <= list.size()) {
    const auto comma = list.find(',', start);
    const std::string entry = trim(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!entry.empty()) {
      if (!parse_block(entry))
        return make_error(Errc::invalid_argument,
                          "--trusted-proxies: '" + entry + "' is not an IP address or a CIDR block (10.0.0.0/8)",
                          "trusted-proxies", "ip-or-cidr");
      entries.push_back(entry);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return entries;
}

std::string client_address(const Request& request, const std::vector<std::string>& trusted_proxies) {
  const std::string& peer = request.client_address;
  auto peer_ip = parse_ip(peer);
  if (trusted_proxies.empty() || !peer_ip || !trusted(trusted_proxies, *peer_ip)) return peer;
  const std::string forwarded = request.header("x-forwarded-for");
  std::vector<std::string> hops;
  size_t start = 0;
  while (start <= forwarded.size()) {
    const auto comma = forwarded.find(',', start);
    hops.push_back(trim(forwarded.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::string client = peer;
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    auto ip = parse_ip(*hop);
    if (!ip) break;  // not an address: the hop after it (already in `client`) is the best known
    client = *hop;
    if (!trusted(trusted_proxies, *ip)) break;
  }
  return client;
}

bool address_in_blocks(const std::string& address, const std::vector<std::string>& blocks) {
  auto ip = parse_ip(address);
  return ip && trusted(blocks, *ip);
}

std::string client_address(const ApiServices& services, const Request& request) {
  return client_address(request, services.trusted_proxies);
}

Authenticator make_authenticator(ApiServices& services) {
  return [&services](const Request& request) -> Result<Principal> {
    const std::string header = request.header("authorization");
    if (header.empty() && !request.header("x-api-key").empty())
      return key_principal(services, request.header("x-api-key"));
    if (header.empty())
      return unauthenticated("log in (POST /api/v1/sessions) and send Authorization: Bearer <token>", "authenticated");
    auto space = header.find(' ');
    const std::string scheme = header.substr(0, space),
                      value = space == std::string::npos ? "" : header.substr(space + 1);
    if (scheme == "ApiKey") return key_principal(services, value);
    if (scheme != "Bearer" || value.empty())
      return unauthenticated("Authorization must be 'Bearer <token>' or 'ApiKey <key>'", "authorization-scheme");
    if (!services.operator_token.empty() && same_secret(value, services.operator_token)) {
      Principal p;
      p.actor = {"operator", "system", "", ""};
      p.kind = "operator";
      return p;
    }
    return session_principal(services, value);
  };
}

Result<std::string> write_operator_token(const std::string& path) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  const std::string token = std::string("xydo_") + hex;
  const std::string temporary = path + ".tmp";
  std::remove(temporary.c_str());
  if (!log::create_private_file(temporary).ok())  // 0600 from the moment it exists
    return make_error(Errc::unavailable, "cannot write the operator token to " + temporary);
  {
    std::ofstream out(temporary, std::ios::trunc);
    if (!out) return make_error(Errc::unavailable, "cannot write the operator token to " + temporary);
    out << token << "\n";
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return make_error(Errc::unavailable, "cannot move the operator token into " + path);
  return token;
}

Result<std::string> read_operator_token(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token) || token.empty())
    return make_error(Errc::not_found, "no operator token at " + path + ": is xyd serve running on this data folder?",
                      "operator-token", "exists");
  return token;
}

}  // namespace xyd::api

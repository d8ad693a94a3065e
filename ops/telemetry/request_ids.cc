#include "ops/telemetry/request_ids.h"

#include <random>

namespace xyd::telemetry {
namespace {

bool lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool all_zero(std::string_view s) {
  return s.find_first_not_of('0') == std::string_view::npos;
}

}  // namespace

std::string TraceParent::to_string() const {
  return "00-" + trace_id + "-" + parent_id + "-" + flags;
}

std::optional<TraceParent> parse_traceparent(std::string_view header) {
  // version "-" trace-id "-" parent-id "-" flags: 2 + 1 + 32 + 1 + 16 + 1 + 2 = 55 characters.
  if (header.size() < 55 || header.size() > 512) return std::nullopt;
  const std::string_view version = header.substr(0, 2);
  if (!lower_hex(version) || version == "ff") return std::nullopt;
  if (header.size() > 55 && (version == "00" || header[55] != '-')) return std::nullopt;
  if (header[2] != '-' || header[35] != '-' || header[52] != '-') return std::nullopt;
  TraceParent parsed{std::string(header.substr(3, 32)), std::string(header.substr(36, 16)),
                     std::string(header.substr(53, 2))};
  if (!lower_hex(parsed.trace_id) || !lower_hex(parsed.parent_id) || !lower_hex(parsed.flags)) return std::nullopt;
  if (all_zero(parsed.trace_id) || all_zero(parsed.parent_id)) return std::nullopt;
  return parsed;
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-' || c == '@' || c == '/' || c == '+' || c == '=';
    if (!ok) return false;
  }
  return true;
}

std::string random_hex(size_t hex_digits) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  do {
    out.clear();
    for (size_t i = 0; i < hex_digits; ++i) out += kDigits[random() & 0xf];
  } while (all_zero(out));
  return out;
}

RequestIds request_ids(std::string_view x_request_id, std::string_view traceparent) {
  RequestIds ids;
  const auto trace = parse_traceparent(traceparent);
  if (valid_request_id(x_request_id)) {
    ids.request_id = std::string(x_request_id);
  } else if (trace) {
    ids.request_id = trace->trace_id;
  } else {
    ids.request_id = random_hex(32);
    ids.request_id_generated = true;
  }
  TraceParent answered;
  answered.trace_id = trace ? trace->trace_id : (ids.request_id_generated ? ids.request_id : random_hex(32));
  answered.parent_id = random_hex(16);
  answered.flags = trace ? trace->flags : "00";
  ids.traceparent = answered.to_string();
  return ids;
}

}  // namespace xyd::telemetry

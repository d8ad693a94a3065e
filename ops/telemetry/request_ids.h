// Request ids: what names one HTTP request in the access log, in its response and in the
// correlation id of the commands it submits. A caller's `X-Request-Id` and W3C `traceparent` are
// taken when well-formed (length and charset checked) and replaced by fresh ones otherwise: they are
// untrusted input that ends up in logs and in the event log. Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace xyd::telemetry {

// A W3C trace context (https://www.w3.org/TR/trace-context/#traceparent-header).
struct TraceParent {
  std::string trace_id;           // 32 lower-case hex digits, not all zero
  std::string parent_id;          // 16 lower-case hex digits, not all zero
  std::string flags;              // 2 lower-case hex digits
  std::string to_string() const;  // "00-<trace_id>-<parent_id>-<flags>"
};

// A `traceparent` header of version 00 (or a later version's first 55 characters followed by
// "-..." as the specification allows); nullopt when malformed.
std::optional<TraceParent> parse_traceparent(std::string_view header);

// Whether `id` can be used as a request id: 1 to 128 characters of [A-Za-z0-9._:@/+=-].
bool valid_request_id(std::string_view id);

// The ids of one request: the caller's when valid, generated otherwise. The request id is the
// caller's X-Request-Id, else the trace id of its traceparent, else a fresh 32-hex-digit id; the
// traceparent answered keeps the caller's trace id (or the request id when it was generated) with
// a fresh parent id for this server's span.
struct RequestIds {
  std::string request_id;
  std::string traceparent;
  bool request_id_generated = false;
};
RequestIds request_ids(std::string_view x_request_id, std::string_view traceparent);

// `hex_digits` random lower-case hex digits (not all zero).
std::string random_hex(size_t hex_digits);

}  // namespace xyd::telemetry

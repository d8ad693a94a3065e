// The HTTP semantics every answer gets in one place, after its handler: `Date`, `Cache-Control`
// (no-store on writes and errors, private on authenticated reads), `Retry-After` on 429 and 503, a
// weak `ETag` on 200 GETs and 304 for a matching `If-None-Match`, gzip when the client takes it and
// the body is worth it (with `Vary: Accept-Encoding`), and HEAD answered as GET without the body.
// Pure: the caller sends the result. Any request thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "api/router.h"
#include "events/result.h"

namespace xyd::api {

// An answer ready for the wire: headers final, the body as bytes (or a stream).
struct WireResponse {
  int status = 200;
  std::map<std::string, std::string> headers;  // Content-Type among them when there is a body
  std::string body;                            // what a GET sends; empty when there is none
  std::function<void(BodyWriter&)> stream;     // instead of body (exports, SSE): never compressed
  bool head = false;                           // HEAD: send the headers only (body tells the length)
};

struct FinalizeSettings {
  size_t gzip_min_bytes = 1024;  // smaller bodies go out as they are
  int retry_after_429_s = 60;    // when the handler did not say
  int retry_after_503_s = 5;
};

// The answer `response` to `request` as it goes on the wire, at time `now`.
WireResponse finalize_response(const Request& request, Response response, std::chrono::system_clock::time_point now,
                               const FinalizeSettings& settings = {});

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110 §5.6.7 IMF-fixdate).
std::string imf_fixdate(std::chrono::system_clock::time_point time);
// Whether an If-None-Match header (a list of entity tags, or *) matches `etag` (weak comparison).
bool etag_matches(std::string_view if_none_match, std::string_view etag);
// The gzip (RFC 1952) encoding of `bytes`, by zlib.
Result<std::string> gzip_encode(std::string_view bytes);

}  // namespace xyd::api

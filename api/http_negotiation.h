// Content negotiation (RFC 9110 §12): which of the media types a route offers the client's
// `Accept` prefers (q-values, q=0, wildcards, the most specific range deciding), and whether its
// `Accept-Encoding` takes gzip. Pure functions of header text; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xyd::api {

// The index of the offered media type ("text/csv; charset=utf-8") the Accept header prefers:
// highest q first, the server's order among equals; nullopt when it accepts none of them. An
// absent or empty header accepts the first offer. Malformed ranges are ignored.
std::optional<size_t> negotiate_media_type(std::string_view accept, const std::vector<std::string>& offers);

// Whether an Accept-Encoding header allows gzip (gzip, x-gzip or `*` with q > 0). An absent header
// means identity only here: a client that wants gzip says so.
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace xyd::api

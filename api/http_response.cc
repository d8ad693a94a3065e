#include "api/http_response.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <vector>

#include "api/http_negotiation.h"
#include "api/http_pagination.h"
#include "events/envelope.h"

namespace xyd::api {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The value of a header whatever the case its handler wrote the name in; nullptr when absent.
std::string* header_of(std::map<std::string, std::string>& headers, std::string_view name) {
  for (auto& [key, value] : headers)
    if (same_name(key, name)) return &value;
  return nullptr;
}

void set_default(std::map<std::string, std::string>& headers, const std::string& name, const std::string& value) {
  if (!header_of(headers, name)) headers[name] = value;
}

// Adds a field name to Vary unless it is there already.
void add_vary(std::map<std::string, std::string>& headers, const std::string& field) {
  std::string* vary = header_of(headers, "Vary");
  if (!vary) {
    headers["Vary"] = field;
    return;
  }
  size_t start = 0;
  while (start <= vary->size()) {
    size_t comma = vary->find(',', start);
    if (comma == std::string::npos) comma = vary->size();
    std::string_view item(vary->data() + start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (same_name(item, field) || item == "*") return;
    start = comma + 1;
  }
  *vary += ", " + field;
}

std::string opaque_tag(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return std::string(tag);
}

}  // namespace

std::string imf_fixdate(std::chrono::system_clock::time_point time) {
  static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[utc.tm_wday % 7], utc.tm_mday,
                months[utc.tm_mon % 12], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return text;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  const std::string wanted = opaque_tag(etag);
  size_t start = 0;
  while (start < if_none_match.size()) {
    size_t comma = if_none_match.find(',', start);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    std::string_view item = if_none_match.substr(start, comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item == "*" || (!item.empty() && opaque_tag(item) == wanted)) return true;
    start = comma + 1;
  }
  return false;
}

Result<std::string> gzip_encode(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return make_error(Errc::fatal, "zlib: deflateInit2 failed");
  std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int done = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (done != Z_STREAM_END) return make_error(Errc::fatal, "zlib: deflate did not finish");
  return out;
}

WireResponse finalize_response(const Request& request, Response response, std::chrono::system_clock::time_point now,
                               const FinalizeSettings& settings) {
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (read && response.status == 200 && !response.stream) link_next_page(request, response);
  WireResponse wire;
  wire.status = response.status;
  wire.headers = std::move(response.headers);
  wire.head = request.method == "HEAD";
  auto& headers = wire.headers;

  headers["Date"] = imf_fixdate(now);
  if (wire.status == 429) set_default(headers, "Retry-After", std::to_string(settings.retry_after_429_s));
  if (wire.status == 503) set_default(headers, "Retry-After", std::to_string(settings.retry_after_503_s));
  if (wire.status >= 400 || !read)
    set_default(headers, "Cache-Control", "no-store");
  else if (request.principal)
    set_default(headers, "Cache-Control", "private, no-cache");
  else
    set_default(headers, "Cache-Control", "no-cache");

  if (response.stream) {  // exports and SSE: headers now, the body as it is produced, never compressed
    headers["Content-Type"] = response.content_type;
    wire.stream = std::move(response.stream);
    return wire;
  }
  if (wire.status == 204 || wire.status == 304) return wire;
  wire.body = response.raw.empty() ? response.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                                   : std::move(response.raw);
  headers["Content-Type"] = response.content_type;

  if (read && wire.status == 200) {
    if (!header_of(headers, "ETag")) headers["ETag"] = "W/\"" + events::sha256_hex(wire.body).substr(0, 32) + "\"";
    if (auto inm = request.header("if-none-match"); !inm.empty() && etag_matches(inm, *header_of(headers, "ETag"))) {
      if (wire.body.size() >= settings.gzip_min_bytes) add_vary(headers, "Accept-Encoding");
      wire.status = 304;
      wire.body.clear();
      headers.erase("Content-Type");
      return wire;
    }
  }
  if (wire.body.size() >= settings.gzip_min_bytes && !header_of(headers, "Content-Encoding")) {
    add_vary(headers, "Accept-Encoding");
    if (accepts_gzip(request.header("accept-encoding"))) {
      if (auto compressed = gzip_encode(wire.body); compressed.ok()) {
        wire.body = std::move(*compressed);
        headers["Content-Encoding"] = "gzip";  // the weak ETag stays: the same content, only encoded
      }
    }
  }
  return wire;
}

}  // namespace xyd::api

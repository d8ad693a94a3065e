// The HTTP semantics of every answer, as pure functions: Accept negotiation with q-values and
// wildcards, Accept-Encoding, If-None-Match, IMF-fixdate, the finalizing step (Date, Cache-Control,
// Retry-After, ETag / 304, gzip and Vary, HEAD), the router's HEAD / 405 / OPTIONS, the one
// pagination style (cursor, next_cursor, Link) and the problem type pages.
#define BOOST_TEST_MODULE http_semantics
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <set>

#include "api/http_negotiation.h"
#include "api/http_pagination.h"
#include "api/http_response.h"
#include "api/problem.h"
#include "api/router.h"
#include "api/table_export.h"

using namespace xyd;
using namespace xyd::api;
using nlohmann::json;

namespace {

const std::vector<std::string> kTable = {"application/json", "text/csv; charset=utf-8", kXlsxMediaType};

std::optional<size_t> pick(const std::string& accept) {
  return negotiate_media_type(accept, kTable);
}

Request get(const std::string& path = "/api/v1/things") {
  Request request;
  request.method = "GET";
  request.path = path;
  return request;
}

std::string gunzip(const std::string& bytes) {
  z_stream z{};
  BOOST_REQUIRE(inflateInit2(&z, 15 + 16) == Z_OK);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  BOOST_REQUIRE(inflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

Response big_json() {
  Response response;
  response.body = {{"items", json::array()}};
  for (int i = 0; i < 200; ++i) response.body["items"].push_back({{"id", "item-" + std::to_string(i)}});
  return response;
}

const auto kNow = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT

}  // namespace

BOOST_AUTO_TEST_CASE(accept_is_negotiated_with_q_values_wildcards_and_specificity) {
  BOOST_TEST(pick("").value() == 0u);  // absent: the first offer
  BOOST_TEST(pick("*/*").value() == 0u);
  BOOST_TEST(pick("text/csv").value() == 1u);
  BOOST_TEST(pick("text/*").value() == 1u);
  BOOST_TEST(pick(std::string(kXlsxMediaType)).value() == 2u);
  BOOST_TEST(pick("application/json;q=0.5, text/csv;q=0.9").value() == 1u);
  BOOST_TEST(pick("application/json;q=1, text/csv;q=1").value() == 0u);  // equal: the server's order
  BOOST_TEST(pick("TEXT/CSV ; Q=0.8").value() == 1u);                    // case-insensitive
  BOOST_TEST(pick("text/csv;charset=utf-8").value() == 1u);
  BOOST_TEST(!pick("text/csv;charset=latin1").has_value());  // a parameter that does not match
  // q=0 excludes, and the most specific range decides: */* allows, application/json;q=0 refuses.
  BOOST_TEST(pick("*/*, application/json;q=0").value() == 1u);
  BOOST_TEST(pick("application/*;q=0, */*;q=0.1").value() == 1u);
  BOOST_TEST(!pick("text/html").has_value());
  BOOST_TEST(!pick("*/*;q=0").has_value());
  BOOST_TEST(!pick("image/png, text/plain;q=0.5").has_value());
  // Malformed ranges are ignored, the rest still counts.
  BOOST_TEST(pick("garbage, text/csv;q=2, text/csv;q=abc, application/json;q=0.1").value() == 0u);
  BOOST_TEST(!negotiate_media_type("application/json", {"text/event-stream"}).has_value());
  BOOST_TEST(negotiate_media_type("text/event-stream", {"text/event-stream"}).value() == 0u);
}

BOOST_AUTO_TEST_CASE(the_export_format_follows_accept_and_refuses_with_406) {
  Request request = get();
  request.headers["accept"] = "application/json;q=0.1, text/csv";
  BOOST_TEST((export_format(request).value() == ExportFormat::csv));
  request.headers["accept"] = "text/html";
  auto refused = export_format(request);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(http_status(refused.error()) == 406);
  BOOST_TEST(problem(refused.error())["type"] == "/problems/not-acceptable");
  request.query["format"] = "xlsx";  // an explicit ?format= wins over Accept
  BOOST_TEST((export_format(request).value() == ExportFormat::xlsx));
}

BOOST_AUTO_TEST_CASE(accept_encoding_takes_gzip_only_when_it_says_so) {
  BOOST_TEST(accepts_gzip("gzip"));
  BOOST_TEST(accepts_gzip("deflate, gzip;q=0.5, br"));
  BOOST_TEST(accepts_gzip("*"));
  BOOST_TEST(accepts_gzip("x-gzip"));
  BOOST_TEST(!accepts_gzip(""));
  BOOST_TEST(!accepts_gzip("identity"));
  BOOST_TEST(!accepts_gzip("gzip;q=0"));
  BOOST_TEST(!accepts_gzip("*, gzip;q=0"));
  BOOST_TEST(!accepts_gzip("*;q=0"));
}

BOOST_AUTO_TEST_CASE(dates_are_imf_fixdate_and_etags_compare_weakly) {
  BOOST_TEST(imf_fixdate(kNow) == "Sun, 06 Nov 1994 08:49:37 GMT");
  BOOST_TEST(etag_matches("W/\"abc\"", "W/\"abc\""));
  BOOST_TEST(etag_matches("\"abc\"", "W/\"abc\""));
  BOOST_TEST(etag_matches("\"x\", W/\"abc\"", "W/\"abc\""));
  BOOST_TEST(etag_matches("*", "W/\"abc\""));
  BOOST_TEST(!etag_matches("W/\"abd\"", "W/\"abc\""));
  BOOST_TEST(!etag_matches("", "W/\"abc\""));
}

BOOST_AUTO_TEST_CASE(every_answer_gets_date_cache_control_and_retry_after) {
  Response ok;
  auto wire = finalize_response(get(), ok, kNow);
  BOOST_TEST(wire.headers["Date"] == "Sun, 06 Nov 1994 08:49:37 GMT");
  BOOST_TEST(wire.headers["Cache-Control"] == "no-cache");  // an anonymous read

  Request authenticated = get();
  authenticated.principal = Principal{};
  BOOST_TEST(finalize_response(authenticated, ok, kNow).headers["Cache-Control"] == "private, no-cache");

  Request write = get();
  write.method = "POST";
  write.principal = Principal{};
  BOOST_TEST(finalize_response(write, ok, kNow).headers["Cache-Control"] == "no-store");  // tokens, keys, codes

  Response busy;
  busy.status = 503;
  auto unavailable = finalize_response(get(), busy, kNow);
  BOOST_TEST(unavailable.headers["Retry-After"] == "5");
  BOOST_TEST(unavailable.headers["Cache-Control"] == "no-store");
  Response limited;
  limited.status = 429;
  limited.headers["Retry-After"] = "899";  // the handler's own figure stays
  BOOST_TEST(finalize_response(get(), limited, kNow).headers["Retry-After"] == "899");
  limited.headers.clear();
  BOOST_TEST(!finalize_response(get(), limited, kNow).headers["Retry-After"].empty());
  Response sse;
  sse.headers["Cache-Control"] = "no-cache";
  BOOST_TEST(finalize_response(authenticated, sse, kNow).headers["Cache-Control"] == "no-cache");
}

BOOST_AUTO_TEST_CASE(a_matching_if_none_match_gets_304_without_a_body) {
  Response ok;
  ok.body = {{"id", "a"}, {"version", 3}};
  auto first = finalize_response(get(), ok, kNow);
  const std::string etag = first.headers["ETag"];
  BOOST_TEST(etag.starts_with("W/\""));
  BOOST_TEST(first.body == ok.body.dump());
  BOOST_TEST(finalize_response(get(), ok, kNow).headers["ETag"] == etag);  // stable for the same answer

  Request again = get();
  again.headers["if-none-match"] = etag;
  auto not_modified = finalize_response(again, ok, kNow);
  BOOST_TEST(not_modified.status == 304);
  BOOST_TEST(not_modified.body.empty());
  BOOST_TEST(not_modified.headers["ETag"] == etag);
  BOOST_TEST(!not_modified.headers.contains("Content-Type"));

  Response changed = ok;
  changed.body["version"] = 4;
  auto fresh = finalize_response(again, changed, kNow);
  BOOST_TEST(fresh.status == 200);
  BOOST_TEST(fresh.headers["ETag"] != etag);

  Request post = again;  // no validators on writes
  post.method = "POST";
  auto written = finalize_response(post, ok, kNow);
  BOOST_TEST(written.status == 200);
  BOOST_TEST(!written.headers.contains("ETag"));
}

BOOST_AUTO_TEST_CASE(large_bodies_are_gzipped_when_asked_and_small_ones_never) {
  const Response big = big_json();
  const std::string plain = big.body.dump();
  BOOST_REQUIRE_GT(plain.size(), 1024u);

  auto identity = finalize_response(get(), big, kNow);
  BOOST_TEST(identity.body == plain);
  BOOST_TEST(!identity.headers.contains("Content-Encoding"));
  BOOST_TEST(identity.headers["Vary"] == "Accept-Encoding");

  Request asks = get();
  asks.headers["accept-encoding"] = "gzip, deflate";
  Response negotiated = big;
  negotiated.headers["Vary"] = "Accept";
  auto compressed = finalize_response(asks, negotiated, kNow);
  BOOST_TEST(compressed.headers["Content-Encoding"] == "gzip");
  BOOST_TEST(compressed.headers["Vary"] == "Accept, Accept-Encoding");
  BOOST_TEST(compressed.body.size() < plain.size() / 2);
  BOOST_TEST(gunzip(compressed.body) == plain);

  Response small;
  small.body = {{"status", "ok"}};
  auto tiny = finalize_response(asks, small, kNow);
  BOOST_TEST(!tiny.headers.contains("Content-Encoding"));
  BOOST_TEST(!tiny.headers.contains("Vary"));

  Response stream = big;  // streams (exports, SSE) are never compressed
  stream.stream = [](BodyWriter&) {};
  stream.content_type = "text/event-stream";
  auto streamed = finalize_response(asks, stream, kNow);
  BOOST_TEST(!streamed.headers.contains("Content-Encoding"));
  BOOST_TEST(streamed.headers["Content-Type"] == "text/event-stream");
  BOOST_TEST(static_cast<bool>(streamed.stream));
}

BOOST_AUTO_TEST_CASE(head_has_the_headers_of_get) {
  const Response big = big_json();
  Request head = get();
  head.method = "HEAD";
  head.headers["accept-encoding"] = "gzip";
  Request as_get = head;
  as_get.method = "GET";
  auto h = finalize_response(head, big, kNow);
  auto g = finalize_response(as_get, big, kNow);
  BOOST_TEST(h.head);
  BOOST_TEST(!g.head);
  BOOST_TEST(h.headers == g.headers);
  BOOST_TEST(h.body.size() == g.body.size());  // the length a GET sends; the server sends no body
}

BOOST_AUTO_TEST_CASE(the_router_answers_head_405_with_allow_and_options) {
  Router router;
  router.set_authenticator([](const Request&) -> Result<Principal> { return Principal{}; });
  auto ok = [](const Request&) -> Result<Response> { return Response{}; };
  router.add("GET", "/things", ok);
  router.add("POST", "/things", ok);
  router.add("GET", "/things/{id}", ok);
  router.add("DELETE", "/things/{id}", ok);
  router.add("POST", "/things/{id}/archive", ok);

  BOOST_TEST(allow_header(router.allowed_methods("/things")) == "GET, HEAD, OPTIONS, POST");
  BOOST_TEST(allow_header(router.allowed_methods("/things/7")) == "DELETE, GET, HEAD, OPTIONS");
  BOOST_TEST(allow_header(router.allowed_methods("/things/7/archive")) == "OPTIONS, POST");
  BOOST_TEST(router.allowed_methods("/nothing").empty());

  Request head = get("/things/7");
  head.method = "HEAD";
  BOOST_TEST(router.dispatch(head).ok());
  BOOST_TEST(head.params["id"] == "7");

  Request put = get("/things/7");
  put.method = "PUT";
  auto refused = router.dispatch(put);
  BOOST_REQUIRE(!refused.ok());
  BOOST_TEST(http_status(refused.error()) == 405);
  BOOST_TEST(problem(refused.error())["type"] == "/problems/method-not-allowed");

  Request options = get("/things/7/archive");
  options.method = "OPTIONS";
  auto answered = router.dispatch(options);
  BOOST_REQUIRE(answered.ok());
  BOOST_TEST(answered->status == 204);
  BOOST_TEST(answered->headers["Allow"] == "OPTIONS, POST");

  Request unknown = get("/nothing/here");
  unknown.method = "OPTIONS";
  auto missing = router.dispatch(unknown);
  BOOST_REQUIRE(!missing.ok());
  BOOST_TEST(http_status(missing.error()) == 404);
}

BOOST_AUTO_TEST_CASE(lists_page_with_cursor_next_cursor_and_link) {
  Request request = get("/api/v1/risk-warnings");
  request.query = {{"after", "old"}, {"kind", "warning & more"}};
  BOOST_TEST(page_cursor(request) == "old");  // the deprecated name is still read
  BOOST_TEST(page_cursor_field(request) == "after");
  request.query["cursor"] = "new";
  BOOST_TEST(page_cursor(request) == "new");  // the new one wins
  BOOST_TEST(page_cursor_field(request) == "cursor");

  Response page;
  page.body = {{"items", json::array({1, 2})}, {"next_after", "42"}};
  link_next_page(request, page);
  BOOST_TEST(page.body["next_cursor"] == "42");
  BOOST_TEST(page.body["next_after"] == "42");
  BOOST_TEST(page.headers["Link"] == "</api/v1/risk-warnings?kind=warning%20%26%20more&cursor=42>; rel=\"next\"");

  Response last;
  last.body = {{"items", json::array()}, {"next_cursor", nullptr}};
  link_next_page(request, last);
  BOOST_TEST(last.body["next_cursor"].is_null());
  BOOST_TEST(last.body["next_after"].is_null());
  BOOST_TEST(!last.headers.contains("Link"));

  Response other;
  other.body = {{"id", "x"}, {"next_cursor", "no items: not a list"}};
  link_next_page(request, other);
  BOOST_TEST(!other.headers.contains("Link"));
}

BOOST_AUTO_TEST_CASE(every_error_has_a_relative_type_with_a_page) {
  std::set<std::string> kinds;
  for (const auto& page : problem_pages()) {
    BOOST_TEST(kinds.insert(page.kind).second, "two pages named " << page.kind);
    BOOST_TEST(!page.meaning.empty());
    BOOST_TEST(!page.what_to_do.empty());
  }
  for (int code = 0; code <= static_cast<int>(Errc::fatal); ++code) {
    const Error error{static_cast<Errc>(code), "x"};
    const json doc = problem(error);
    const std::string type = doc["type"];
    BOOST_TEST(type.starts_with("/problems/"));
    BOOST_TEST(kinds.contains(type.substr(10)), type);
    BOOST_TEST(doc["status"] == http_status(error));
  }
  BOOST_TEST(http_status(make_error(Errc::invalid_argument, "big", "body", "max-size")) == 413);
}

#include "api/problem_routes.h"

#include "api/http_negotiation.h"
#include "api/problem.h"

namespace xyd::api {
namespace {

using nlohmann::json;

const std::vector<std::string> kPageTypes = {"text/html; charset=utf-8", "application/json"};

std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

json page_json(const ProblemPage& page) {
  return {{"type", "/problems/" + page.kind},
          {"status", page.status},
          {"title", page.title},
          {"meaning", page.meaning},
          {"what_to_do", page.what_to_do}};
}

std::string page_html(const ProblemPage& page) {
  return "<h2 id=\"" + page.kind + "\"><a href=\"/problems/" + page.kind + "\">" + std::to_string(page.status) + " " +
         escape_html(page.title) + "</a></h2>\n<p>" + escape_html(page.meaning) +
         "</p>\n<p><strong>What to do:</strong> " + escape_html(page.what_to_do) + "</p>\n";
}

// The answer in the media type Accept prefers (HTML first), cacheable by anyone for a day.
Result<Response> negotiated(const Request& request, const json& as_json, const std::string& title,
                            const std::string& html_body) {
  const auto chosen = negotiate_media_type(request.header("accept"), kPageTypes);
  if (!chosen)
    return make_error(Errc::invalid_argument, "this page is offered as text/html or application/json", "accept",
                      "acceptable-media-type");
  Response response;
  response.headers["Vary"] = "Accept";
  response.headers["Cache-Control"] = "public, max-age=86400";
  if (*chosen == 1) {
    response.body = as_json;
    return response;
  }
  response.content_type = kPageTypes[0];
  response.raw = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape_html(title) +
                 "</title></head>\n<body>\n" + html_body + "</body></html>\n";
  return response;
}

}  // namespace

void add_problem_routes(Router& router) {
  router.add(
      "GET", "/problems",
      [](const Request& request) -> Result<Response> {
        json items = json::array();
        std::string html =
            "<h1>xyd problem types</h1>\n<p>Every error answer of the API is an RFC 9457 problem document "
            "whose <code>type</code> is one of these pages.</p>\n";
        for (const auto& page : problem_pages()) {
          items.push_back(page_json(page));
          html += page_html(page);
        }
        return negotiated(request, {{"items", items}}, "xyd problem types", html);
      },
      Access::open);
  router.add(
      "GET", "/problems/{kind}",
      [](const Request& request) -> Result<Response> {
        const std::string& kind = request.params.at("kind");
        for (const auto& page : problem_pages())
          if (page.kind == kind)
            return negotiated(request, page_json(page), "xyd problem: " + page.title,
                              page_html(page) + "<p><a href=\"/problems\">All problem types</a></p>\n");
        return make_error(Errc::not_found, "no problem type " + kind + " (GET /problems lists them)", "kind",
                          "problem-type");
      },
      Access::open);
}

}  // namespace xyd::api

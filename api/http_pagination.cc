#include "api/http_pagination.h"

#include <cpprest/uri.h>

namespace xyd::api {

std::string page_cursor(const Request& request) {
  if (auto cursor = request.query_or("cursor", ""); !cursor.empty()) return cursor;
  return request.query_or("after", "");
}

std::string page_cursor_field(const Request& request) {
  return request.query_or("cursor", "").empty() && !request.query_or("after", "").empty() ? "after" : "cursor";
}

void link_next_page(const Request& request, Response& response) {
  auto& body = response.body;
  if (!response.raw.empty() || !body.is_object() || !body.contains("items")) return;
  const auto cursor = body.find("next_cursor");
  const auto after = body.find("next_after");
  if (cursor == body.end() && after == body.end()) return;
  const nlohmann::json next = cursor != body.end() && cursor->is_string() ? *cursor
                              : after != body.end() && after->is_string() ? *after
                                                                          : nlohmann::json();
  body["next_cursor"] = next;
  body["next_after"] = next;  // deprecated: one release, then only next_cursor
  if (!next.is_string()) return;
  std::string query;
  for (const auto& [name, value] : request.query) {
    if (name == "cursor" || name == "after") continue;
    query += web::uri::encode_data_string(name) + "=" + web::uri::encode_data_string(value) + "&";
  }
  query += "cursor=" + web::uri::encode_data_string(next.get<std::string>());
  response.headers["Link"] =
      "<" + web::uri::encode_uri(request.path, web::uri::components::path) + "?" + query + ">; rel=\"next\"";
}

}  // namespace xyd::api

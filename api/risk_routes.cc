#include "api/risk_routes.h"

#include <set>

#include "api/access_check.h"
#include "api/resource_routes.h"
#include "projections/risk/risk_query.h"

namespace xyd::api {
namespace {

using nlohmann::json;
using projections::risk::FeedFilter;

constexpr uint64_t kPerMs = 1000000;  // sequences per millisecond (risk_projection.h)

Result<uint64_t> sequence_param(const std::string& text, const std::string& field) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 19) return make_error(Errc::invalid_argument, field + " must be a warning sequence (digits)", field, "sequence");
  for (char c : text) {
    if (c < '0' || c > '9')
      return make_error(Errc::invalid_argument, field + " must be a warning sequence (digits)", field, "sequence");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

Result<FeedFilter> read_filter(const Request& request) {
  FeedFilter filter{request.query_or("enterprise", ""), request.query_or("kind", ""), request.query_or("severity", "")};
  if (!filter.kind.empty() && filter.kind != "warning" && filter.kind != "change")
    return make_error(Errc::invalid_argument, "kind must be warning or change", "kind", "one-of");
  if (!filter.severity.empty() && filter.severity != "low" && filter.severity != "medium" && filter.severity != "high" &&
      filter.severity != "info")
    return make_error(Errc::invalid_argument, "severity must be low, medium, high or info", "severity", "one-of");
  return filter;
}

domain::Scope feed_scope(const Request& request) {
  return domain::scope_of(principal_of(request).actor.role, "risk_feed.read");
}

// Refuses (403) a role with no right to the feed at all; what it sees is filtered per entry.
Handler feed_guarded(Handler handler) {
  return [handler = std::move(handler)](const Request& request) -> Result<Response> {
    if (feed_scope(request) == domain::Scope::none) return allow(request, "risk_feed.read").error();
    return handler(request);
  };
}

void show(const Request& request, json& entry) {
  if (!sees_personal_data(request, entry.value("owner", ""))) mask_personal_data(entry);
}

Result<Response> list(const projections::runtime::ProjectionRuntime& runtime, const Request& request) {
  XYD_ASSIGN_OR_RETURN(size_t limit, page_limit(request));
  XYD_ASSIGN_OR_RETURN(FeedFilter filter, read_filter(request));
  uint64_t after = 0;
  if (auto text = request.query_or("after", ""); !text.empty()) {
    XYD_ASSIGN_OR_RETURN(after, sequence_param(text, "after"));
  }
  XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader("risk"));
  XYD_ASSIGN_OR_RETURN(auto viewer, projections::risk::viewer_for(*reader, principal_of(request).actor, feed_scope(request)));
  XYD_ASSIGN_OR_RETURN(auto page, projections::risk::feed_after(*reader, after, limit, &viewer, filter));
  for (auto& entry : page.items) show(request, entry);
  Response response;
  response.body = {{"items", std::move(page.items)},
                   {"next_after", page.more ? json(std::to_string(page.scanned_to)) : json()}};
  return response;
}

// One SSE connection: sends every visible entry after `start`, then sleeps until the risk view
// commits and sends what is new. Runs on the stream's own thread.
void stream(const projections::runtime::ProjectionRuntime& runtime, const RiskFeedSettings& settings, Request request,
            uint64_t start, FeedFilter filter, BodyWriter& out) {
  const auto& actor = principal_of(request).actor;
  const domain::Scope scope = feed_scope(request);
  const uint64_t window = static_cast<uint64_t>(settings.late_window.count()) * kPerMs;
  uint64_t cursor = start;
  std::set<uint64_t> sent;  // sequences sent within the window below the cursor
  auto last_write = std::chrono::steady_clock::now();
  if (!out.write("retry: 1000\n\n")) return;
  while (out.open()) {
    const uint64_t seen = runtime.commits("risk");
    if (auto reader = runtime.reader("risk"); reader.ok()) {
      auto viewer = projections::risk::viewer_for(**reader, actor, scope);
      uint64_t position = std::max(start, cursor > window ? cursor - window : 0);
      while (viewer.ok()) {
        auto page = projections::risk::feed_after(**reader, position, 500, &*viewer, filter);
        if (!page.ok()) break;
        for (auto& entry : page->items) {
          const uint64_t sequence = entry.value("sequence", uint64_t{0});
          if (sequence <= start || sent.contains(sequence)) continue;
          const std::string kind = entry.value("kind", std::string("warning"));
          show(request, entry);
          if (!out.write("id: " + std::to_string(sequence) + "\nevent: " + kind + "\ndata: " + entry.dump() + "\n\n"))
            return;
          last_write = std::chrono::steady_clock::now();
          sent.insert(sequence);
          cursor = std::max(cursor, sequence);
        }
        if (!page->more) break;
        position = page->scanned_to;
      }
      while (!sent.empty() && *sent.begin() + window < cursor) sent.erase(sent.begin());
    }
    if (std::chrono::steady_clock::now() - last_write >= settings.heartbeat) {
      if (!out.write(": keep-alive\n\n")) return;
      last_write = std::chrono::steady_clock::now();
    }
    (void)runtime.wait_commit("risk", seen, std::chrono::milliseconds(1000));
  }
}

}  // namespace

json risk_marker(const projections::runtime::ProjectionRuntime& runtime, const std::string& enterprise) {
  auto reader = runtime.reader("risk");
  if (!reader.ok()) return json();
  auto warnings = projections::risk::current_warnings(**reader, enterprise);
  if (!warnings.ok()) return json();
  std::string level = "none";
  json shown = json::array();
  for (const auto& w : *warnings) {
    const std::string severity = w.value("severity", "");
    if (level == "none" || (level == "low" && severity != "low") || (level == "medium" && severity == "high"))
      level = severity;
    shown.push_back({{"sequence", w["sequence"]},       {"rule", w["rule"]},
                     {"rule_set_version", w["rule_set_version"]}, {"severity", w["severity"]},
                     {"message", w["message"]},         {"subject", w["subject"]},
                     {"application", w["application"]}, {"raised_at", w["raised_at"]}});
  }
  return {{"level", level}, {"warnings", shown}};
}

void add_risk_routes(Router& router, const projections::runtime::ProjectionRuntime& runtime, RiskFeedSettings settings) {
  router.add("GET", "/api/v1/risk-warnings", feed_guarded([&runtime](const Request& request) {
               return list(runtime, request);
             }));
  router.add("GET", "/api/v1/feeds/risk-warnings",
             feed_guarded([&runtime, settings](const Request& request) -> Result<Response> {
               XYD_ASSIGN_OR_RETURN(FeedFilter filter, read_filter(request));
               std::string resume = request.header("last-event-id");
               const std::string field = resume.empty() ? "last_event_id" : "Last-Event-ID";
               if (resume.empty()) resume = request.query_or("last_event_id", "");
               uint64_t start = 0;
               if (!resume.empty()) {
                 XYD_ASSIGN_OR_RETURN(start, sequence_param(resume, field));
               } else {
                 // A new subscriber gets what is raised from now on.
                 const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::system_clock::now().time_since_epoch());
                 start = static_cast<uint64_t>(now.count()) * kPerMs;
               }
               if (auto reader = runtime.reader("risk"); !reader.ok()) return reader.error();
               Response response;
               response.content_type = "text/event-stream";
               response.headers["Cache-Control"] = "no-cache";
               response.headers["X-Accel-Buffering"] = "no";
               response.stream = [&runtime, settings, request, start, filter](BodyWriter& out) {
                 stream(runtime, settings, request, start, filter, out);
               };
               return response;
             }));
}

}  // namespace xyd::api

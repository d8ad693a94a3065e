#include "api/risk_routes.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "api/access_check.h"
#include "api/http_negotiation.h"
#include "api/http_pagination.h"
#include "api/problem.h"
#include "api/resource_routes.h"
#include "events/json_input.h"
#include "ops/telemetry/metrics.h"
#include "projections/risk/risk_cursor.h"
#include "projections/risk/risk_query.h"
#include "projections/view_names.h"

namespace xyd::api {
namespace {

using nlohmann::json;
using projections::risk::FeedFilter;
using projections::risk::Viewer;

Result<uint64_t> sequence_param(const std::string& text, const std::string& field) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 19)
    return make_error(Errc::invalid_argument, field + " must be a warning sequence (digits)", field, "sequence");
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
  if (!filter.severity.empty() && filter.severity != "low" && filter.severity != "medium" &&
      filter.severity != "high" && filter.severity != "info")
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

// The members of an entry that describe one loan: left out for a reader outside its scope.
const char* const kLoanDetails[] = {"application", "loan", "institution", "subject", "event", "details"};

// Readies an entry for the caller, or says it is not for it. Personal data is masked unless the
// caller needs it. An entry the caller sees only through a follow, outside its own scope
// (`scoped` is the caller without its follows), needs the enterprise to be one the caller may
// read (a follow made before following was limited so counts no more), and leaves out the
// details of a loan.
Result<bool> show(const projections::ViewReader& view, const Viewer& scoped, const Request& request, json& entry) {
  XYD_ASSIGN_OR_RETURN(bool in_scope, projections::risk::visible(view, scoped, entry));
  if (!in_scope) {
    domain::Subject enterprise;
    enterprise.owner = events::string_or(entry, "owner");
    enterprise.region = events::string_or(entry, "region");
    if (!domain::authorize(scoped.actor, "enterprise.read", enterprise).ok()) return false;
    if (auto application = entry.find("application"); application != entry.end() && !application->is_null())
      for (const char* member : kLoanDetails) entry.erase(member);
  }
  if (!sees_personal_data(request, events::string_or(entry, "owner"))) mask_personal_data(entry);
  return true;
}

Result<Response> list(const projections::runtime::ViewSource& runtime, const Request& request) {
  XYD_ASSIGN_OR_RETURN(size_t limit, page_limit(request));
  XYD_ASSIGN_OR_RETURN(FeedFilter filter, read_filter(request));
  uint64_t after = 0;
  if (auto text = page_cursor(request); !text.empty()) {
    XYD_ASSIGN_OR_RETURN(after, sequence_param(text, page_cursor_field(request)));
  }
  XYD_ASSIGN_OR_RETURN(auto reader, runtime.reader(projections::view::kRisk));
  XYD_ASSIGN_OR_RETURN(auto viewer,
                       projections::risk::viewer_for(*reader, principal_of(request).actor, feed_scope(request)));
  XYD_ASSIGN_OR_RETURN(auto page, projections::risk::feed_after(*reader, after, limit, &viewer, filter));
  const Viewer scoped{viewer.actor, viewer.scope, {}};
  json items = json::array();
  for (auto& entry : page.items) {
    XYD_ASSIGN_OR_RETURN(bool shown, show(*reader, scoped, request, entry));
    if (shown) items.push_back(std::move(entry));
  }
  Response response;
  response.body = {{"items", std::move(items)},
                   {"next_after", page.more ? json(std::to_string(page.scanned_to)) : json()}};
  return response;
}

// The open SSE streams, counted per principal and in all against their caps. Shared by the
// request threads that open streams and the stream threads whose end releases them; guarded by
// its mutex.
class StreamSlots : public std::enable_shared_from_this<StreamSlots> {
 public:
  StreamSlots(size_t per_principal, size_t total) : per_principal_(per_principal), total_(total) {}

  // A slot for one more stream of `principal`, released when the last copy of it is destroyed;
  // nullptr when a cap is reached, `full` then saying which.
  std::shared_ptr<void> take(const std::string& principal, std::string& full) {
    std::lock_guard lock(mutex_);
    size_t& mine = open_[principal];
    if (mine >= per_principal_ || open_total_ >= total_) {
      full = mine >= per_principal_
                 ? "this caller has " + std::to_string(mine) + " open risk-warning streams, the most it may"
                 : "the server has " + std::to_string(open_total_) + " open risk-warning streams, the most it serves";
      if (mine == 0) open_.erase(principal);
      return nullptr;
    }
    ++mine;
    ++open_total_;
    telemetry::metrics().sse_streams(+1);
    return std::make_shared<Lease>(shared_from_this(), principal);
  }

 private:
  // One open stream's hold on its slot.
  struct Lease {
    Lease(std::shared_ptr<StreamSlots> slots, std::string principal)
        : slots(std::move(slots)), principal(std::move(principal)) {}
    ~Lease() { slots->release(principal); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    std::shared_ptr<StreamSlots> slots;
    std::string principal;
  };

  void release(const std::string& principal) {
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(principal); it != open_.end() && --it->second == 0) open_.erase(it);
    --open_total_;
    telemetry::metrics().sse_streams(-1);
  }

  const size_t per_principal_, total_;
  std::mutex mutex_;
  std::map<std::string, size_t> open_;
  size_t open_total_ = 0;
};

// Whom a stream counts against: the account (or key, or the operator).
std::string principal_key(const Principal& principal) {
  return principal.actor.account.empty() ? principal.kind : principal.actor.account;
}

// 429: a problem document naming the cap, and Retry-After.
Response too_many_streams(const Request& request, const std::string& full, int retry_after_seconds) {
  Response response = problem_response(
      make_error(Errc::too_many, full + ": close one, or retry in " + std::to_string(retry_after_seconds) + " s",
                 "stream", "stream-cap"),
      request.path);
  response.headers["Retry-After"] = std::to_string(retry_after_seconds);
  return response;
}

// Whether the stream's caller still holds: its credentials authenticate now (session live, account
// active, password unchanged) as the same actor the stream started with.
bool still_allowed(const Authenticator& authenticate, const Request& request, const events::Actor& actor) {
  auto now = authenticate(request);
  if (!now.ok()) return false;
  const auto& again = now->actor;
  return !now->restricted && again.account == actor.account && again.role == actor.role &&
         again.institution == actor.institution && again.region == actor.region;
}

// One SSE connection: sends every visible entry after `start`, then sleeps until the risk view
// commits (or `recheck` passes) and sends what is new; ends when its caller no longer
// authenticates. Runs on the stream's own thread.
void stream(const projections::runtime::ViewSource& runtime, const Authenticator& authenticate,
            const RiskFeedSettings& settings, Request request, uint64_t start, FeedFilter filter, BodyWriter& out) {
  const auto& actor = principal_of(request).actor;
  const domain::Scope scope = feed_scope(request);
  const Viewer scoped{actor, scope, {}};
  projections::risk::RiskCursor feed(start, settings.late_window, start);  // what this stream sent
  auto last_write = std::chrono::steady_clock::now();
  if (!out.write("retry: 1000\n\n")) return;
  while (out.open() && still_allowed(authenticate, request, actor)) {
    const uint64_t seen = runtime.commits(projections::view::kRisk);
    if (auto reader = runtime.reader(projections::view::kRisk); reader.ok()) {
      auto viewer = projections::risk::viewer_for(**reader, actor, scope);
      bool closed = false;
      auto send = [&](std::vector<json>& entries) -> Status {
        for (auto& entry : entries) {
          const uint64_t sequence = projections::risk::RiskCursor::sequence_of(entry);
          std::string kind = events::string_or(entry, "kind");
          if (kind.empty()) kind = "warning";
          auto shown = show(**reader, scoped, request, entry);
          if (!shown.ok() || !*shown) continue;
          if (!out.write("id: " + std::to_string(sequence) + "\nevent: " + kind + "\ndata: " + entry.dump() + "\n\n")) {
            closed = true;
            return make_error(Errc::unavailable, "the stream closed");
          }
          last_write = std::chrono::steady_clock::now();
          feed.mark(sequence);
        }
        return Status();
      };
      if (viewer.ok()) (void)feed.pass(**reader, &*viewer, filter, send);  // a failed page: tried next round
      if (closed) return;
    }
    if (std::chrono::steady_clock::now() - last_write >= settings.heartbeat) {
      if (!out.write(": keep-alive\n\n")) return;
      last_write = std::chrono::steady_clock::now();
    }
    (void)runtime.wait_commit(projections::view::kRisk, seen, settings.recheck);
  }
}

}  // namespace

json risk_marker(const projections::runtime::ViewSource& runtime, const events::Actor& actor,
                 const std::string& enterprise) {
  auto reader = runtime.reader(projections::view::kRisk);
  if (!reader.ok()) return json();
  auto viewer = projections::risk::viewer_for(**reader, actor, domain::scope_of(actor.role, "risk_feed.read"));
  if (!viewer.ok()) return json();
  auto warnings = projections::risk::current_warnings(**reader, enterprise, &*viewer);
  if (!warnings.ok()) return json();
  std::string level = "none";
  json shown = json::array();
  for (const auto& w : *warnings) {
    const std::string severity = events::string_or(w, "severity");
    if (level == "none" || (level == "low" && severity != "low") || (level == "medium" && severity == "high"))
      level = severity;
    json item = json::object();
    for (const char* field :
         {"sequence", "rule", "rule_set_version", "severity", "message", "subject", "application", "raised_at"})
      item[field] = events::member_or_null(w, field);
    shown.push_back(std::move(item));
  }
  return {{"level", level}, {"warnings", shown}};
}

void add_risk_routes(Router& router, const projections::runtime::ViewSource& runtime, Authenticator authenticate,
                     RiskFeedSettings settings) {
  router.add("GET", "/api/v1/risk-warnings",
             feed_guarded([&runtime](const Request& request) { return list(runtime, request); }));
  auto slots = std::make_shared<StreamSlots>(settings.max_streams_per_principal, settings.max_streams);
  router.add("GET", "/api/v1/feeds/risk-warnings",
             feed_guarded([&runtime, authenticate = std::move(authenticate), settings,
                           slots](const Request& request) -> Result<Response> {
               if (!negotiate_media_type(request.header("accept"), {"text/event-stream"}))
                 return make_error(Errc::invalid_argument, "this feed is offered as text/event-stream only", "accept",
                                   "acceptable-media-type");
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
                 start = static_cast<uint64_t>(now.count()) * projections::risk::kSequencesPerMs;
               }
               if (auto reader = runtime.reader(projections::view::kRisk); !reader.ok()) return reader.error();
               std::string full;
               auto slot = slots->take(principal_key(principal_of(request)), full);
               if (!slot) return too_many_streams(request, full, settings.retry_after_seconds);
               Response response;
               response.content_type = "text/event-stream";
               response.headers["Cache-Control"] = "no-cache";
               response.headers["X-Accel-Buffering"] = "no";
               response.stream = [&runtime, authenticate, settings, request, start, filter, slot](BodyWriter& out) {
                 stream(runtime, authenticate, settings, request, start, filter, out);
               };
               return response;
             }));
}

}  // namespace xyd::api

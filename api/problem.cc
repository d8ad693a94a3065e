#include "api/problem.h"

namespace xyd::api {
namespace {

const ProblemPage& page_named(const std::string& kind) {
  for (const auto& page : problem_pages())
    if (page.kind == kind) return page;
  return problem_pages().back();  // "internal"
}

}  // namespace

int http_status(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return 400;
    case Errc::not_found:
      return 404;
    case Errc::conflict:
      return 409;
    case Errc::refused:
      return 422;
    case Errc::unauthenticated:
      return 401;
    case Errc::forbidden:
      return 403;
    case Errc::too_many:
      return 429;
    case Errc::unavailable:
    case Errc::busy:
      return 503;
    case Errc::timeout:
      return 504;
    case Errc::corrupt:
    case Errc::fatal:
      return 500;
  }
  return 500;
}

int http_status(const Error& error) {
  return problem_page(error).status;
}

const std::vector<ProblemPage>& problem_pages() {
  static const std::vector<ProblemPage> pages = {
      {"invalid-argument", 400, "The request is malformed",
       "A parameter, header or body member is missing, of the wrong type or out of range. `field` names it and "
       "`rule` the check it failed; `detail` says what was expected.",
       "Correct the field named in the document and send the request again."},
      {"unauthenticated", 401, "Authentication required: log in (POST /api/v1/sessions) and send the bearer token",
       "The request carries no credentials, or credentials that are unknown, expired or revoked (a session token, an "
       "API key, or a webhook signature).",
       "Log in with POST /api/v1/sessions and send `Authorization: Bearer <token>`; a connector sends its API key; a "
       "webhook is signed with an active secret as Standard Webhooks says."},
      {"forbidden", 403, "Your role or region does not allow this",
       "The caller is known but its role, institution or region does not allow this action on this resource, or its "
       "session must first change the initial password.",
       "Ask an administrator for the right role, or act within your own institution or region."},
      {"not-found", 404, "No such resource", "The path names no route, or the resource it names does not exist.",
       "Check the path and the identifier; list the collection to find existing ones."},
      {"method-not-allowed", 405, "The method is not allowed on this path",
       "The path exists but does not answer this method. The `Allow` header lists the methods it answers.",
       "Use one of the methods in `Allow` (OPTIONS on the path lists them too)."},
      {"not-acceptable", 406, "None of the media types the Accept header allows is offered here",
       "The route offers its answer in a few media types (JSON, CSV, XLSX, or an event stream) and the request's "
       "`Accept` header excludes all of them.",
       "Send an Accept header that includes one of the offered types, or `?format=json|csv|xlsx` on table routes."},
      {"conflict", 409, "The request conflicts with the current state",
       "The resource changed since you read it (expected version), or the Idempotency-Key was used with another body.",
       "Read the resource again and retry with its current version, or use a new Idempotency-Key for a new request."},
      {"too-large", 413, "The request body is too large", "The body is larger than the server accepts (1 MiB).",
       "Send a smaller body; split large imports into several requests."},
      {"refused", 422, "Refused by a business rule",
       "The command is well formed but a business rule refuses it in the resource's current state; `rule` names it.",
       "Read `detail` and `rule`, change what the rule requires, then try again."},
      {"too-many", 429, "Too many attempts: wait and try again",
       "A rate limit or a cap on open streams was reached for this caller, address or phone.",
       "Wait the number of seconds in `Retry-After` before trying again."},
      {"unavailable", 503, "The service cannot reach the event log now",
       "The event log (Kafka or the embedded log) cannot take the request now; nothing was changed.",
       "Retry after the seconds in `Retry-After`, with the same Idempotency-Key."},
      {"timeout", 504, "Timed out; the operation may still complete, retry with the same Idempotency-Key",
       "The request was taken but its outcome did not arrive in time; it may still be applied.",
       "Retry with the same Idempotency-Key: you get the first outcome, never a second write."},
      {"corrupt", 500, "Stored data failed verification",
       "Stored data failed an integrity check; the operators have been told through the server log.",
       "Report the error id in `detail` to the platform's operators."},
      {"internal", 500, "Internal error",
       "The server failed to answer; the server log has the details under the "
       "error id in `detail`.",
       "Retry later; report the error id to the platform's operators if it persists."},
  };
  return pages;
}

const ProblemPage& problem_page(const Error& error) {
  if (error.rule == "allowed-method") return page_named("method-not-allowed");
  if (error.rule == "acceptable-media-type") return page_named("not-acceptable");
  if (error.rule == "max-size" && error.field == "body") return page_named("too-large");
  switch (error.code) {
    case Errc::invalid_argument:
      return page_named("invalid-argument");
    case Errc::not_found:
      return page_named("not-found");
    case Errc::conflict:
      return page_named("conflict");
    case Errc::refused:
      return page_named("refused");
    case Errc::unauthenticated:
      return page_named("unauthenticated");
    case Errc::forbidden:
      return page_named("forbidden");
    case Errc::too_many:
      return page_named("too-many");
    case Errc::unavailable:
    case Errc::busy:
      return page_named("unavailable");
    case Errc::timeout:
      return page_named("timeout");
    case Errc::corrupt:
      return page_named("corrupt");
    case Errc::fatal:
      return page_named("internal");
  }
  return page_named("internal");
}

nlohmann::json problem(const Error& error, const std::string& instance) {
  const ProblemPage& page = problem_page(error);
  nlohmann::json doc = {
      {"type", "/problems/" + page.kind},
      {"title", error.code == Errc::unauthenticated && error.field.starts_with("webhook-")
                    ? "The webhook is not signed with an active secret: sign it as Standard Webhooks says"
                    : page.title},
      {"status", page.status},
      {"detail", error.message},
  };
  if (!error.field.empty()) doc["field"] = error.field;
  if (!error.rule.empty()) doc["rule"] = error.rule;
  if (!instance.empty()) doc["instance"] = instance;
  return doc;
}

Response problem_response(const Error& error, const std::string& instance) {
  Response response;
  response.status = http_status(error);
  response.body = problem(error, instance);
  response.content_type = "application/problem+json";
  if (response.status == 401) response.headers["WWW-Authenticate"] = "Bearer realm=\"xyd\"";
  return response;
}

}  // namespace xyd::api

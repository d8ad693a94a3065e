#include "api/problem.h"

namespace xyd::api {

int http_status(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return 400;
    case Errc::not_found: return 404;
    case Errc::conflict: return 409;
    case Errc::refused: return 422;
    case Errc::unauthenticated: return 401;
    case Errc::forbidden: return 403;
    case Errc::too_many: return 429;
    case Errc::unavailable: return 503;
    case Errc::timeout: return 504;
    case Errc::corrupt:
    case Errc::fatal: return 500;
  }
  return 500;
}

nlohmann::json problem(const Error& error, const std::string& instance) {
  static const std::map<Errc, const char*> titles = {
      {Errc::invalid_argument, "The request is malformed"},
      {Errc::not_found, "No such resource"},
      {Errc::conflict, "The request conflicts with the current state"},
      {Errc::refused, "Refused by a business rule"},
      {Errc::unauthenticated, "Authentication required: log in (POST /api/v1/sessions) and send the bearer token"},
      {Errc::forbidden, "Your role or region does not allow this"},
      {Errc::too_many, "Too many attempts: wait and try again"},
      {Errc::unavailable, "The service cannot reach the event log now"},
      {Errc::timeout, "Timed out; the operation may still complete, retry with the same Idempotency-Key"},
      {Errc::corrupt, "Stored data failed verification"},
      {Errc::fatal, "Internal error"},
  };
  nlohmann::json doc = {
      {"type", std::string("https://xyd.example/problems/") + errc_name(error.code)},
      {"title", error.code == Errc::unauthenticated && error.field.starts_with("webhook-")
                    ? "The webhook is not signed with an active secret: sign it as Standard Webhooks says"
                    : titles.at(error.code)},
      {"status", http_status(error.code)},
      {"detail", error.message},
  };
  if (!error.field.empty()) doc["field"] = error.field;
  if (!error.rule.empty()) doc["rule"] = error.rule;
  if (!instance.empty()) doc["instance"] = instance;
  return doc;
}

}  // namespace xyd::api

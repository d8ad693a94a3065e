#include "events/result.h"

#include <stdexcept>

namespace xyd {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::not_found:
      return "not_found";
    case Errc::conflict:
      return "conflict";
    case Errc::refused:
      return "refused";
    case Errc::unauthenticated:
      return "unauthenticated";
    case Errc::forbidden:
      return "forbidden";
    case Errc::too_many:
      return "too_many";
    case Errc::unavailable:
      return "unavailable";
    case Errc::timeout:
      return "timeout";
    case Errc::corrupt:
      return "corrupt";
    case Errc::busy:
      return "busy";
    case Errc::fatal:
      return "fatal";
  }
  return "unknown";
}

Errc errc_from_name(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(Errc::fatal); ++i)
    if (name == errc_name(static_cast<Errc>(i))) return static_cast<Errc>(i);
  return Errc::fatal;
}

std::string Error::to_string() const {
  std::string text = std::string(errc_name(code)) + ": " + message;
  if (!field.empty()) text += " [field " + field + "]";
  if (!rule.empty()) text += " [rule " + rule + "]";
  return text;
}

const Error& no_error() {
  static const Error none{Errc::fatal, "no error", "", ""};
  return none;
}

void throw_bad_result_access(const Error& error) {
  throw std::logic_error("value() of a failed Result: " + error.to_string());
}

}  // namespace xyd

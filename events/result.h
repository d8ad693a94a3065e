// Result<T> and Status: the one error model of xyd. Expected failures (bad input, refusals,
// an unreachable broker) travel as values; exceptions are kept for errors that end a request.
// Plain values: safe to move between threads, not to share mutably.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace xyd {

// What kind of failure an Error is; the API maps these to HTTP statuses.
enum class Errc {
  invalid_argument,  // malformed input: names the field and the rule
  not_found,         // an unknown topic, aggregate, record
  conflict,          // version conflict, duplicate, in flight
  refused,           // a business rule refused the command
  unauthenticated,   // no valid credentials (HTTP 401)
  forbidden,         // authenticated, but the role or scope does not allow it (HTTP 403)
  too_many,          // rate limited or locked out for a while (HTTP 429)
  unavailable,       // the log or a broker cannot be reached now; retrying may help
  timeout,           // gave up waiting; the operation may still complete
  corrupt,           // stored data does not decode or verify
  busy,              // held by another process (a data folder's lock); ask that process, or wait
  fatal,             // an internal failure that the caller cannot fix
};

const char* errc_name(Errc code);
// The code of a name errc_name() gave; fatal for an unknown name.
Errc errc_from_name(const std::string& name);

// An expected failure: a code, a message a person can act on, and optionally the field and rule.
struct Error {
  Errc code = Errc::fatal;
  std::string message;
  std::string field;  // the offending field, when there is one ("phone", "data.amount")
  std::string rule;   // the rule it broke, short and stable ("required", "gb11643-check-digit")

  std::string to_string() const;
};

inline Error make_error(Errc code, std::string message, std::string field = {}, std::string rule = {}) {
  return Error{code, std::move(message), std::move(field), std::move(rule)};
}

// The Error that error() returns on success.
const Error& no_error();

// A value of T or an Error. Check ok() before value(); value() on an error throws.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    check();
    return std::get<0>(state_);
  }
  const T& value() const& {
    check();
    return std::get<0>(state_);
  }
  T&& value() && {
    check();
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The error; on success, an empty Error (so messages may be built eagerly).
  const Error& error() const { return ok() ? no_error() : std::get<1>(state_); }

 private:
  void check() const;
  std::variant<T, Error> state_;
};

[[noreturn]] void throw_bad_result_access(const Error& error);

template <typename T>
void Result<T>::check() const {
  if (!ok()) throw_bad_result_access(std::get<1>(state_));
}

// Success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}
  static Status success() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_ ? *error_ : no_error(); }

 private:
  std::optional<Error> error_;
};

}  // namespace xyd

// Return the error of a Status or Result expression from the enclosing function.
#define XYD_RETURN_IF_ERROR(expr)                      \
  do {                                                 \
    auto xyd_status_ = (expr);                         \
    if (!xyd_status_.ok()) return xyd_status_.error(); \
  } while (0)

#define XYD_CONCAT_INNER_(a, b) a##b
#define XYD_CONCAT_(a, b) XYD_CONCAT_INNER_(a, b)
// Evaluate a Result expression; on error return it, else move its value into `lhs`.
#define XYD_ASSIGN_OR_RETURN(lhs, expr) XYD_ASSIGN_OR_RETURN_IMPL_(XYD_CONCAT_(xyd_result_, __LINE__), lhs, expr)
#define XYD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.error();               \
  lhs = std::move(tmp).value()

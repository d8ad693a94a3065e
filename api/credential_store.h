// CredentialStore: password hashes, kept out of the event log (shared/DESIGN.md, "Secrets stay
// out of the log"). Argon2id through libsodium at OWASP's parameters (19 MiB, 2 passes, 1 lane).
// A hash is stored under the id of the command that set it; the account's events name that
// command, so a refused command's hash is never used. Thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "events/result.h"

namespace xyd::api {

class CredentialStore {
 public:
  static Result<std::unique_ptr<CredentialStore>> open(const std::string& path);
  virtual ~CredentialStore() = default;

  // Hashes the password (argon2id, ~tens of ms of CPU) and stores it under `reference`, once: a
  // repeated request (same idempotency key) with the same password changes nothing, and with
  // another password is refused (422), so replaying a request cannot change a password.
  [[nodiscard]] virtual Status set_password(const std::string& reference, const std::string& password) = 0;
  // Whether `password` matches the hash stored under `reference`.
  virtual Result<bool> verify_password(const std::string& reference, const std::string& password) = 0;
};

// The password rule: 8 to 128 characters; a 400 naming "password" otherwise.
[[nodiscard]] Status check_password_rule(const std::string& password);

}  // namespace xyd::api

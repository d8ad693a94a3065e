// The demo's people: accounts it creates or registers over REST, logged in with the password the
// plan derives from the seed. Staff accounts (system admin, institution admins, managers) are
// created by an administrator; their one-time password is read from the SMS log of the server's
// data folder (<data>/sms.log), changed at the first login, and the account logs in again for a
// full token. Enterprise users register themselves with their password and the registration code
// their phone received (read from the same SMS log). On a re-run the account
// exists already and simply logs in. Any thread; each call uses the caller's Caller.
#pragma once

#include <string>

#include "ops/demo/caller.h"
#include "ops/demo/plan.h"
#include "ops/sms_log.h"

namespace xyd::ops::demo {

struct Session {
  std::string account;  // "acc-..."
  std::string token;
};

// `creator_token`: the operator's, a system admin's or an institution admin's bearer token.
[[nodiscard]] Result<Session> create_staff(Caller& caller, const std::string& data_dir,
                                           const std::string& creator_token, const AccountPlan& account);
[[nodiscard]] Result<Session> register_user(Caller& caller, SmsLog& sms, const AccountPlan& account);

// The one-time password the server "sent" to `phone` in <data>/sms.log; "" when none.
std::string initial_password_from_sms(const std::string& data_dir, const std::string& phone);

}  // namespace xyd::ops::demo

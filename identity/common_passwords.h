// The deny-list of common passwords: the 30,000 most common passwords of zxcvbn's frequency list
// (identity/data/common-passwords.txt, vendored from Debian's python3-zxcvbn; source and licence in
// docs/DECISIONS.md), built into the program. Pure; any thread (the set is built once, thread-safely).
#pragma once

#include <string_view>

namespace xyd::identity {

// Whether the password, compared case-insensitively (ASCII), is on the list.
bool is_common_password(std::string_view password);

}  // namespace xyd::identity

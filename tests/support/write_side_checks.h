// Checks shared by the write-side end-to-end tests: creating accounts with unique phones over
// HTTP, and reading back every AccountRegistered event of a phone prefix from the log to check
// exactly-once, gapless versions and the hash chain. Test thread only.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "events/envelope.h"
#include "events/log/open_log.h"

namespace xyd::test {

// A phone prefix of 5 digits ("15" + 3 random) no earlier run is likely to have used.
std::string random_phone_prefix();
std::string phone_of(const std::string& prefix, int n);
nlohmann::json registration(const std::string& phone);

// Every account event whose data.phone starts with `prefix`, grouped by aggregate id, in order.
std::map<std::string, std::vector<events::Envelope>> account_events(log::EventLog& log, const std::string& prefix);

// Checks versions 1..n without gap, prev hashes, hashes; one AccountRegistered per aggregate.
void check_chains(const std::map<std::string, std::vector<events::Envelope>>& by_aggregate);

// Opens the log xyd serve used: the embedded log under `data_dir`, or the test broker.
std::unique_ptr<log::EventLog> open_server_log(const std::string& data_dir);

}  // namespace xyd::test

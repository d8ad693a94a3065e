// The one reader of whole decimal numbers from untrusted text (query parameters, flags, headers,
// URLs, stored counters): the whole text must be digits (a leading '-' only when `min` is
// negative), with no sign, space or trailing character, and within [min, max]. Pure; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/result.h"

namespace xyd {

// The number, or nullopt when `text` is not a whole number within [min, max].
std::optional<int64_t> whole_number(std::string_view text, int64_t min, int64_t max);

// The same as a Result: invalid_argument "<what> must be a whole number from <min> to <max>, not
// '<text>'" naming `field`, with `rule` ("range" unless given).
Result<int64_t> read_whole_number(std::string_view text, int64_t min, int64_t max, const std::string& field,
                                  const std::string& what, const std::string& rule = "range");

// A number the platform stored itself (a position, a counter, a partition count), read back: a
// corrupt error naming `what` when the stored text is not a whole number within [min, max], so a
// damaged store is reported instead of throwing or reading as 0.
Result<int64_t> read_stored_number(std::string_view text, int64_t min, int64_t max, const std::string& what);

}  // namespace xyd

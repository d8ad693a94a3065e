// Order-preserving key pieces for projection rows: big-endian integers and NUL-terminated strings
// (an embedded NUL is escaped), so that RocksDB's byte order is the order the queries need.
// Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/bytes.h"

namespace xyd::projections {

using xyd::append_be32;
using xyd::append_be64;
using xyd::read_be32;
using xyd::read_be64;

// Appends `part` and a terminator; "\0" inside becomes "\0\xff", the terminator is "\0\x01", so a
// part never prefixes another part's encoding and parts sort as their plain bytes do.
void append_part(std::string& out, std::string_view part);
// Reads one part written by append_part from the front of `in` (advancing it); nullopt if malformed.
std::optional<std::string> take_part(std::string_view& in);
// `head` (a row tag or a prefix) followed by each of `parts` written with append_part.
template <typename... Parts>
std::string parts_key(std::string head, const Parts&... parts) {
  (append_part(head, std::string_view(parts)), ...);
  return head;
}

// The smallest key greater than every key that starts with `prefix` (empty: no such key).
std::string prefix_end(std::string_view prefix);

// Lower-case hex of bytes, and back (nullopt on a bad digit or odd length).
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace xyd::projections

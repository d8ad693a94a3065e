// Big-endian integers in byte strings, so that keys sort in RocksDB as their numbers do. Shared
// by the embedded log's record layout and the projections' row keys. Pure, header-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xyd {

inline void append_be32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

inline void append_be64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

// The first 4 (8) bytes as a number; missing bytes count as absent, not as zeros appended.
inline uint32_t read_be32(std::string_view bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4 && i < bytes.size(); ++i) v = v << 8 | static_cast<unsigned char>(bytes[i]);
  return v;
}

inline uint64_t read_be64(std::string_view bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < bytes.size(); ++i) v = v << 8 | static_cast<unsigned char>(bytes[i]);
  return v;
}

// A 4-byte big-endian length, then the bytes.
inline void append_length_prefixed(std::string& out, std::string_view bytes) {
  append_be32(out, static_cast<uint32_t>(bytes.size()));
  out.append(bytes);
}

}  // namespace xyd

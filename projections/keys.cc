#include "projections/keys.h"

#include <cstring>

namespace xyd::projections {

void append_part(std::string& out, std::string_view part) {
  if (std::memchr(part.data(), '\0', part.size()) == nullptr) {
    out.append(part);
  } else {
    for (char c : part) {
      out.push_back(c);
      if (c == '\0') out.push_back('\xff');
    }
  }
  out.push_back('\0');
  out.push_back('\x01');
}

std::optional<std::string> take_part(std::string_view& in) {
  std::string part;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\0') {
      part.push_back(in[i]);
      continue;
    }
    if (i + 1 >= in.size()) return std::nullopt;
    if (in[i + 1] == '\x01') {
      in.remove_prefix(i + 2);
      return part;
    }
    if (in[i + 1] != '\xff') return std::nullopt;
    part.push_back('\0');
    ++i;
  }
  return std::nullopt;
}

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last != 0xff) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return end;
}

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi << 4 | lo));
  }
  return out;
}

}  // namespace xyd::projections

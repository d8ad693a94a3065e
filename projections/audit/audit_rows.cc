#include "projections/audit/audit_rows.h"

#include <cstdio>
#include <ctime>

#include "events/bytes.h"
#include "events/codec.h"
#include "projections/keys.h"

namespace xyd::projections::audit {
namespace {

constexpr uint8_t kFormat = 1;

// Reads what encode_row wrote; any overrun sets failed.
struct RowCursor {
  std::string_view in;
  bool failed = false;
  uint64_t u(size_t bytes) {
    if (in.size() < bytes) {
      failed = true;
      return 0;
    }
    uint64_t v = bytes == 8 ? read_be64(in) : bytes == 4 ? read_be32(in) : static_cast<unsigned char>(in[0]);
    in.remove_prefix(bytes);
    return v;
  }
  std::string_view str() {
    const uint64_t n = u(4);
    if (failed || in.size() < n) {
      failed = true;
      return {};
    }
    std::string_view s = in.substr(0, n);
    in.remove_prefix(n);
    return s;
  }
};

bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

void encode_row(std::string& out, const AuditRow& row, std::string_view head_hash, std::string_view topic,
                std::string_view event) {
  out.clear();
  out.push_back(static_cast<char>(kFormat));
  out.push_back(static_cast<char>(row.link));
  append_be64(out, static_cast<uint64_t>(row.head_version));
  append_length_prefixed(out, head_hash);
  append_length_prefixed(out, row.problem);
  append_length_prefixed(out, topic);
  append_be32(out, static_cast<uint32_t>(row.partition));
  append_be64(out, static_cast<uint64_t>(row.offset));
  append_be64(out, static_cast<uint64_t>(row.timestamp_ms));
  append_length_prefixed(out, row.rule_set_version);
  append_length_prefixed(out, event);
}

std::optional<AuditRow> decode_row(std::string_view bytes) {
  RowCursor c{bytes};
  if (c.u(1) != kFormat) return std::nullopt;
  AuditRow row;
  row.link = static_cast<Link>(c.u(1));
  row.head_version = static_cast<int64_t>(c.u(8));
  row.head_hash = std::string(c.str());
  row.problem = std::string(c.str());
  row.topic = std::string(c.str());
  row.partition = static_cast<int32_t>(c.u(4));
  row.offset = static_cast<int64_t>(c.u(8));
  row.timestamp_ms = static_cast<int64_t>(c.u(8));
  row.rule_set_version = std::string(c.str());
  row.event = std::string(c.str());
  if (c.failed || !c.in.empty()) return std::nullopt;
  return row;
}

std::optional<std::pair<int64_t, std::string>> decode_head(std::string_view bytes) {
  RowCursor c{bytes};
  if (c.u(1) != kFormat) return std::nullopt;
  c.u(1);
  const auto version = static_cast<int64_t>(c.u(8));
  const auto hash = c.str();
  if (c.failed) return std::nullopt;
  return std::make_pair(version, std::string(hash));
}

void append_aggregate(std::string& out, std::string_view type, std::string_view id) {
  append_part(out, type);
  append_part(out, id);
}

void append_position(std::string& out, int32_t partition, int64_t offset) {
  append_be32(out, static_cast<uint32_t>(partition));
  append_be64(out, static_cast<uint64_t>(offset));
}

std::string IndexEntry::row_key(std::string_view id) const {
  std::string key(1, kEventRow);
  append_aggregate(key, type, id);
  append_position(key, partition, offset);
  return key;
}

std::optional<IndexEntry> decode_index(std::string_view rest) {
  IndexEntry entry;
  auto type = take_part(rest);
  if (!type || rest.size() != 4 + 8 + 8) return std::nullopt;
  entry.type = std::move(*type);
  entry.partition = static_cast<int32_t>(read_be32(rest));
  entry.time_ms = static_cast<int64_t>(read_be64(rest.substr(4)));
  entry.offset = static_cast<int64_t>(read_be64(rest.substr(12)));
  return entry;
}

std::string rfc3339_ms(int64_t unix_ms) {
  return events::rfc3339_from_ms(unix_ms);
}

std::optional<int64_t> parse_time_ms(std::string_view s) {
  int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
  if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day))
    return std::nullopt;
  int offset_minutes = 8 * 60;  // a bare date is a day of China Standard Time
  if (s.size() > 10) {
    if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, hour) || s.size() < 16 || s[13] != ':' ||
        !digits(s, 14, 2, minute))
      return std::nullopt;
    size_t at = 16;
    if (at < s.size() && s[at] == ':') {
      if (!digits(s, at + 1, 2, second)) return std::nullopt;
      at += 3;
      if (at < s.size() && s[at] == '.') {
        ++at;
        int scale = 100;
        while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
          millis += (s[at] - '0') * scale;
          scale /= 10;
          ++at;
        }
      }
    }
    if (at >= s.size()) return std::nullopt;  // a time needs its zone
    if (s[at] == 'Z' || s[at] == 'z') {
      offset_minutes = 0;
      ++at;
    } else if (s[at] == '+' || s[at] == '-') {
      int oh, om;
      if (!digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':' || !digits(s, at + 4, 2, om))
        return std::nullopt;
      offset_minutes = (s[at] == '+' ? 1 : -1) * (oh * 60 + om);
      at += 6;
    } else {
      return std::nullopt;
    }
    if (at != s.size()) return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - int64_t{offset_minutes} * 60;
  return seconds * 1000 + millis;
}

}  // namespace xyd::projections::audit

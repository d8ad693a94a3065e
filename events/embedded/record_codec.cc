#include "events/embedded/record_codec.h"

#include "events/bytes.h"

namespace xyd::log {
namespace {

// Reads big-endian integers and length-prefixed strings; any overrun sets failed.
struct Cursor {
  std::string_view in;
  bool failed = false;
  uint64_t u(int bytes) {
    if (in.size() < static_cast<size_t>(bytes)) {
      failed = true;
      return 0;
    }
    uint64_t v = bytes == 8 ? read_be64(in) : read_be32(in);
    in.remove_prefix(bytes);
    return v;
  }
  std::string bytes() {
    uint64_t n = u(4);
    if (failed || in.size() < n) {
      failed = true;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
};

}  // namespace

std::string partition_prefix(const TopicPartition& tp) {
  std::string key = tp.topic;
  key.push_back('\0');
  append_be32(key, static_cast<uint32_t>(tp.partition));
  return key;
}

void append_record_key(std::string& out, const TopicPartition& tp, int64_t offset) {
  out.append(tp.topic);
  out.push_back('\0');
  append_be32(out, static_cast<uint32_t>(tp.partition));
  append_be64(out, static_cast<uint64_t>(offset));
}

std::string record_key(const TopicPartition& tp, int64_t offset) {
  std::string key;
  append_record_key(key, tp, offset);
  return key;
}

int64_t decode_offset(std::string_view key) {
  Cursor c{key.substr(key.size() - 8)};
  return static_cast<int64_t>(c.u(8));
}

std::string encode_record_value(const OutRecord& record, int64_t timestamp_ms) {
  std::string out;
  append_record_value(out, record, timestamp_ms);
  return out;
}

void append_record_value(std::string& out, const OutRecord& record, int64_t timestamp_ms) {
  append_be64(out, static_cast<uint64_t>(timestamp_ms));
  append_length_prefixed(out, record.key);
  append_length_prefixed(out, record.value);
  append_be32(out, static_cast<uint32_t>(record.headers.size()));
  for (const auto& h : record.headers) {
    append_length_prefixed(out, h.key);
    append_length_prefixed(out, h.value);
  }
}

bool decode_record_value(std::string_view bytes, Record& record) {
  Cursor c{bytes};
  record.timestamp_ms = static_cast<int64_t>(c.u(8));
  record.key = c.bytes();
  record.value = c.bytes();
  uint64_t headers = c.u(4);
  for (uint64_t i = 0; i < headers && !c.failed; ++i) {
    Header h;
    h.key = c.bytes();
    h.value = c.bytes();
    record.headers.push_back(std::move(h));
  }
  return !c.failed && c.in.empty();
}

}  // namespace xyd::log

// How the embedded log lays records out in RocksDB: keys sort by (topic, partition, offset);
// values hold timestamp, key, value and headers, length-prefixed. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/event_log.h"

namespace xyd::log {

// topic NUL partition(4 bytes, big-endian): the common prefix of a partition's record keys.
std::string partition_prefix(const TopicPartition& tp);
// partition_prefix then offset (8 bytes, big-endian), so keys sort by offset.
std::string record_key(const TopicPartition& tp, int64_t offset);
void append_record_key(std::string& out, const TopicPartition& tp, int64_t offset);
int64_t decode_offset(std::string_view key);

std::string encode_record_value(const OutRecord& record, int64_t timestamp_ms);
void append_record_value(std::string& out, const OutRecord& record, int64_t timestamp_ms);
// Fills timestamp, key, value and headers; false if the bytes are not a record value.
bool decode_record_value(std::string_view bytes, Record& record);

}  // namespace xyd::log

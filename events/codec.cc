#include "events/codec.h"

#include <sodium.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "events/json_input.h"

namespace xyd::events {

std::string encode(const Envelope& envelope) {
  return to_json(envelope).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Envelope> decode(std::string_view bytes, const EventCatalog& catalog) {
  XYD_ASSIGN_OR_RETURN(nlohmann::json json, parse_json(bytes, kRecordLimits, "value"));
  XYD_ASSIGN_OR_RETURN(Envelope envelope, envelope_from_json(json));
  XYD_RETURN_IF_ERROR(catalog.validate(envelope));
  return envelope;
}

std::vector<log::Header> cloudevent_headers(const CloudEventAttributes& a) {
  std::vector<log::Header> headers = {
      {"ce_specversion", "1.0"}, {"ce_id", a.id}, {"ce_source", a.source}, {"ce_type", a.type}, {"ce_time", a.time}};
  if (!a.subject.empty()) headers.push_back({"ce_subject", a.subject});
  headers.push_back({"content-type", a.content_type});
  return headers;
}

CloudEventAttributes new_cloudevent(std::string source, std::string type, std::string subject) {
  return {uuid_v7(), std::move(source), std::move(type), std::move(subject), now_rfc3339(), "application/json"};
}

log::OutRecord to_record(const Envelope& e) {
  log::OutRecord record;
  record.topic = topic_for(e.aggregate_type);
  record.key = e.aggregate_id;
  record.value = encode(e);
  record.headers = cloudevent_headers({e.id, e.source, e.type, e.subject, e.time, e.datacontenttype});
  return record;
}

Result<Envelope> from_record(const log::Record& record, const EventCatalog& catalog) {
  auto decoded = decode(record.value, catalog);
  if (!decoded.ok()) {
    Error error = decoded.error();
    error.message = "record " + record.tp().to_string() + "@" + std::to_string(record.offset) + ": " + error.message;
    return error;
  }
  try {
    return catalog.upcast(std::move(decoded).value());
  } catch (const std::exception& e) {  // an upcaster met data it did not expect
    return make_error(
        Errc::corrupt,
        "record " + record.tp().to_string() + "@" + std::to_string(record.offset) + " cannot be upcast: " + e.what(),
        "value", "upcast");
  }
}

std::string uuid_v7() {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  auto ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
  b[6] = static_cast<unsigned char>(0x70 | (b[6] & 0x0f));
  b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));
  char out[37];
  std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return out;
}

std::string now_rfc3339() {
  return rfc3339_from_ms(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::string rfc3339_from_ms(int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(unix_ms % 1000));
  return out;
}

}  // namespace xyd::events

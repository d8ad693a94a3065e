#include "events/envelope.h"

#include <sodium.h>

#include "events/json_input.h"

namespace xyd::events {
namespace {

using nlohmann::json;

Status refuse_floats(const json& value, const std::string& path) {
  if (value.is_number_float())
    return make_error(Errc::invalid_argument,
                      path + " is a floating-point number: events hold integers (fen, basis points) or strings", path,
                      "no-floating-point");
  if (value.is_object())
    for (const auto& [key, item] : value.items()) XYD_RETURN_IF_ERROR(refuse_floats(item, path + "." + key));
  if (value.is_array())
    for (size_t i = 0; i < value.size(); ++i)
      XYD_RETURN_IF_ERROR(refuse_floats(value[i], path + "[" + std::to_string(i) + "]"));
  return Status();
}

Error missing(const std::string& field, const char* kind) {
  return make_error(Errc::invalid_argument, "envelope attribute '" + field + "' is missing or not " + kind, field,
                    std::string("required-") + kind);
}

// Reads json[name] into out; a missing optional attribute keeps out's default.
Status read_string(const json& j, const char* name, std::string& out, bool required = true) {
  auto it = j.find(name);
  if (it == j.end() && !required) return Status();
  if (it == j.end() || !it->is_string()) return missing(name, "a string");
  out = it->get<std::string>();
  if (required && out.empty()) return missing(name, "a non-empty string");
  return Status();
}

template <typename Int>
Status read_int(const json& j, const char* name, Int& out) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return missing(name, "an integer");
  out = it->get<Int>();
  return Status();
}

}  // namespace

json to_json(const Actor& a) {
  return {{"account", a.account}, {"role", a.role}, {"institution", a.institution}, {"region", a.region}};
}

Actor actor_from_json(const json& j) {
  if (!j.is_object()) return {};
  return {string_or(j, "account"), string_or(j, "role"), string_or(j, "institution"), string_or(j, "region")};
}

json to_json(const Envelope& e) {
  return json{
      {"specversion", e.specversion},
      {"id", e.id},
      {"source", e.source},
      {"type", e.type},
      {"subject", e.subject},
      {"time", e.time},
      {"datacontenttype", e.datacontenttype},
      {"aggregatetype", e.aggregate_type},
      {"aggregateid", e.aggregate_id},
      {"aggregateversion", e.version},
      {"actor", to_json(e.actor)},
      {"correlationid", e.correlation_id},
      {"causationid", e.causation_id},
      {"schemaversion", e.schema_version},
      {"prevhash", e.prev_hash},
      {"hash", e.hash},
      {"data", e.data},
  };
}

Result<Envelope> envelope_from_json(const json& j) {
  if (!j.is_object()) return make_error(Errc::invalid_argument, "an event must be a JSON object", "", "object");
  Envelope e;
  XYD_RETURN_IF_ERROR(read_string(j, "specversion", e.specversion));
  if (e.specversion != "1.0")
    return make_error(Errc::invalid_argument,
                      "specversion must be \"1.0\" (CloudEvents 1.0), not \"" + e.specversion + "\"", "specversion",
                      "cloudevents-1.0");
  XYD_RETURN_IF_ERROR(read_string(j, "id", e.id));
  XYD_RETURN_IF_ERROR(read_string(j, "source", e.source));
  XYD_RETURN_IF_ERROR(read_string(j, "type", e.type));
  XYD_RETURN_IF_ERROR(read_string(j, "subject", e.subject, false));
  XYD_RETURN_IF_ERROR(read_string(j, "time", e.time));
  XYD_RETURN_IF_ERROR(read_string(j, "datacontenttype", e.datacontenttype, false));
  XYD_RETURN_IF_ERROR(read_string(j, "aggregatetype", e.aggregate_type));
  XYD_RETURN_IF_ERROR(read_string(j, "aggregateid", e.aggregate_id));
  XYD_RETURN_IF_ERROR(read_int(j, "aggregateversion", e.version));
  if (e.version < 1)
    return make_error(Errc::invalid_argument, "aggregateversion must be 1 or more", "aggregateversion", "minimum-1");
  auto actor = j.find("actor");
  if (actor == j.end() || !actor->is_object()) return missing("actor", "an object");
  XYD_RETURN_IF_ERROR(read_string(*actor, "account", e.actor.account, false));
  XYD_RETURN_IF_ERROR(read_string(*actor, "role", e.actor.role, false));
  XYD_RETURN_IF_ERROR(read_string(*actor, "institution", e.actor.institution, false));
  XYD_RETURN_IF_ERROR(read_string(*actor, "region", e.actor.region, false));
  XYD_RETURN_IF_ERROR(read_string(j, "correlationid", e.correlation_id, false));
  XYD_RETURN_IF_ERROR(read_string(j, "causationid", e.causation_id, false));
  XYD_RETURN_IF_ERROR(read_int(j, "schemaversion", e.schema_version));
  XYD_RETURN_IF_ERROR(read_string(j, "prevhash", e.prev_hash, false));
  XYD_RETURN_IF_ERROR(read_string(j, "hash", e.hash, false));
  auto data = j.find("data");
  if (data == j.end() || !data->is_object()) return missing("data", "an object");
  e.data = *data;
  return e;
}

Result<std::string> canonical_encoding(const Envelope& envelope) {
  XYD_RETURN_IF_ERROR(refuse_floats(envelope.data, "data"));
  json j = to_json(envelope);
  j.erase("hash");
  // nlohmann::json keeps object keys in a std::map: sorted by bytes; dump() is compact.
  return j.dump(-1, ' ', false, json::error_handler_t::strict);
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (unsigned char b : digest) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

Status seal(Envelope& envelope, const std::string& prev_hash) {
  envelope.prev_hash = prev_hash;
  try {
    XYD_ASSIGN_OR_RETURN(auto canonical, canonical_encoding(envelope));
    envelope.hash = sha256_hex(canonical);
  } catch (const json::exception& e) {
    return make_error(Errc::invalid_argument, std::string("event cannot be encoded: ") + e.what(), "data", "utf-8");
  }
  return Status();
}

bool hash_matches(const Envelope& envelope) {
  try {
    auto canonical = canonical_encoding(envelope);
    return canonical.ok() && sha256_hex(*canonical) == envelope.hash;
  } catch (const json::exception&) {
    return false;
  }
}

}  // namespace xyd::events

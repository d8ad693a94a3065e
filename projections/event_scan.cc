#include "projections/event_scan.h"

#include <cstring>

namespace xyd::projections {
namespace {

// A cursor over JSON text; every method returns false on malformed input.
class JsonCursor {
 public:
  JsonCursor(std::string_view text, std::deque<std::string>& storage) : text_(text), storage_(storage) {}

  size_t position() const { return pos_; }
  bool at_end() const { return pos_ >= text_.size(); }

  void skip_ws() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  bool peek(char c) {
    skip_ws();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  bool consume(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  char next_char() {
    skip_ws();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  // A string value; views into the text unless it holds escapes.
  bool string(std::string_view& out) {
    if (!consume('"')) return false;
    const size_t start = pos_;
    // Eight bytes at a time while none is a quote, a backslash or a control character.
    while (pos_ + 8 <= text_.size()) {
      uint64_t word;
      std::memcpy(&word, text_.data() + pos_, 8);
      constexpr uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
      auto zero_byte = [&](uint64_t x) { return (x - ones) & ~x & highs; };
      if (zero_byte(word ^ (ones * '"')) | zero_byte(word ^ (ones * '\\')) | ((word - ones * 0x20) & ~word & highs))
        break;
      pos_ += 8;
    }
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '"') {
        out = text_.substr(start, pos_ - start);
        ++pos_;
        return true;
      }
      if (c == '\\') return escaped_string(start, out);
      if (static_cast<unsigned char>(c) < 0x20) return false;
      ++pos_;
    }
    return false;
  }

  // An integer (no fraction, no exponent).
  bool integer(int64_t& out) {
    skip_ws();
    bool negative = false;
    if (pos_ < text_.size() && text_[pos_] == '-') {
      negative = true;
      ++pos_;
    }
    const size_t digits_start = pos_;
    uint64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (value > (UINT64_MAX - 9) / 10) return false;
      value = value * 10 + static_cast<uint64_t>(text_[pos_] - '0');
      ++pos_;
    }
    if (pos_ == digits_start) return false;
    if (pos_ < text_.size() && (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) return false;
    if (value > static_cast<uint64_t>(INT64_MAX)) return false;
    out = negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
    return true;
  }

  // Skips any value; `out` gets its raw text.
  bool skip_value(std::string_view& out) {
    skip_ws();
    const size_t start = pos_;
    if (!skip_value_inner(0)) return false;
    out = text_.substr(start, pos_ - start);
    return true;
  }

 private:
  bool skip_value_inner(int depth) {
    if (depth > 512) return false;
    skip_ws();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '"') return skip_string();
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      if (consume(close)) return true;
      while (true) {
        if (c == '{') {
          if (!skip_string_ws()) return false;
          if (!consume(':')) return false;
        }
        if (!skip_value_inner(depth + 1)) return false;
        if (consume(',')) continue;
        return consume(close);
      }
    }
    // number or literal
    const size_t start = pos_;
    while (pos_ < text_.size()) {
      const char d = text_[pos_];
      if ((d >= '0' && d <= '9') || d == '-' || d == '+' || d == '.' || d == 'e' || d == 'E' || (d >= 'a' && d <= 'z'))
        ++pos_;
      else
        break;
    }
    if (pos_ == start) return false;
    std::string_view token = text_.substr(start, pos_ - start);
    if (token == "true" || token == "false" || token == "null") return true;
    return token[0] == '-' || (token[0] >= '0' && token[0] <= '9');
  }

  bool skip_string_ws() {
    skip_ws();
    return skip_string();
  }

  bool skip_string() {
    if (pos_ >= text_.size() || text_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < text_.size()) {
      const char* found = static_cast<const char*>(std::memchr(text_.data() + pos_, '"', text_.size() - pos_));
      if (found == nullptr) return false;
      const size_t quote = static_cast<size_t>(found - text_.data());
      // Count the backslashes just before the quote: an odd number escapes it.
      size_t backslashes = 0;
      while (quote > backslashes && text_[quote - 1 - backslashes] == '\\') ++backslashes;
      pos_ = quote + 1;
      if (backslashes % 2 == 0) return true;
    }
    return false;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  bool hex4(uint32_t& out) {
    if (pos_ + 4 > text_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  bool escaped_string(size_t start, std::string_view& out) {
    std::string decoded(text_.substr(start, pos_ - start));
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') {
        storage_.push_back(std::move(decoded));
        out = storage_.back();
        return true;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        decoded.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return false;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          decoded.push_back('"');
          break;
        case '\\':
          decoded.push_back('\\');
          break;
        case '/':
          decoded.push_back('/');
          break;
        case 'b':
          decoded.push_back('\b');
          break;
        case 'f':
          decoded.push_back('\f');
          break;
        case 'n':
          decoded.push_back('\n');
          break;
        case 'r':
          decoded.push_back('\r');
          break;
        case 't':
          decoded.push_back('\t');
          break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t low = 0;
            if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') return false;
            pos_ += 2;
            if (!hex4(low) || low < 0xdc00 || low > 0xdfff) return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return false;
          }
          append_utf8(decoded, cp);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::deque<std::string>& storage_;
};

Error missing(std::string_view field, const char* kind) {
  return make_error(Errc::invalid_argument, "envelope attribute '" + std::string(field) + "' is missing or not " + kind,
                    std::string(field), std::string("required-") + kind);
}

Error malformed(size_t at) {
  return make_error(Errc::invalid_argument, "the event is not valid JSON (near byte " + std::to_string(at) + ")",
                    "value", "json");
}

// Bits of the attributes seen, to tell missing from present.
enum Seen : uint32_t {
  kSpec = 1u << 0,
  kId = 1u << 1,
  kSource = 1u << 2,
  kType = 1u << 3,
  kTime = 1u << 4,
  kAggType = 1u << 5,
  kAggId = 1u << 6,
  kVersion = 1u << 7,
  kActor = 1u << 8,
  kSchema = 1u << 9,
  kData = 1u << 10,
};

Status scan_actor(JsonCursor& cursor, ScannedEvent& out) {
  if (!cursor.consume('{')) return missing("actor", "an object");
  if (cursor.consume('}')) return Status();
  while (true) {
    std::string_view key;
    if (!cursor.string(key) || !cursor.consume(':')) return malformed(cursor.position());
    std::string_view* target = nullptr;
    if (key == "account")
      target = &out.actor_account;
    else if (key == "role")
      target = &out.actor_role;
    else if (key == "institution")
      target = &out.actor_institution;
    else if (key == "region")
      target = &out.actor_region;
    if (target != nullptr) {
      if (cursor.next_char() != '"') return missing("actor." + std::string(key), "a string");
      if (!cursor.string(*target)) return malformed(cursor.position());
    } else {
      std::string_view ignored;
      if (!cursor.skip_value(ignored)) return malformed(cursor.position());
    }
    if (cursor.consume(',')) continue;
    if (cursor.consume('}')) return Status();
    return malformed(cursor.position());
  }
}

}  // namespace

void ScannedEvent::clear() {
  // Field by field: the storage keeps its allocation (this runs once per event of a rebuild).
  specversion = id = source = type = subject = time = {};
  datacontenttype = "application/json";
  aggregate_type = aggregate_id = {};
  version = 0;
  actor_account = actor_role = actor_institution = actor_region = {};
  correlation_id = causation_id = {};
  schema_version = 0;
  prev_hash = hash = data = {};
  hash_cut_begin = hash_cut_end = 0;
  unescaped.clear();
}

Status scan_event(std::string_view json, ScannedEvent& out) {
  out.clear();
  JsonCursor cursor(json, out.unescaped);
  if (!cursor.consume('{')) return make_error(Errc::invalid_argument, "an event must be a JSON object", "", "object");
  uint32_t seen = 0;
  size_t previous_member_end = 0;  // just after the previous member's value
  bool first = true;
  if (!cursor.consume('}')) {
    while (true) {
      cursor.skip_ws();
      const size_t key_start = cursor.position();
      std::string_view key;
      if (!cursor.string(key) || !cursor.consume(':')) return malformed(cursor.position());
      const char next = cursor.next_char();
      auto string_attr = [&](std::string_view& target, uint32_t bit) -> Status {
        if (next != '"') return missing(key, "a string");
        if (!cursor.string(target)) return malformed(cursor.position());
        seen |= bit;
        return Status();
      };
      auto int_attr = [&](int64_t& target, uint32_t bit) -> Status {
        if (!cursor.integer(target)) return missing(key, "an integer");
        seen |= bit;
        return Status();
      };
      // Dispatch on the attribute name (sorted, as the canonical encoding writes them).
      if (key == "actor") {
        XYD_RETURN_IF_ERROR(scan_actor(cursor, out));
        seen |= kActor;
      } else if (key == "aggregateid") {
        XYD_RETURN_IF_ERROR(string_attr(out.aggregate_id, kAggId));
      } else if (key == "aggregatetype") {
        XYD_RETURN_IF_ERROR(string_attr(out.aggregate_type, kAggType));
      } else if (key == "aggregateversion") {
        XYD_RETURN_IF_ERROR(int_attr(out.version, kVersion));
      } else if (key == "causationid") {
        XYD_RETURN_IF_ERROR(string_attr(out.causation_id, 0));
      } else if (key == "correlationid") {
        XYD_RETURN_IF_ERROR(string_attr(out.correlation_id, 0));
      } else if (key == "data") {
        if (next != '{') return missing("data", "an object");
        if (!cursor.skip_value(out.data)) return malformed(cursor.position());
        seen |= kData;
      } else if (key == "datacontenttype") {
        XYD_RETURN_IF_ERROR(string_attr(out.datacontenttype, 0));
      } else if (key == "hash") {
        XYD_RETURN_IF_ERROR(string_attr(out.hash, 0));
        if (!first) {
          out.hash_cut_begin = previous_member_end;  // from the comma before the member
          out.hash_cut_end = cursor.position();
        } else {
          out.hash_cut_begin = key_start;  // the first member: through the comma after it
          cursor.skip_ws();
          out.hash_cut_end = cursor.peek(',') ? cursor.position() + 1 : cursor.position();
        }
      } else if (key == "id") {
        XYD_RETURN_IF_ERROR(string_attr(out.id, kId));
      } else if (key == "prevhash") {
        XYD_RETURN_IF_ERROR(string_attr(out.prev_hash, 0));
      } else if (key == "schemaversion") {
        int64_t schema = 0;
        XYD_RETURN_IF_ERROR(int_attr(schema, kSchema));
        if (schema < INT32_MIN || schema > INT32_MAX) return missing(key, "an integer");
        out.schema_version = static_cast<int32_t>(schema);
      } else if (key == "source") {
        XYD_RETURN_IF_ERROR(string_attr(out.source, kSource));
      } else if (key == "specversion") {
        XYD_RETURN_IF_ERROR(string_attr(out.specversion, kSpec));
      } else if (key == "subject") {
        XYD_RETURN_IF_ERROR(string_attr(out.subject, 0));
      } else if (key == "time") {
        XYD_RETURN_IF_ERROR(string_attr(out.time, kTime));
      } else if (key == "type") {
        XYD_RETURN_IF_ERROR(string_attr(out.type, kType));
      } else {
        std::string_view ignored;
        if (!cursor.skip_value(ignored)) return malformed(cursor.position());
      }
      previous_member_end = cursor.position();
      first = false;
      if (cursor.consume(',')) continue;
      if (cursor.consume('}')) break;
      return malformed(cursor.position());
    }
  }
  cursor.skip_ws();
  if (!cursor.at_end()) return malformed(cursor.position());
  if (!(seen & kSpec)) return missing("specversion", "a string");
  if (out.specversion != "1.0")
    return make_error(Errc::invalid_argument,
                      "specversion must be \"1.0\" (CloudEvents 1.0), not \"" + std::string(out.specversion) + "\"",
                      "specversion", "cloudevents-1.0");
  struct Required {
    uint32_t bit;
    const char* name;
    std::string_view value;
  };
  for (const Required& r :
       {Required{kId, "id", out.id}, Required{kSource, "source", out.source}, Required{kType, "type", out.type},
        Required{kTime, "time", out.time}, Required{kAggType, "aggregatetype", out.aggregate_type},
        Required{kAggId, "aggregateid", out.aggregate_id}}) {
    if (!(seen & r.bit)) return missing(r.name, "a string");
    if (r.value.empty()) return missing(r.name, "a non-empty string");
  }
  if (!(seen & kVersion)) return missing("aggregateversion", "an integer");
  if (out.version < 1)
    return make_error(Errc::invalid_argument, "aggregateversion must be 1 or more", "aggregateversion", "minimum-1");
  if (!(seen & kActor)) return missing("actor", "an object");
  if (!(seen & kSchema)) return missing("schemaversion", "an integer");
  if (!(seen & kData)) return missing("data", "an object");
  return Status();
}

events::Envelope ScannedEvent::to_envelope() const {
  events::Envelope e;
  e.specversion = std::string(specversion);
  e.id = std::string(id);
  e.source = std::string(source);
  e.type = std::string(type);
  e.subject = std::string(subject);
  e.time = std::string(time);
  e.datacontenttype = std::string(datacontenttype);
  e.aggregate_type = std::string(aggregate_type);
  e.aggregate_id = std::string(aggregate_id);
  e.version = version;
  e.actor = {std::string(actor_account), std::string(actor_role), std::string(actor_institution),
             std::string(actor_region)};
  e.correlation_id = std::string(correlation_id);
  e.causation_id = std::string(causation_id);
  e.schema_version = schema_version;
  e.prev_hash = std::string(prev_hash);
  e.hash = std::string(hash);
  e.data = data_json();
  return e;
}

nlohmann::json ScannedEvent::data_json() const {
  return nlohmann::json::parse(data, nullptr, false);
}

}  // namespace xyd::projections

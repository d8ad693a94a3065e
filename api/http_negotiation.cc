#include "api/http_negotiation.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace xyd::api {
namespace {

std::string trim_lower(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  std::string out(text.substr(begin, end - begin));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t at = text.find(separator, start);
    if (at == std::string_view::npos) at = text.size();
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
  return parts;
}

// A qvalue (RFC 9110 §12.4.2): "0", "1", "0.5", "1.000"; in thousandths, or -1 when malformed.
int parse_qvalue(std::string_view text) {
  if (text.empty() || text.size() > 5 || (text[0] != '0' && text[0] != '1')) return -1;
  int value = (text[0] - '0') * 1000;
  if (text.size() == 1) return value;
  if (text[1] != '.') return -1;
  int scale = 100;
  for (size_t i = 2; i < text.size(); ++i, scale /= 10) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value += (text[i] - '0') * scale;
  }
  return value > 1000 ? -1 : value;
}

// One media type or range: "type/subtype" and its parameters (q taken out), all lower case.
struct MediaRange {
  std::string type, subtype;
  std::vector<std::pair<std::string, std::string>> params;
  int q = 1000;
  bool ok = false;
};

MediaRange parse_media(std::string_view text) {
  MediaRange range;
  auto parts = split(text, ';');
  const std::string full = trim_lower(parts[0]);
  const size_t slash = full.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == full.size()) return range;
  range.type = full.substr(0, slash);
  range.subtype = full.substr(slash + 1);
  if (range.type == "*" && range.subtype != "*") return range;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string param = trim_lower(parts[i]);
    const size_t eq = param.find('=');
    if (eq == std::string::npos) return range;
    std::string name = trim_lower(param.substr(0, eq));
    std::string value = trim_lower(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (name == "q") {
      range.q = parse_qvalue(value);
      if (range.q < 0) return range;
      break;  // what follows q are accept-extensions, not media type parameters
    }
    range.params.emplace_back(std::move(name), std::move(value));
  }
  range.ok = true;
  return range;
}

// How specifically `range` matches `offer` (higher is more specific), or -1 when it does not.
int specificity(const MediaRange& range, const MediaRange& offer) {
  if (range.type == "*") return 0;
  if (range.type != offer.type) return -1;
  if (range.subtype == "*") return 1;
  if (range.subtype != offer.subtype) return -1;
  for (const auto& param : range.params)
    if (std::find(offer.params.begin(), offer.params.end(), param) == offer.params.end()) return -1;
  return 2 + static_cast<int>(range.params.size());
}

}  // namespace

std::optional<size_t> negotiate_media_type(std::string_view accept, const std::vector<std::string>& offers) {
  if (offers.empty()) return std::nullopt;
  if (trim_lower(accept).empty()) return 0;
  std::vector<MediaRange> ranges;
  for (auto part : split(accept, ','))
    if (auto range = parse_media(part); range.ok) ranges.push_back(std::move(range));
  std::optional<size_t> best;
  int best_q = 0;
  for (size_t i = 0; i < offers.size(); ++i) {
    const MediaRange offer = parse_media(offers[i]);
    int most_specific = -1, q = 0;
    for (const auto& range : ranges)
      if (int s = specificity(range, offer); s > most_specific) most_specific = s, q = range.q;
    if (most_specific >= 0 && q > best_q) best = i, best_q = q;
  }
  return best;
}

bool accepts_gzip(std::string_view accept_encoding) {
  int gzip = -1, any = -1;
  for (auto part : split(accept_encoding, ',')) {
    auto pieces = split(part, ';');
    const std::string coding = trim_lower(pieces[0]);
    int q = 1000;
    for (size_t i = 1; i < pieces.size(); ++i) {
      const std::string param = trim_lower(pieces[i]);
      if (param.starts_with("q=")) q = parse_qvalue(param.substr(2));
    }
    if (q < 0) continue;
    if (coding == "gzip" || coding == "x-gzip")
      gzip = std::max(gzip, q);
    else if (coding == "*")
      any = q;
  }
  return gzip >= 0 ? gzip > 0 : any > 0;
}

}  // namespace xyd::api

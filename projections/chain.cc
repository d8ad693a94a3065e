#include "projections/chain.h"

#include <openssl/evp.h>

#include <memory>

namespace xyd::projections {
namespace {

// One digest context per thread, reused: creating one per event costs more than the hash.
struct DigestContext {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~DigestContext() {
    EVP_MD_CTX_free(ctx);
    EVP_MD_free(md);
  }
};

}  // namespace

const char* link_name(Link link) {
  switch (link) {
    case Link::ok:
      return "ok";
    case Link::content_altered:
      return "content_altered";
    case Link::version_gap:
      return "version_gap";
    case Link::version_repeated:
      return "version_repeated";
    case Link::prev_hash_mismatch:
      return "prev_hash_mismatch";
    case Link::undecodable:
      return "undecodable";
  }
  return "unknown";
}

std::string short_hash(std::string_view hash) {
  if (hash.empty()) return "(none)";
  if (hash.size() <= 12) return std::string(hash);
  return std::string(hash.substr(0, 12)) + "…";
}

// SHA-256 of `first` then `second` into out (size set); false when OpenSSL's digest is unavailable.
static bool digest_two(std::string_view first, std::string_view second, unsigned char* out, unsigned int& size) {
  thread_local DigestContext digest;
  return digest.md != nullptr && digest.ctx != nullptr && EVP_DigestInit_ex(digest.ctx, digest.md, nullptr) == 1 &&
         EVP_DigestUpdate(digest.ctx, first.data(), first.size()) == 1 &&
         EVP_DigestUpdate(digest.ctx, second.data(), second.size()) == 1 &&
         EVP_DigestFinal_ex(digest.ctx, out, &size) == 1;
}

std::string sha256_hex2(std::string_view first, std::string_view second) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!digest_two(first, second, out, size)) {
    std::string joined(first);
    joined.append(second);
    return events::sha256_hex(joined);  // libsodium: slower, same answer
  }
  static const char* hex = "0123456789abcdef";
  std::string text(2 * size, '0');
  for (unsigned int i = 0; i < size; ++i) {
    text[2 * i] = hex[out[i] >> 4];
    text[2 * i + 1] = hex[out[i] & 15];
  }
  return text;
}

bool sha256_matches(std::string_view first, std::string_view second, std::string_view hex) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (!digest_two(first, second, out, size)) return sha256_hex2(first, second) == hex;
  if (hex.size() != 2 * size) return false;
  static const char* digits = "0123456789abcdef";
  for (unsigned int i = 0; i < size; ++i)
    if (hex[2 * i] != digits[out[i] >> 4] || hex[2 * i + 1] != digits[out[i] & 15]) return false;
  return true;
}

bool hash_verified(std::string_view stored_json, const ScannedEvent& event) {
  if (event.hash.size() != 64) return false;
  if (event.hash_cut_end > event.hash_cut_begin && event.hash_cut_end <= stored_json.size()) {
    if (sha256_matches(stored_json.substr(0, event.hash_cut_begin), stored_json.substr(event.hash_cut_end), event.hash))
      return true;
  }
  // Not in canonical form as stored (or altered): decide on the parsed envelope.
  auto parsed = nlohmann::json::parse(stored_json, nullptr, false);
  if (parsed.is_discarded()) return false;
  auto envelope = events::envelope_from_json(parsed);
  return envelope.ok() && events::hash_matches(*envelope);
}

LinkVerdict check_link(const HeadRef* head, const ScannedEvent& event, bool hash_ok) {
  LinkVerdict verdict;
  auto add = [&](Link link, std::string problem) {
    if (verdict.link == Link::ok) verdict.link = link;
    if (!verdict.problem.empty()) verdict.problem += "; ";
    verdict.problem += std::move(problem);
  };
  if (!hash_ok)
    add(Link::content_altered, "its content does not match its stored hash " + short_hash(event.hash) +
                                   " (SHA-256 of its canonical encoding differs): the event was altered after it "
                                   "was written");
  const int64_t v = event.version;
  if (head == nullptr) {
    if (v != 1)
      add(Link::version_gap, "the first event of the aggregate has version " + std::to_string(v) + ": versions 1.." +
                                 std::to_string(v - 1) + " are missing");
    else if (!event.prev_hash.empty())
      add(Link::prev_hash_mismatch, "version 1 carries prevhash " + short_hash(event.prev_hash) +
                                        " but the first event of an aggregate has none");
  } else if (v == head->version + 1) {
    if (event.prev_hash != head->hash)
      add(Link::prev_hash_mismatch, "its prevhash " + short_hash(event.prev_hash) + " is not the hash of version " +
                                        std::to_string(head->version) + " (" + short_hash(head->hash) + ")");
  } else if (v <= head->version) {
    add(Link::version_repeated, "version " + std::to_string(v) + " comes again after version " +
                                    std::to_string(head->version) + " (a fork, a duplicate or a replayed event)");
  } else {
    add(Link::version_gap, "version " + std::to_string(v) + " follows version " + std::to_string(head->version) +
                               ": version" + (v - head->version > 2 ? "s " : " ") + std::to_string(head->version + 1) +
                               (v - head->version > 2 ? ".." + std::to_string(v - 1) : "") + " missing");
  }
  verdict.advances = head == nullptr || v > head->version;
  return verdict;
}

}  // namespace xyd::projections

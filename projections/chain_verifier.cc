#include "projections/chain_verifier.h"

namespace xyd::projections {

std::string BrokenLink::to_string() const {
  std::string where = tp.to_string() + "@" + std::to_string(offset);
  std::string what = aggregate_type + "/" + aggregate_id;
  if (version > 0) what += " version " + std::to_string(version);
  return what + " at " + where + " [" + link_name(link) + "]: " + problem;
}

void ChainVerifier::only(std::string aggregate_type, std::string aggregate_id) {
  only_.emplace(std::move(aggregate_type), std::move(aggregate_id));
}

void ChainVerifier::record_break(const std::string& type, const std::string& id, int64_t version,
                                 const log::Record& record, Link link, std::string problem, Head* head) {
  ++report_.broken_links;
  if (head != nullptr && head->broken) return;  // only the first broken link of an aggregate is named
  if (head != nullptr) head->broken = true;
  ++report_.broken_aggregates;
  if (report_.first_breaks.size() >= max_reported_) {
    report_.truncated = true;
    return;
  }
  report_.first_breaks.push_back(BrokenLink{type, id, version, record.tp(), record.offset, link, std::move(problem)});
}

void ChainVerifier::add(const log::Record& record) {
  auto scanned = scan_event(record.value, scanned_);
  if (!scanned.ok()) {
    // Not an event: name it by its topic's aggregate and its key (the aggregate id).
    const auto dot = record.topic.rfind('.');
    std::string type = dot == std::string::npos ? record.topic : record.topic.substr(dot + 1);
    if (only_ && (only_->first != type || only_->second != record.key)) return;
    ++report_.events;
    key_ = type + '\0' + record.key;
    auto [it, inserted] = heads_.try_emplace(key_);
    if (inserted) ++report_.aggregates;
    record_break(type, record.key, 0, record, Link::undecodable,
                 "the record is not an event envelope: " + scanned.error().message, &it->second);
    return;
  }
  if (only_ && (only_->first != scanned_.aggregate_type || only_->second != scanned_.aggregate_id)) return;
  ++report_.events;
  key_.assign(scanned_.aggregate_type);
  key_.push_back('\0');
  key_.append(scanned_.aggregate_id);
  auto [it, inserted] = heads_.try_emplace(key_);
  Head& head = it->second;
  if (inserted) ++report_.aggregates;
  const bool hash_ok = hash_verified(record.value, scanned_);
  HeadRef ref{head.version, std::string_view(head.hash.data(), head.hash.size())};
  LinkVerdict verdict = check_link(head.version == 0 ? nullptr : &ref, scanned_, hash_ok);
  if (verdict.link != Link::ok)
    record_break(std::string(scanned_.aggregate_type), std::string(scanned_.aggregate_id), scanned_.version, record,
                 verdict.link, std::move(verdict.problem), &head);
  if (verdict.advances) {
    head.version = scanned_.version;
    head.hash.fill('?');  // a hash that is not 64 hex digits matches no prevhash
    if (scanned_.hash.size() == head.hash.size())
      std::copy(scanned_.hash.begin(), scanned_.hash.end(), head.hash.begin());
  }
}

}  // namespace xyd::projections

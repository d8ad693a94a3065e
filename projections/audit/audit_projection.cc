#include "projections/audit/audit_projection.h"

#include <functional>

#include "events/catalog.h"
#include "projections/keys.h"
#include "projections/view_names.h"

namespace xyd::projections::audit {
ProjectionSpec audit_spec() {
  ProjectionSpec spec = spec_without_rules<AuditProjection>(
      view::kAudit, "every event of every aggregate with actor, time, data and chain status (审计/流水)",
      event_topics(events::aggregate_types()));
  // The runtime writes a batch's rows sorted by key: one insert hint per kind of row keeps each
  // insert next to the previous one.
  spec.insert_hint_prefix = [](std::string_view key) -> size_t {
    return !key.empty() && (key.front() == kEventRow || key.front() == kTimeIndex || key.front() == kActorIndex);
  };
  return spec;
}

void AuditProjection::Head::set_hash(std::string_view h) {
  hash_size = static_cast<uint8_t>(std::min(h.size(), hash.size()));
  std::copy_n(h.data(), hash_size, hash.data());
  if (h.size() > hash.size()) hash_size = 0;  // not a SHA-256 in hex: links to nothing
}

Result<AuditProjection::Head*> AuditProjection::head(ViewWriter& view, const std::string& aggregate) {
  if (auto it = current_.find(aggregate); it != current_.end()) return &it->second;
  if (auto it = previous_.find(aggregate); it != previous_.end()) {
    auto [moved, inserted] = current_.emplace(aggregate, it->second);
    previous_.erase(it);
    return &moved->second;
  }
  // Three bits of a 64-Mbit filter; set for every aggregate this projection writes.
  const uint64_t h = std::hash<std::string>()(aggregate);
  const uint64_t bits[3] = {h, h >> 21 | h << 43, h >> 42 | h << 22};
  const uint64_t mask = written_filter_.size() * 64 - 1;
  bool maybe_written = true;
  for (uint64_t b : bits) {
    auto& word = written_filter_[(b & mask) >> 6];
    maybe_written = maybe_written && (word >> (b & 63) & 1);
    word |= uint64_t{1} << (b & 63);
  }
  if (fresh_ && !maybe_written) return &current_.emplace(aggregate, Head()).first->second;
  key_.clear();
  key_.push_back(kEventRow);
  key_.append(aggregate);
  XYD_ASSIGN_OR_RETURN(auto last, view.last_committed(key_));
  Head loaded;
  if (last) {
    auto decoded = decode_head(last->second);
    if (!decoded)
      return make_error(Errc::corrupt, "the audit row " + to_hex(last->first) +
                                           " does not decode: rebuild the audit view (xyd rebuild audit)");
    loaded.version = decoded->first;
    loaded.set_hash(decoded->second);
  }
  return &current_.emplace(aggregate, loaded).first->second;
}

void AuditProjection::write(ViewWriter& view, std::string_view type, std::string_view id, int64_t time_ms,
                            std::string_view account, const EventContext& event, const AuditRow& row,
                            const Head& head) {
  const int32_t partition = event.record.partition;
  const int64_t offset = event.record.offset;
  encode_row(value_, row, head.hash_view(), event.record.topic, event.record.value);
  key_.clear();
  key_.push_back(kEventRow);
  append_aggregate(key_, type, id);
  append_position(key_, partition, offset);
  view.append(key_, value_);
  id_part_.clear();
  append_part(id_part_, id);
  key_.clear();
  key_.push_back(kTimeIndex);
  append_part(key_, type);
  append_be32(key_, static_cast<uint32_t>(partition));
  append_be64(key_, static_cast<uint64_t>(time_ms));
  append_be64(key_, static_cast<uint64_t>(offset));
  view.append(key_, id_part_);
  if (!account.empty()) {
    key_.clear();
    key_.push_back(kActorIndex);
    append_part(key_, account);
    append_part(key_, type);
    append_be32(key_, static_cast<uint32_t>(partition));
    append_be64(key_, static_cast<uint64_t>(time_ms));
    append_be64(key_, static_cast<uint64_t>(offset));
    view.append(key_, id_part_);
  }
}

Status AuditProjection::apply(ViewWriter& view, const EventContext& event) {
  const log::Record& record = event.record;
  AuditRow row;
  row.partition = record.partition;
  row.offset = record.offset;
  row.timestamp_ms = record.timestamp_ms;
  aggregate_.clear();
  if (event.event == nullptr) {
    // Kept too, so the audit shows it: under its topic's aggregate type and its key.
    const auto dot = record.topic.rfind('.');
    const std::string_view type =
        dot == std::string::npos ? std::string_view(record.topic) : std::string_view(record.topic).substr(dot + 1);
    append_aggregate(aggregate_, type, record.key);
    XYD_ASSIGN_OR_RETURN(Head * current, head(view, aggregate_));
    row.link = Link::undecodable;
    row.problem = "the record is not an event envelope: " +
                  (event.decode_error ? event.decode_error->message : std::string("unknown reason"));
    row.head_version = current->version;
    write(view, type, record.key, record.timestamp_ms, {}, event, row, *current);
    return Status();
  }
  const ScannedEvent& e = *event.event;
  append_aggregate(aggregate_, e.aggregate_type, e.aggregate_id);
  XYD_ASSIGN_OR_RETURN(Head * current, head(view, aggregate_));
  const HeadRef ref{current->version, current->hash_view()};
  LinkVerdict verdict = check_link(current->version == 0 ? nullptr : &ref, e, hash_verified(record.value, e));
  if (verdict.advances) {
    current->version = e.version;
    current->set_hash(e.hash);
  }
  row.link = verdict.link;
  row.problem = std::move(verdict.problem);
  row.head_version = current->version;
  const int64_t time_ms = parse_time_ms(e.time).value_or(record.timestamp_ms);
  write(view, e.aggregate_type, e.aggregate_id, time_ms, e.actor_account, event, row, *current);
  return Status();
}

void AuditProjection::batch_done(bool committed) {
  if (!committed) {
    current_.clear();
    previous_.clear();
    return;
  }
  if (current_.size() >= cache_heads_) {
    previous_ = std::move(current_);
    current_.clear();
  }
}

}  // namespace xyd::projections::audit

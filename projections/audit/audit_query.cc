#include "projections/audit/audit_query.h"

#include <queue>
#include <tuple>

#include "events/catalog.h"
#include "events/schema/application.h"
#include "projections/audit/audit_rows.h"
#include "projections/keys.h"

namespace xyd::projections::audit {
namespace {

using nlohmann::json;

// What an event changed, where it says: {field, before, after} entries.
json changes_of(const std::string& name, const json& data) {
  json changes = json::array();
  if (data.contains("before") || data.contains("after")) {
    changes.push_back({{"field", data.value("field", std::string())},
                       {"before", data.value("before", json())},
                       {"after", data.value("after", json())}});
  } else if (auto list = data.find("changes"); list != data.end() && list->is_array()) {
    for (const auto& c : *list)
      if (c.is_object())
        changes.push_back({{"field", c.value("field", std::string())},
                           {"before", c.value("before", json())},
                           {"after", c.value("after", json())}});
  } else if (name == events::application::kManagerReassigned) {
    changes.push_back(
        {{"field", "manager"}, {"before", data.value("from", json())}, {"after", data.value("to", json())}});
  }
  return changes;
}

Error bad_cursor() {
  return make_error(Errc::invalid_argument,
                    "cursor does not belong to this query: pass next_cursor of the previous page with the same "
                    "parameters",
                    "cursor", "from-previous-page");
}

Error corrupt_index() {
  return make_error(Errc::corrupt, "an audit index entry does not decode: rebuild the audit view (xyd rebuild audit)");
}

// Where a page of an index query resumes: just after this entry in (time, type, partition,
// offset) order. Encoded as the opaque cursor.
std::string encode_resume(const IndexEntry& e) {
  std::string out(1, 'i');
  append_be64(out, static_cast<uint64_t>(e.time_ms));
  append_part(out, e.type);
  append_be32(out, static_cast<uint32_t>(e.partition));
  append_be64(out, static_cast<uint64_t>(e.offset));
  return to_hex(out);
}

std::optional<IndexEntry> decode_resume(std::string_view hex) {
  auto bytes = from_hex(hex);
  if (!bytes || bytes->size() < 9 || (*bytes)[0] != 'i') return std::nullopt;
  IndexEntry e;
  std::string_view rest = std::string_view(*bytes).substr(1);
  e.time_ms = static_cast<int64_t>(read_be64(rest));
  rest.remove_prefix(8);
  auto type = take_part(rest);
  if (!type || rest.size() != 12) return std::nullopt;
  e.type = std::move(*type);
  e.partition = static_cast<int32_t>(read_be32(rest));
  e.offset = static_cast<int64_t>(read_be64(rest.substr(4)));
  return e;
}

// The runs (<type> <partition>) present under an index base, by a skip scan.
Result<std::vector<std::string>> runs_under(const ViewReader& view, const std::string& base) {
  std::vector<std::string> runs;
  auto scan = view.cursor(base);
  scan->seek(base);
  while (scan->valid()) {
    std::string_view rest = scan->key().substr(base.size());
    const size_t before = rest.size();
    if (!take_part(rest) || rest.size() < 4) return corrupt_index();
    runs.emplace_back(scan->key().substr(0, base.size() + (before - rest.size()) + 4));
    const std::string next = prefix_end(runs.back());
    if (next.empty()) break;
    scan->seek(next);
  }
  XYD_RETURN_IF_ERROR(scan->status());
  return runs;
}

// One page of a time or actor index: its runs merged by (time, type, partition, offset).
Status index_page(const ViewReader& view, const std::string& base, std::optional<int64_t> from_ms,
                  std::optional<int64_t> to_ms, const std::optional<IndexEntry>& resume, size_t limit,
                  const std::set<std::string>& names, AuditPage& page) {
  XYD_ASSIGN_OR_RETURN(auto runs, runs_under(view, base));
  struct Next {
    IndexEntry entry;
    size_t run;
    auto order() const { return std::tie(entry.time_ms, entry.type, entry.partition, entry.offset); }
    bool operator>(const Next& other) const { return order() > other.order(); }
  };
  std::vector<std::unique_ptr<ViewCursor>> cursors;
  std::priority_queue<Next, std::vector<Next>, std::greater<Next>> heap;
  auto push = [&](size_t run) -> Status {
    auto& cursor = cursors[run];
    if (!cursor->valid()) return cursor->status();
    auto entry = decode_index(cursor->key().substr(base.size()));
    if (!entry) return corrupt_index();
    heap.push(Next{std::move(*entry), run});
    return Status();
  };
  for (size_t run = 0; run < runs.size(); ++run) {
    std::string_view rest = std::string_view(runs[run]).substr(base.size());
    const std::string type = take_part(rest).value_or(std::string());
    const auto partition = static_cast<int32_t>(read_be32(rest));
    int64_t start_ms = std::max<int64_t>(from_ms.value_or(0), 0);
    std::optional<int64_t> after_offset;
    if (resume) {
      const auto here = std::tie(type, partition);
      const auto there = std::tie(resume->type, resume->partition);
      if (here > there) {
        start_ms = std::max(start_ms, resume->time_ms);
      } else if (here < there) {
        start_ms = std::max(start_ms, resume->time_ms + 1);
      } else if (resume->time_ms >= start_ms) {
        start_ms = resume->time_ms;
        after_offset = resume->offset + 1;
      }
    }
    std::string start = runs[run];
    append_be64(start, static_cast<uint64_t>(start_ms));
    if (after_offset) append_be64(start, static_cast<uint64_t>(*after_offset));
    cursors.push_back(view.cursor(runs[run]));
    cursors.back()->seek(start);
    XYD_RETURN_IF_ERROR(push(run));
  }
  std::optional<IndexEntry> last;
  while (!heap.empty()) {
    if (to_ms && heap.top().entry.time_ms >= *to_ms) break;
    if (page.items.size() >= limit) {
      page.next_cursor = encode_resume(*last);
      break;
    }
    Next next = heap.top();
    heap.pop();
    auto& cursor = cursors[next.run];
    std::string_view value = cursor->value();
    auto id = take_part(value);
    if (!id) return corrupt_index();
    XYD_ASSIGN_OR_RETURN(auto row_bytes, view.get(next.entry.row_key(*id)));
    if (!row_bytes) return corrupt_index();  // index and row are written in one batch
    auto row = decode_row(*row_bytes);
    if (!row) return corrupt_index();
    json item = audit_item(*row);
    if (names.empty() || names.contains(item.value("name", std::string()))) page.items.push_back(std::move(item));
    last = std::move(next.entry);
    cursor->next();
    XYD_RETURN_IF_ERROR(push(next.run));
  }
  return Status();
}

// One page of an aggregate's history (its rows in log order), optionally filtered.
Status aggregate_page(const ViewReader& view, const AuditQuery& query, std::optional<int64_t> from_ms,
                      std::optional<int64_t> to_ms, AuditPage& page) {
  std::string prefix(1, kEventRow);
  append_aggregate(prefix, query.aggregate_type, query.aggregate_id);
  std::string start = prefix;
  bool skip_first = false;
  if (!query.cursor.empty()) {
    auto decoded = from_hex(query.cursor);
    if (!decoded || !decoded->starts_with(prefix)) return bad_cursor();
    start = std::move(*decoded);
    skip_first = true;
  }
  auto cursor = view.cursor(prefix);
  std::string last_key;
  for (cursor->seek(start); cursor->valid(); cursor->next()) {
    if (skip_first && cursor->key() == start) continue;
    if (page.items.size() >= query.limit) {
      page.next_cursor = to_hex(last_key);
      break;
    }
    auto row = decode_row(cursor->value());
    if (!row) return corrupt_index();
    json item = audit_item(*row);
    last_key = std::string(cursor->key());
    if (!query.names.empty() && !query.names.contains(item.value("name", std::string()))) continue;
    if (from_ms || to_ms || !query.actor.empty()) {
      const auto time = parse_time_ms(item.value("time", std::string())).value_or(row->timestamp_ms);
      if (from_ms && time < *from_ms) continue;
      if (to_ms && time >= *to_ms) continue;
      if (!query.actor.empty() && item.value("actor", json::object()).value("account", std::string()) != query.actor)
        continue;
    }
    page.items.push_back(std::move(item));
  }
  return cursor->status();
}

}  // namespace

json audit_item(const AuditRow& row) {
  json item;
  json event = json::parse(row.event, nullptr, false);
  if (event.is_discarded() || !event.is_object()) {
    item["raw"] = row.event;  // not an event envelope: shown as stored
  } else {
    const std::string type = event.value("type", std::string());
    const auto* known = events::EventCatalog::standard().by_type(type);
    const std::string name = known ? known->name : std::string();
    json data = event.value("data", json::object());
    item["aggregate"] = {{"type", event.value("aggregatetype", std::string())},
                         {"id", event.value("aggregateid", std::string())},
                         {"version", event.value("aggregateversion", int64_t{0})}};
    item["id"] = event.value("id", std::string());
    item["type"] = type;
    item["name"] = name;
    item["time"] = event.value("time", std::string());
    item["source"] = event.value("source", std::string());
    item["actor"] = event.value("actor", json::object());
    item["correlation_id"] = event.value("correlationid", std::string());
    item["causation_id"] = event.value("causationid", std::string());
    item["schema_version"] = event.value("schemaversion", 0);
    json changes = changes_of(name, data);
    if (!changes.empty()) item["changes"] = std::move(changes);
    item["data"] = std::move(data);
    item["hash"] = event.value("hash", std::string());
    item["prev_hash"] = event.value("prevhash", std::string());
  }
  item["chain"] = row.link == Link::ok
                      ? json{{"status", "ok"}}
                      : json{{"status", "broken"}, {"link", link_name(row.link)}, {"problem", row.problem}};
  item["position"] = {{"topic", row.topic},
                      {"partition", row.partition},
                      {"offset", row.offset},
                      {"stored_at", rfc3339_ms(row.timestamp_ms)}};
  item["rule_set_version"] = row.rule_set_version.empty() ? json() : json(row.rule_set_version);
  return item;
}

Result<AuditPage> query_audit(const ViewReader& view, const AuditQuery& query) {
  if (query.limit < 1 || query.limit > kMaxPageSize)
    return make_error(Errc::invalid_argument, "limit must be from 1 to " + std::to_string(kMaxPageSize), "limit",
                      "range-1-" + std::to_string(kMaxPageSize));
  std::optional<int64_t> from_ms, to_ms;
  if (!query.from.empty()) {
    from_ms = parse_time_ms(query.from);
    if (!from_ms)
      return make_error(Errc::invalid_argument, "from must be a date (2024-05-01) or an RFC 3339 time with its zone",
                        "from", "rfc3339");
  }
  if (!query.to.empty()) {
    to_ms = parse_time_ms(query.to);
    if (!to_ms)
      return make_error(Errc::invalid_argument, "to must be a date (2024-05-01) or an RFC 3339 time with its zone",
                        "to", "rfc3339");
  }
  const bool by_aggregate = !query.aggregate_type.empty() || !query.aggregate_id.empty();
  if (by_aggregate && (query.aggregate_type.empty() || query.aggregate_id.empty()))
    return make_error(Errc::invalid_argument, "an aggregate needs both its type and its id", "aggregate",
                      "type-and-id");
  AuditPage page;
  if (by_aggregate) {
    XYD_RETURN_IF_ERROR(aggregate_page(view, query, from_ms, to_ms, page));
    return page;
  }
  std::optional<IndexEntry> resume;
  if (!query.cursor.empty()) {
    resume = decode_resume(query.cursor);
    if (!resume) return bad_cursor();
  }
  std::string base(1, query.actor.empty() ? kTimeIndex : kActorIndex);
  if (!query.actor.empty()) append_part(base, query.actor);
  XYD_RETURN_IF_ERROR(index_page(view, base, from_ms, to_ms, resume, query.limit, query.names, page));
  return page;
}

}  // namespace xyd::projections::audit

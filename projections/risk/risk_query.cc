#include "projections/risk/risk_query.h"

#include "events/numbers.h"
#include "projections/keys.h"
#include "projections/risk/risk_projection.h"

namespace xyd::projections::risk {
namespace {

using nlohmann::json;

std::string str(const json& data, const char* name) {
  auto it = data.find(name);
  return it != data.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<json> row_at(const ViewReader& view, const std::string& key) {
  XYD_ASSIGN_OR_RETURN(auto stored, view.get(key));
  if (!stored) return json();
  json row = json::parse(*stored, nullptr, false);
  if (row.is_discarded()) return make_error(Errc::corrupt, "risk row does not decode");
  return row;
}

int severity_rank(const std::string& severity) {
  return severity == "high" ? 0 : severity == "medium" ? 1 : severity == "low" ? 2 : 3;
}

bool passes(const FeedFilter& filter, const json& entry) {
  return (filter.enterprise.empty() || str(entry, "enterprise") == filter.enterprise) &&
         (filter.kind.empty() || str(entry, "kind") == filter.kind) &&
         (filter.severity.empty() || str(entry, "severity") == filter.severity);
}

}  // namespace

Result<Viewer> viewer_for(const ViewReader& view, const events::Actor& actor, domain::Scope scope) {
  Viewer viewer{actor, scope, {}};
  if (actor.account.empty()) return viewer;
  const std::string prefix = follow_prefix(actor.account);
  XYD_RETURN_IF_ERROR(view.scan(prefix, prefix, [&](std::string_view key, std::string_view) {
    std::string_view rest = key.substr(prefix.size());
    if (auto enterprise = take_part(rest)) viewer.followed.insert(*enterprise);
    return true;
  }));
  return viewer;
}

Result<bool> visible(const ViewReader& view, const Viewer& viewer, const json& entry) {
  const std::string enterprise = str(entry, "enterprise");
  if (viewer.followed.contains(enterprise)) return true;
  const auto& actor = viewer.actor;
  const bool change = str(entry, "kind") == "change";
  switch (viewer.scope) {
    case domain::Scope::none:
      return false;
    case domain::Scope::all:
      return true;
    case domain::Scope::own:
      return !actor.account.empty() && str(entry, "owner") == actor.account;
    case domain::Scope::institution: {
      if (change || actor.institution.empty()) return false;
      if (str(entry, "institution") == actor.institution) return true;
      if (!str(entry, "application").empty()) return false;  // another institution's order
      XYD_ASSIGN_OR_RETURN(auto link, view.get(institution_link_key(enterprise, actor.institution)));
      return link.has_value();
    }
    case domain::Scope::assigned: {
      const std::string application = str(entry, "application");
      if (change || application.empty() || actor.account.empty()) return false;
      XYD_ASSIGN_OR_RETURN(json order, row_at(view, application_key(application)));
      return order.is_object() && str(order, "manager") == actor.account;
    }
    case domain::Scope::region:
      return !change && domain::region_covers(actor.role, actor.region, str(entry, "region"));
  }
  return false;
}

Result<FeedPage> feed_after(const ViewReader& view, uint64_t after, size_t limit, const Viewer* viewer,
                            const FeedFilter& filter, size_t max_scan) {
  FeedPage page;
  page.scanned_to = after;
  if (after == UINT64_MAX) return page;
  size_t looked = 0;
  Status failure;
  auto take = [&](uint64_t sequence, std::string_view bytes) {
    if (page.items.size() >= limit || looked >= max_scan) {
      page.more = true;
      return false;
    }
    ++looked;
    json entry = json::parse(bytes, nullptr, false);
    page.scanned_to = sequence;
    if (entry.is_discarded() || !passes(filter, entry)) return true;
    if (viewer) {
      auto shown = visible(view, *viewer, entry);
      if (!shown.ok()) {
        failure = shown.error();
        return false;
      }
      if (!*shown) return true;
    }
    page.items.push_back(std::move(entry));
    return true;
  };
  if (filter.enterprise.empty()) {
    const std::string prefix(1, kFeed);
    XYD_RETURN_IF_ERROR(view.scan(prefix, feed_key(after + 1), [&](std::string_view key, std::string_view value) {
      return key.size() == 9 ? take(read_be64(key.substr(1)), value) : true;
    }));
  } else {
    std::string prefix(1, kByEnterprise);
    append_part(prefix, filter.enterprise);
    std::string from = prefix;
    append_be64(from, after + 1);
    XYD_RETURN_IF_ERROR(view.scan(prefix, from, [&](std::string_view key, std::string_view) {
      if (key.size() != prefix.size() + 8) return true;
      const uint64_t sequence = read_be64(key.substr(prefix.size()));
      auto row = view.get(feed_key(sequence));
      if (!row.ok()) {
        failure = row.error();
        return false;
      }
      return row->has_value() ? take(sequence, **row) : true;
    }));
  }
  XYD_RETURN_IF_ERROR(failure);
  return page;
}

Result<json> current_warnings(const ViewReader& view, const std::string& enterprise, const Viewer* viewer) {
  std::vector<json> found;
  const std::string prefix = marker_prefix(enterprise);
  Status failure;
  XYD_RETURN_IF_ERROR(view.scan(prefix, prefix, [&](std::string_view, std::string_view value) {
    const auto number = whole_number(value, 0, INT64_MAX);
    if (!number) return true;  // a damaged marker row: skipped, as before
    const auto sequence = static_cast<uint64_t>(*number);
    auto row = row_at(view, feed_key(sequence));
    if (!row.ok()) {
      failure = row.error();
      return false;
    }
    if (!row->is_object()) return true;
    if (viewer) {
      auto shown = visible(view, *viewer, *row);
      if (!shown.ok()) {
        failure = shown.error();
        return false;
      }
      if (!*shown) return true;
    }
    found.push_back(std::move(*row));
    return true;
  }));
  XYD_RETURN_IF_ERROR(failure);
  std::stable_sort(found.begin(), found.end(), [](const json& a, const json& b) {
    const int ra = severity_rank(str(a, "severity")), rb = severity_rank(str(b, "severity"));
    return ra != rb ? ra < rb : a.value("sequence", uint64_t{0}) < b.value("sequence", uint64_t{0});
  });
  return json(found);
}

}  // namespace xyd::projections::risk

// Unit test of the risk-warning projection: a seeded synthetic history of enterprises (risk
// signals, profile changes, follows, delisting) and orders (overdue, settled, written-off loans),
// sealed as real envelopes and applied on an in-memory view, against a plain fold over the same
// events written here from the rule file (no code shared with the projection): the feed, the
// markers, who sees what; another interleaving of the topics gives the same rows (sequences
// survive a rebuild); a changed threshold changes exactly the affected warnings.
#define BOOST_TEST_MODULE risk_unit
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "projections/event_scan.h"
#include "projections/risk/risk_projection.h"
#include "projections/risk/risk_query.h"
#include "projections/sample_events.h"
#include "tests/projections/memory_view.h"

using namespace xyd;
using nlohmann::json;

namespace {

struct Ev {
  std::string type, id, name;
  json data;
  std::string time;
  std::string actor;
};

const std::vector<std::string> kRegions = {"440305", "440106", "110105", "320508"};

std::string time_at(int64_t ms) {  // 2026-01-01T00:00:00.000Z + ms, within one day is enough
  int64_t s = ms / 1000, milli = ms % 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "2026-01-01T%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60), static_cast<long long>(milli));
  return buf;
}

// Events in a global order (each aggregate's in its own order).
std::vector<Ev> history(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  std::vector<Ev> out;
  int64_t ms = 1000;
  auto add = [&](std::string type, std::string id, std::string name, json data, std::string actor = "") {
    if (pick(4) != 0) ms += 1 + pick(50);  // sometimes two events in one millisecond
    out.push_back({std::move(type), std::move(id), std::move(name), std::move(data), time_at(ms), std::move(actor)});
  };
  const int enterprises = 8, orders = 24;
  for (int e = 0; e < enterprises; ++e)
    add("enterprise", "ent-" + std::to_string(e), "EnterpriseRegistered",
        {{"region", kRegions[e % kRegions.size()]}, {"owner", "owner-" + std::to_string(e)}});
  for (int a = 0; a < orders; ++a) {
    const int e = a % enterprises;
    add("application", "app-" + std::to_string(a), "ApplicationSubmitted",
        {{"enterprise", "ent-" + std::to_string(e)}, {"institution", "inst-" + std::to_string(a % 3)},
         {"region", kRegions[e % kRegions.size()]}},
        "owner-" + std::to_string(e));
    add("application", "app-" + std::to_string(a), "ManagerAssigned", {{"manager", "mgr-" + std::to_string(a % 4)}});
  }
  const std::vector<std::string> signals = {"judicial", "tax", "abnormal_operation", "administrative_penalty"};
  const std::vector<std::string> severities = {"low", "medium", "high"};
  std::map<int, bool> settled, whitelisted;
  std::map<std::pair<int, int>, bool> follows;
  for (int step = 0; step < 300; ++step) {
    const int a = pick(orders), e = pick(enterprises), kind = pick(9);
    const std::string app = "app-" + std::to_string(a), ent = "ent-" + std::to_string(e);
    const std::string loan = "L-" + std::to_string(a);
    if (kind == 0 && !settled[a]) {
      add("application", app, "LoanOverdue", {{"loan_number", loan}, {"days_past_due", pick(4) == 0 ? 0 : pick(200)}});
    } else if (kind == 1 && !settled[a] && pick(3) == 0) {
      settled[a] = true;
      add("application", app, pick(2) ? "LoanSettled" : "LoanWrittenOff", {{"loan_number", loan}});
    } else if (kind == 2 || kind == 3) {
      add("enterprise", ent, "RiskSignalRecorded",
          {{"signal_type", signals[pick(4)]}, {"severity", severities[pick(3)]}, {"source", "test"}});
    } else if (kind == 4) {
      add("enterprise", ent, "EnterpriseProfileChanged",
          {{"field", "legal_representative"}, {"before", "A"}, {"after", "B" + std::to_string(step)}, {"source", "t"}});
    } else if (kind == 5 || kind == 6) {
      const int f = pick(3);
      bool& on = follows[{f, e}];
      add("enterprise", ent, on ? "EnterpriseUnfollowed" : "EnterpriseFollowed", {{"account", "fan-" + std::to_string(f)}});
      on = !on;
    } else if (kind == 7) {
      bool& on = whitelisted[e];
      if (on) add("enterprise", ent, "EnterpriseDelisted", {{"reason", "r"}});
      else add("enterprise", ent, "EnterpriseWhitelisted", json::object());
      on = !on;
    } else if (!settled[a]) {
      add("application", app, "LoanOverdue", {{"loan_number", loan}, {"days_past_due", 91 + pick(60)}});
    }
  }
  return out;
}

// The events sealed as the write side stores them (ids, versions, chained hashes), in order.
struct Sealed {
  std::string aggregate;
  log::Record record;
};
std::vector<Sealed> seal(const std::vector<Ev>& events) {
  projections::ChainedEvents chains;
  std::vector<Sealed> out;
  for (const auto& e : events) {
    events::Actor actor;
    actor.account = e.actor;
    auto record = chains.next(e.type, e.id, e.name, e.data, actor, e.time);
    BOOST_REQUIRE_MESSAGE(record.ok(), record.error().to_string());
    log::Record r;
    r.topic = record->topic;
    r.value = record->value;
    out.push_back({e.id, std::move(r)});
  }
  return out;
}

// Another order of the same records: a random merge that keeps each aggregate's order.
std::vector<Sealed> interleave(const std::vector<Sealed>& records, uint32_t seed) {
  std::map<std::string, std::vector<Sealed>> by_aggregate;
  std::vector<std::string> order;
  for (const auto& r : records) {
    if (!by_aggregate.contains(r.aggregate)) order.push_back(r.aggregate);
    by_aggregate[r.aggregate].push_back(r);
  }
  std::mt19937 rng(seed);
  std::map<std::string, size_t> next;
  std::vector<Sealed> out;
  while (out.size() < records.size()) {
    const std::string& id = order[rng() % order.size()];
    if (next[id] < by_aggregate[id].size()) out.push_back(by_aggregate[id][next[id]++]);
  }
  return out;
}

json rule_file() {
  std::ifstream in(std::string(XYD_RULES_DIR) + "/risk-warning.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

test::MemoryView build(const std::vector<Sealed>& records, const json& rules_document) {
  auto rules = projections::parse_rule_set(rules_document.dump(), "test");
  BOOST_REQUIRE_MESSAGE(rules.ok(), rules.error().to_string());
  auto made = projections::risk::risk_spec().make(std::make_shared<projections::RuleSet>(*rules));
  BOOST_REQUIRE_MESSAGE(made.ok(), made.error().to_string());
  test::MemoryView view;
  projections::ScannedEvent scanned;
  for (const auto& sealed : records) {
    BOOST_REQUIRE(projections::scan_event(sealed.record.value, scanned).ok());
    projections::EventContext context{sealed.record, &scanned, nullptr};
    auto applied = (*made)->apply(view, context);
    BOOST_REQUIRE_MESSAGE(applied.ok(), applied.error().to_string());
  }
  return view;
}

std::vector<json> feed(const test::MemoryView& view, const projections::risk::Viewer* viewer = nullptr) {
  auto page = projections::risk::feed_after(view, 0, 1000000, viewer);
  BOOST_REQUIRE(page.ok());
  return std::vector<json>(page->items.begin(), page->items.end());
}

// ---- the independent fold -------------------------------------------------------------------

struct Expected {
  std::map<std::string, json> entries;                        // "<aggregate>|<version>|<rule>" -> facts
  std::map<std::string, std::set<std::string>> markers;       // enterprise -> "rule|subject"
  std::map<std::string, std::set<std::string>> followers;     // account -> enterprises
  std::map<std::string, std::set<std::string>> institutions;  // enterprise -> institutions with orders
  std::map<std::string, json> orders;                         // app -> {enterprise, institution, region, manager, owner}
  std::map<std::string, json> companies;                      // ent -> {region, owner}
};

bool rule_matches(const json& rule, const json& data) {
  if (!rule.contains("when")) return true;
  const json& when = rule["when"];
  const std::string field = when["field"];
  if (!data.contains(field)) return false;
  if (when.contains("at_least")) return data[field].is_number_integer() && data[field].get<int64_t>() >= when["at_least"].get<int64_t>();
  for (const auto& v : when["one_of"])
    if (data[field] == v) return true;
  return false;
}

Expected fold(const std::vector<Ev>& events, const json& rules) {
  Expected x;
  std::map<std::string, int> versions;
  for (const auto& e : events) {
    const int version = ++versions[e.id];
    std::string ent, app, inst, region, owner;
    if (e.type == "enterprise") {
      ent = e.id;
      if (e.name == "EnterpriseRegistered") {
        x.companies[e.id] = {{"region", e.data["region"]}, {"owner", e.data["owner"]}};
        continue;
      }
      region = x.companies[ent]["region"];
      owner = x.companies[ent]["owner"];
    } else {
      app = e.id;
      if (e.name == "ApplicationSubmitted") {
        x.orders[app] = {{"enterprise", e.data["enterprise"]}, {"institution", e.data["institution"]},
                         {"region", e.data["region"]}, {"owner", e.actor}, {"manager", ""}};
        x.institutions[e.data["enterprise"]].insert(e.data["institution"].get<std::string>());
        continue;
      }
      if (e.name == "ManagerAssigned") {
        x.orders[app]["manager"] = e.data["manager"];
        continue;
      }
      ent = x.orders[app]["enterprise"];
      inst = x.orders[app]["institution"];
      region = x.orders[app]["region"];
      owner = x.orders[app]["owner"];
    }
    const std::string subject = e.data.contains("loan_number") ? app + "/" + e.data["loan_number"].get<std::string>()
                                : e.data.contains("signal_type") ? e.data["signal_type"].get<std::string>() : "";
    auto add = [&](const std::string& kind, const std::string& rule, const std::string& severity) {
      std::string key = e.id + "|" + std::to_string(version) + "|" + rule;
      x.entries[key] = {{"kind", kind}, {"rule", rule}, {"severity", severity}, {"enterprise", ent},
                        {"application", app}, {"institution", inst}, {"region", region}, {"owner", owner}};
    };
    if (e.name == "EnterpriseFollowed") x.followers[e.data["account"]].insert(ent);
    if (e.name == "EnterpriseUnfollowed") x.followers[e.data["account"]].erase(ent);
    if (e.name == "EnterpriseProfileChanged") add("change", "enterprise-profile-changed", "info");
    for (const auto& rule : rules["rules"]) {
      const std::string id = rule["id"];
      if (e.name == "LoanSettled" && rule["event"] == "LoanOverdue") x.markers[ent].erase(id + "|" + subject);
      if (e.name == "EnterpriseWhitelisted" && rule["event"] == "EnterpriseDelisted") x.markers[ent].erase(id + "|");
      if (rule["event"] != e.name) continue;
      if (rule_matches(rule, e.data)) {
        add("warning", id, rule["severity"]);
        x.markers[ent].insert(id + "|" + subject);
      } else {
        x.markers[ent].erase(id + "|" + subject);
      }
    }
  }
  return x;
}

std::string key_of(const json& entry) {
  return entry["event"]["aggregate_id"].get<std::string>() + "|" + std::to_string(entry["event"]["version"].get<int64_t>()) +
         "|" + entry["rule"].get<std::string>();
}

}  // namespace

BOOST_AUTO_TEST_CASE(feed_and_markers_match_an_independent_fold) {
  const json rules = rule_file();
  const auto events = history(7);
  const Expected expected = fold(events, rules);
  auto view = build(seal(events), rules);
  const auto entries = feed(view);
  BOOST_REQUIRE_GT(expected.entries.size(), 50u);
  BOOST_TEST(entries.size() == expected.entries.size());
  uint64_t last = 0;
  std::string last_time;
  std::set<std::string> seen;
  for (const auto& entry : entries) {
    const uint64_t sequence = entry["sequence"];
    BOOST_TEST(sequence > last);  // strictly increasing, and with the raising event's time
    BOOST_TEST(entry["event"]["time"].get<std::string>() >= last_time);
    last = sequence;
    last_time = entry["event"]["time"];
    const std::string key = key_of(entry);
    BOOST_TEST_CONTEXT(key) {
      BOOST_TEST_REQUIRE(expected.entries.contains(key));
      BOOST_TEST(seen.insert(key).second);
      const json& want = expected.entries.at(key);
      for (const char* field : {"kind", "rule", "severity", "enterprise", "region", "owner"})
        BOOST_TEST(entry[field] == want[field], field);
      BOOST_TEST(entry["application"] == (want["application"] == "" ? json() : want["application"]));
      BOOST_TEST(entry["institution"] == (want["institution"] == "" ? json() : want["institution"]));
      BOOST_TEST(entry["rule_set"] == "risk-warning");
      BOOST_TEST(entry["rule_set_version"] == rules["version"]);
    }
  }
  // The markers: each enterprise's current warnings.
  int current = 0;
  for (const auto& [ent, markers] : expected.markers) {
    auto warnings = projections::risk::current_warnings(view, ent);
    BOOST_REQUIRE(warnings.ok());
    std::set<std::string> got;
    for (const auto& w : *warnings) got.insert(w["rule"].get<std::string>() + "|" + w["subject"].get<std::string>());
    BOOST_TEST(got == markers, ent);
    current += static_cast<int>(markers.size());
  }
  BOOST_TEST(current > 0);
}

BOOST_AUTO_TEST_CASE(each_caller_sees_what_its_scope_and_follows_allow) {
  const json rules = rule_file();
  const auto events = history(11);
  const Expected x = fold(events, rules);
  auto view = build(seal(events), rules);
  using domain::Scope;
  struct Case {
    std::string role, account, institution, region;
    Scope scope;
  };
  const std::vector<Case> cases = {
      {"enterprise_user", "fan-1", "", "", Scope::own},          {"enterprise_user", "owner-2", "", "", Scope::own},
      {"institution_admin", "ia", "inst-1", "", Scope::institution}, {"account_manager", "mgr-2", "inst-2", "", Scope::assigned},
      {"government_city", "gc", "", "440300", Scope::region},   {"government_province", "gp", "", "440000", Scope::region},
      {"auditor", "au", "", "", Scope::all}};
  for (const auto& c : cases) {
    events::Actor actor;
    actor.account = c.account;
    actor.role = c.role;
    actor.institution = c.institution;
    actor.region = c.region;
    auto viewer = projections::risk::viewer_for(view, actor, c.scope);
    BOOST_REQUIRE(viewer.ok());
    std::set<std::string> want;
    const auto& followed = x.followers.contains(c.account) ? x.followers.at(c.account) : std::set<std::string>();
    for (const auto& [key, e] : x.entries) {
      const std::string ent = e["enterprise"], app = e["application"], region = e["region"];
      const bool change = e["kind"] == "change";
      bool shown = followed.contains(ent);
      if (c.scope == Scope::all) shown = true;
      if (c.scope == Scope::own && e["owner"] == c.account) shown = true;
      if (c.scope == Scope::institution && !change &&
          (e["institution"] == c.institution ||
           (app.empty() && x.institutions.contains(ent) && x.institutions.at(ent).contains(c.institution))))
        shown = true;
      if (c.scope == Scope::assigned && !change && !app.empty() && x.orders.at(app)["manager"] == c.account) shown = true;
      if (c.scope == Scope::region && !change &&
          region.substr(0, c.role == "government_city" ? 4 : 2) == c.region.substr(0, c.role == "government_city" ? 4 : 2))
        shown = true;
      if (shown) want.insert(key);
    }
    std::set<std::string> got;
    for (const auto& entry : feed(view, &*viewer)) got.insert(key_of(entry));
    BOOST_TEST_CONTEXT(c.role << " " << c.account) {
      BOOST_TEST(got.size() == want.size());
      BOOST_TEST((got == want));
      if (c.scope != Scope::all && followed.empty()) BOOST_TEST(got.size() < x.entries.size());
      if (!followed.empty()) BOOST_TEST(!got.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(another_interleaving_gives_the_same_rows) {
  const json rules = rule_file();
  const auto events = history(3);
  const auto sealed = seal(events);
  auto first = build(sealed, rules);
  auto second = build(interleave(sealed, 99), rules);
  BOOST_TEST(first.rows.size() == second.rows.size());
  BOOST_TEST((first.rows == second.rows));
}

BOOST_AUTO_TEST_CASE(a_changed_threshold_changes_exactly_the_affected_warnings) {
  json rules = rule_file();
  const auto events = history(5);
  const auto sealed = seal(events);
  auto before = build(sealed, rules);
  json changed = rules;
  changed["version"] = "test.2";
  int64_t old_threshold = 0;
  for (auto& rule : changed["rules"])
    if (rule["id"] == "loan-overdue-90") {
      old_threshold = rule["when"]["at_least"];
      rule["when"]["at_least"] = old_threshold + 30;
    }
  BOOST_REQUIRE_GT(old_threshold, 0);
  auto after = build(sealed, changed);
  std::map<std::string, json> a, b;
  for (const auto& e : feed(before)) a[key_of(e)] = e;
  for (const auto& e : feed(after)) b[key_of(e)] = e;
  std::set<std::string> gone;
  for (const auto& [key, entry] : a) {
    if (!b.contains(key)) {
      gone.insert(key);
      const int64_t days = entry["details"]["days_past_due"];
      BOOST_TEST(entry["rule"] == "loan-overdue-90");
      BOOST_TEST((days >= old_threshold && days < old_threshold + 30));
      continue;
    }
    json x = entry, y = b[key];
    BOOST_TEST(y["rule_set_version"] == "test.2");
    x.erase("rule_set_version");
    y.erase("rule_set_version");
    BOOST_TEST(x == y, key);  // same sequence, same content
  }
  BOOST_TEST(!gone.empty());
  BOOST_TEST(b.size() + gone.size() == a.size());  // nothing new appeared
  // Exactly the overdue reports between the two thresholds went.
  size_t between = 0;
  for (const auto& e : events)
    if (e.name == "LoanOverdue" && e.data["days_past_due"] >= old_threshold && e.data["days_past_due"] < old_threshold + 30)
      ++between;
  BOOST_TEST(gone.size() == between);
}

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
#include <set>
#include <sstream>

#include "events/json_input.h"
#include "projections/event_scan.h"
#include "projections/memory_view.h"
#include "projections/risk/risk_projection.h"
#include "projections/risk/risk_query.h"
#include "projections/sample_events.h"
#include "tests/projections/risk_history.h"

using namespace xyd;
using namespace xyd::test::risk;
using nlohmann::json;

namespace {

json rule_file() {
  std::ifstream in(std::string(XYD_RULES_DIR) + "/risk-warning.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

projections::MemoryView build(const std::vector<Sealed>& records, const json& rules_document) {
  auto rules = projections::parse_rule_set(rules_document.dump(), "test");
  BOOST_REQUIRE_MESSAGE(rules.ok(), rules.error().to_string());
  auto made = projections::risk::risk_spec().make(std::make_shared<projections::RuleSet>(*rules));
  BOOST_REQUIRE_MESSAGE(made.ok(), made.error().to_string());
  projections::MemoryView view;
  projections::ScannedEvent scanned;
  for (const auto& sealed : records) {
    BOOST_REQUIRE(projections::scan_event(sealed.record.value, scanned).ok());
    projections::EventContext context{sealed.record, &scanned, nullptr};
    auto applied = (*made)->apply(view, context);
    BOOST_REQUIRE_MESSAGE(applied.ok(), applied.error().to_string());
  }
  return view;
}

std::vector<json> feed(const projections::MemoryView& view, const projections::risk::Viewer* viewer = nullptr) {
  auto page = projections::risk::feed_after(view, 0, 1000000, viewer);
  BOOST_REQUIRE(page.ok());
  return std::vector<json>(page->items.begin(), page->items.end());
}
std::string key_of(const json& entry) {
  return entry["event"]["aggregate_id"].get<std::string>() + "|" +
         std::to_string(entry["event"]["version"].get<int64_t>()) + "|" + entry["rule"].get<std::string>();
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
  const std::vector<Case> cases = {{"enterprise_user", "fan-1", "", "", Scope::own},
                                   {"enterprise_user", "owner-2", "", "", Scope::own},
                                   {"institution_admin", "ia", "inst-1", "", Scope::institution},
                                   {"account_manager", "mgr-2", "inst-2", "", Scope::assigned},
                                   {"government_city", "gc", "", "440300", Scope::region},
                                   {"government_province", "gp", "", "440000", Scope::region},
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
      if (c.scope == Scope::assigned && !change && !app.empty() && x.orders.at(app)["manager"] == c.account)
        shown = true;
      if (c.scope == Scope::region && !change &&
          region.substr(0, c.role == "government_city" ? 4 : 2) ==
              c.region.substr(0, c.role == "government_city" ? 4 : 2))
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

// The marker on an order shows an institution's user only what the feed shows it: the enterprise's
// own warnings and those on the institution's orders, never those on another institution's orders.
BOOST_AUTO_TEST_CASE(the_marker_shows_a_reader_only_what_it_may_see) {
  const json rules = rule_file();
  const auto events = history(11);
  const Expected x = fold(events, rules);
  auto view = build(seal(events), rules);
  events::Actor actor;
  actor.account = "ia";
  actor.role = "institution_admin";
  actor.institution = "inst-1";
  auto viewer = projections::risk::viewer_for(view, actor, domain::Scope::institution);
  BOOST_REQUIRE(viewer.ok());
  size_t hidden = 0, shown = 0;
  for (const auto& [ent, markers] : x.markers) {
    auto all = projections::risk::current_warnings(view, ent);
    auto seen = projections::risk::current_warnings(view, ent, &*viewer);
    BOOST_REQUIRE(all.ok() && seen.ok());
    for (const auto& w : *all) {
      const std::string institution = events::string_or(w, "institution");
      const bool expected =
          institution == "inst-1" || (w.value("application", json()).is_null() && x.institutions.contains(ent) &&
                                      x.institutions.at(ent).contains("inst-1"));
      const bool got = std::find(seen->begin(), seen->end(), w) != seen->end();
      BOOST_TEST(got == expected, ent << " " << events::string_or(w, "rule") << " of " << institution);
      (got ? shown : hidden) += 1;
    }
  }
  BOOST_TEST(shown > 0u);
  BOOST_TEST(hidden > 0u);  // the history has warnings on other institutions' orders
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
    if (e.name == "LoanOverdue" && e.data["days_past_due"] >= old_threshold &&
        e.data["days_past_due"] < old_threshold + 30)
      ++between;
  BOOST_TEST(gone.size() == between);
}

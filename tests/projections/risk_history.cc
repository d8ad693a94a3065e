#include "tests/projections/risk_history.h"

#include <boost/test/unit_test.hpp>
#include <random>

#include "projections/sample_events.h"

namespace xyd::test::risk {
namespace {

const std::vector<std::string> kRegions = {"440305", "440106", "110105", "320508"};

std::string time_at(int64_t ms) {  // 2026-01-01T00:00:00.000Z + ms, within one day is enough
  int64_t s = ms / 1000, milli = ms % 1000;
  char buf[40];
  std::snprintf(buf, sizeof buf, "2026-01-01T%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(s / 3600),
                static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60), static_cast<long long>(milli));
  return buf;
}

}  // namespace

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
        {{"enterprise", "ent-" + std::to_string(e)},
         {"institution", "inst-" + std::to_string(a % 3)},
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
      add("enterprise", ent, on ? "EnterpriseUnfollowed" : "EnterpriseFollowed",
          {{"account", "fan-" + std::to_string(f)}});
      on = !on;
    } else if (kind == 7) {
      bool& on = whitelisted[e];
      if (on)
        add("enterprise", ent, "EnterpriseDelisted", {{"reason", "r"}});
      else
        add("enterprise", ent, "EnterpriseWhitelisted", json::object());
      on = !on;
    } else if (!settled[a]) {
      add("application", app, "LoanOverdue", {{"loan_number", loan}, {"days_past_due", 91 + pick(60)}});
    }
  }
  return out;
}

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

// ---- the independent fold -------------------------------------------------------------------

static bool rule_matches(const json& rule, const json& data) {
  if (!rule.contains("when")) return true;
  const json& when = rule["when"];
  const std::string field = when["field"];
  if (!data.contains(field)) return false;
  if (when.contains("at_least"))
    return data[field].is_number_integer() && data[field].get<int64_t>() >= when["at_least"].get<int64_t>();
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
        x.orders[app] = {{"enterprise", e.data["enterprise"]},
                         {"institution", e.data["institution"]},
                         {"region", e.data["region"]},
                         {"owner", e.actor},
                         {"manager", ""}};
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
    const std::string subject = e.data.contains("loan_number")   ? app + "/" + e.data["loan_number"].get<std::string>()
                                : e.data.contains("signal_type") ? e.data["signal_type"].get<std::string>()
                                                                 : "";
    auto add = [&](const std::string& kind, const std::string& rule, const std::string& severity) {
      std::string key = e.id + "|" + std::to_string(version) + "|" + rule;
      x.entries[key] = {{"kind", kind},       {"rule", rule},        {"severity", severity}, {"enterprise", ent},
                        {"application", app}, {"institution", inst}, {"region", region},     {"owner", owner}};
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

}  // namespace xyd::test::risk

// The read models end to end ("Done when"), through `xyd serve` on the backend under
// test: `xyd demo` builds a history over REST; government users of a province and of one of its
// cities are created; the server is stopped and every event is read back from the log itself
// (`xyd log tail`), folded by test code that shares nothing with the projections
// (tests/projections/dashboard_fold.h, statistics_fold.h); the server is started again and every
// dashboard figure, the institution statistics and every ranking it answers over REST must equal
// the fold, for the country, the province and the city, over all time, a year and a month. Region
// scoping (a city user gets its city and a 403 elsewhere) and the CSV / XLSX exports are checked
// on the same data.
#define BOOST_TEST_MODULE read_models
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "aggregates/reference.h"
#include "events/catalog.h"
#include "tests/projections/statistics_fold.h"
#include "tests/support/backend.h"
#include "tests/support/server_process.h"

using namespace std::chrono_literals;
using namespace xyd::test;
using namespace xyd::test::dashboard_fold;
using nlohmann::json;

namespace {

const bool kKafka = xyd::test::on_kafka();
constexpr int kEnterprises = 300;

std::string rules_dir() {
  return XYD_RULES_DIR;
}

struct World {
  std::string data = fresh_dir("read-models");
  std::string run = std::to_string(std::random_device()() % 9000000 + 1000000);
  ServerProcess server{data, "read-models-" + run, {"--address-limit", "0"}};  // the demo registers many users
  std::map<std::string, std::string> tokens;  // "city", "province" (and "operator" implied)
  std::string province, city, other_city, institution;
  std::vector<Ev> events;
  std::string as_of, year, month;

  HttpReply get(const std::string& who, const std::string& path, std::map<std::string, std::string> headers = {}) {
    auto auth = who == "operator" ? server.operator_auth() : bearer(tokens.at(who));
    headers.insert(auth.begin(), auth.end());
    return http_request(server.url(), "GET", path, nullptr, headers, 60s);
  }

  void start() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(120s), "serve did not come up; see " << data << ".server.log");
  }

  // A government account the operator creates, logged in (its initial password changed).
  void government(const std::string& who, const std::string& kind, const std::string& region, int n,
                  const std::string& institution = "") {
    const std::string phone = "16" + run + std::to_string(10 + n);
    json body = {{"phone", phone}, {"kind", kind}, {"region", region}, {"name", who}};
    if (!institution.empty()) body["institution"] = institution;
    auto created = http_request(server.url(), "POST", "/api/v1/accounts", body, server.operator_auth());
    BOOST_REQUIRE_MESSAGE(created.status == 201, who << ": " << created.body.dump());
    const std::string initial = text_after(last_sms(data, phone), "Initial password: ", 16);
    BOOST_REQUIRE_MESSAGE(initial.size() == 16, "no initial password for " << who);
    auto first = http_request(server.url(), "POST", "/api/v1/sessions", {{"phone", phone}, {"password", initial}});
    BOOST_REQUIRE_MESSAGE(first.status == 201, first.body.dump());
    const std::string chosen = "pw-" + phone + "-chosen";
    auto changed = http_request(server.url(), "PUT",
                                "/api/v1/accounts/" + first.body["account"]["id"].get<std::string>() + "/password",
                                {{"current_password", initial}, {"new_password", chosen}}, bearer(first.body["token"]));
    BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
    auto full = http_request(server.url(), "POST", "/api/v1/sessions", {{"phone", phone}, {"password", chosen}});
    BOOST_REQUIRE_EQUAL(full.status, 201);
    tokens[who] = full.body["token"];
  }

  // The child region with the largest loan amount in a dashboard answer (ties: smallest code).
  static std::string busiest(const json& dashboard, const std::string& except = "") {
    std::string best;
    int64_t most = -1;
    if (!dashboard.contains("distribution")) return best;
    for (const auto& [code, item] : dashboard["distribution"]["by_region"]["items"].items()) {
      const int64_t amount = item["loans"]["amount_fen"];
      if (code != except && amount > most) {
        best = code;
        most = amount;
      }
    }
    return best;
  }

  // Every event of the aggregates the read models read, from the log itself.
  void read_log() {
    for (const char* aggregate : {"account", "enterprise", "institution", "product", "demand", "application"}) {
      auto [status, output] = run_command_line(std::string(XYD_BINARY) + " log tail --topic xyd.events." + aggregate +
                                               " --data '" + data + "'" + backend_flags_text() + " 2>/dev/null");
      BOOST_REQUIRE_MESSAGE(status == 0, "xyd log tail " << aggregate << " failed");
      std::istringstream lines(output);
      for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        const json record = json::parse(line);
        const json& e = record["value"];
        const auto* type = xyd::events::EventCatalog::standard().by_type(e["type"].get<std::string>());
        BOOST_REQUIRE_MESSAGE(type != nullptr, "unknown event type " << e["type"]);
        events.push_back({e["aggregatetype"], e["aggregateid"], type->name, e["data"], e["time"]});
      }
    }
  }

  World() {
    start();
    // The demo is idempotent (a rerun replays its commands): on Kafka the first commands can time
    // out while the consumer group still gives a departed member's partitions to this process.
    int status = -1;
    std::string output;
    for (int attempt = 0; attempt < 3 && status != 0; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(5s);
      std::tie(status, output) =
          run_command_line(std::string(XYD_BINARY) + " demo --seed 11 --enterprises " + std::to_string(kEnterprises) +
                           " --http " + server.url() + " --data '" + data + "'" + backend_flags_text() + " 2>&1");
    }
    BOOST_REQUIRE_MESSAGE(status == 0, "xyd demo failed: " << output);
    BOOST_TEST_MESSAGE(output);
    // The busiest province and its busiest city (what the demo made, as the dashboard sees it).
    json country;
    for (int i = 0; i < 100 && busiest(country).empty(); ++i, std::this_thread::sleep_for(200ms))
      country = get("operator", "/api/v1/dashboard?scope=CN").body;
    province = busiest(country);
    BOOST_REQUIRE_MESSAGE(!province.empty(), "no loans in any province: " << country.dump().substr(0, 500));
    const json in_province = get("operator", "/api/v1/dashboard?scope=" + province).body;
    city = busiest(in_province);
    other_city = busiest(in_province, city);
    if (other_city.empty()) other_city = city.substr(0, 2) == "11" ? "310100" : "110100";
    BOOST_REQUIRE(!city.empty());
    government("province", "government_province", province, 1);
    government("city", "government_city", city, 2);
    // An institution admin of the institution with the most loans.
    const json top = get("operator", "/api/v1/rankings/institutions?top=1").body;
    BOOST_REQUIRE_MESSAGE(top["items"].size() == 1, top.dump());
    institution = top["items"][0]["code"];
    government("institution", "institution_admin", top["items"][0]["region"], 3, institution);
    // Stop, read the log, start again: the views must equal the fold of what the log holds.
    server.kill_with(SIGTERM);
    read_log();
    start();
    as_of = busy_day(events);
    std::map<std::string, int> loans_per_month;
    for (const auto& e : events)
      if (e.name == "LoanDisbursed") ++loans_per_month[e.data["disbursed_at"].get<std::string>().substr(0, 7)];
    BOOST_REQUIRE(!loans_per_month.empty());
    month = std::max_element(loans_per_month.begin(), loans_per_month.end(), [](const auto& a, const auto& b) {
              return a.second < b.second;
            })->first;
    year = month.substr(0, 4);
    BOOST_TEST_MESSAGE(events.size() << " events; province " << province << ", city " << city << ", year " << year
                                     << ", month " << month << ", as_of " << as_of);
  }

  // The CST date of the 10th submission, so the "today" figures are not all zero.
  static std::string busy_day(const std::vector<Ev>& all) {
    int seen = 0;
    for (const auto& e : all)
      if (e.name == "ApplicationSubmitted" && ++seen == 10) return cst_day(e.time);
    return "2024-06-15";
  }

  // GET `path` as `who` until it answers `expected` (the views catch up after the restart).
  json until_equal(const std::string& who, const std::string& path, const json& expected,
                   const std::function<json(const json&)>& pick = nullptr) {
    json actual;
    for (int attempt = 0; attempt < 20; ++attempt) {
      auto reply = get(who, path);
      actual = pick && reply.status == 200 ? pick(reply.body) : reply.body;
      if (reply.status == 200 && actual == expected) return actual;
      std::this_thread::sleep_for(500ms);
    }
    BOOST_ERROR(who << " GET " << path
                    << " differs from the fold: " << json::diff(expected, actual).dump().substr(0, 3000));
    return actual;
  }
};

World& world() {
  return shared_setup<World>();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(read_models)

BOOST_AUTO_TEST_CASE(every_dashboard_figure_equals_a_fold_over_the_log) {
  World& w = world();
  const Fold fold(w.events);
  const json country = fold.figures("CN", "all", w.as_of);
  BOOST_TEST(country["loans_disbursed"]["count"].get<int64_t>() > 0);
  BOOST_TEST(country["docking_in_progress"]["count"].get<int64_t>() > 0);
  const std::vector<std::pair<std::string, std::string>> readers = {
      {"operator", "CN"}, {"province", w.province}, {"province", w.city}, {"city", w.city}};
  for (const auto& [who, scope] : readers)
    for (const std::string& period : {std::string("all"), w.year, w.month})
      w.until_equal(who, "/api/v1/dashboard?scope=" + scope + "&period=" + period + "&as_of=" + w.as_of,
                    fold.dashboard(scope, period, w.as_of));
  // This check depends on the day it runs: as_of left to its default is today (CST), and the
  // demo's history ends today.
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() + std::chrono::hours(8));
  const std::chrono::year_month_day ymd(now);
  const std::string today = pad(static_cast<int>(ymd.year()), 4) + "-" +
                            pad(static_cast<int>(static_cast<unsigned>(ymd.month())), 2) + "-" +
                            pad(static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  w.until_equal("operator", "/api/v1/dashboard?period=" + today.substr(0, 4),
                fold.dashboard("CN", today.substr(0, 4), today));
  // A rate is a rate: the numerator of every cohort is part of its denominator.
  for (const std::string& period : {std::string("all"), w.year, w.month}) {
    const json rate = fold.figures("CN", period, w.as_of)["loan_success_rate"];
    BOOST_TEST(rate["numerator"].get<int64_t>() <= rate["denominator"].get<int64_t>(), period);
  }
}

BOOST_AUTO_TEST_CASE(a_city_user_reads_its_city_and_is_refused_elsewhere) {
  World& w = world();
  auto own = w.get("city", "/api/v1/dashboard");
  BOOST_REQUIRE_EQUAL(own.status, 200);
  BOOST_TEST(own.body["scope"]["code"] == w.city);
  for (const std::string& scope : {w.other_city, w.province, std::string("CN")}) {
    auto refused = w.get("city", "/api/v1/dashboard?scope=" + scope);
    BOOST_TEST(refused.status == 403);
    BOOST_TEST(refused.body.value("rule", "") == "scope-region", refused.body.dump());
    BOOST_TEST(w.get("city", "/api/v1/rankings/institutions?scope=" + scope).status == 403);
    BOOST_TEST(w.get("city", "/api/v1/statistics/institutions?region=" + scope).status == 403);
  }
  BOOST_TEST(w.get("province", "/api/v1/dashboard").body["scope"]["code"] == w.province);
  BOOST_TEST(w.get("province", "/api/v1/dashboard?scope=CN").status == 403);
  auto bad = w.get("operator", "/api/v1/dashboard?period=2024-13");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.body.value("field", "") == "period");
  auto city_ranking = w.get("city", "/api/v1/rankings/regions");
  BOOST_TEST(city_ranking.status == 400);
  BOOST_TEST(city_ranking.body.value("rule", "") == "ranking-scope-level");
}

BOOST_AUTO_TEST_CASE(an_institution_user_reads_its_own_statistics_only) {
  World& w = world();
  auto own = w.get("institution", "/api/v1/statistics/institutions");
  BOOST_REQUIRE_EQUAL(own.status, 200);
  BOOST_REQUIRE_EQUAL(own.body["items"].size(), 1u);
  BOOST_TEST(own.body["items"][0]["institution"] == w.institution);
  BOOST_TEST(w.get("institution", "/api/v1/dashboard").status == 403);
  BOOST_TEST(w.get("institution", "/api/v1/rankings/institutions").status == 403);
  BOOST_TEST(w.get("institution", "/api/v1/statistics/institutions?format=csv").raw.find(w.institution) !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(institution_statistics_equal_a_fold_over_the_log) {
  World& w = world();
  const InstitutionFold fold(w.events);
  auto expected = [&](const std::string& scope, const std::string& period, const std::string& type) {
    json items = json::array();
    const std::string on = Fold::stock_day(period, w.as_of);
    for (const auto& [id, inst] : fold.institutions) {
      if (!type.empty() && inst.type != type) continue;
      if (scope != "CN" && !xyd::domain::region_scope_covers(scope, fold.region_at(id, on))) continue;
      json item = {{"institution", id}, {"name", inst.name}, {"type", inst.type}, {"region", fold.region_at(id, on)}};
      for (const auto& [figure, value] : fold.figures(id, period, w.as_of))
        item[figure.ends_with("amount") ? figure + "_fen" : figure] = value;
      items.push_back(item);
    }
    return items;
  };
  auto items = [](const json& body) { return body["items"]; };
  const std::string y = w.year, m = std::to_string(std::stoi(w.month.substr(5)));
  const std::string as_of = "as_of=" + w.as_of;
  w.until_equal("operator", "/api/v1/statistics/institutions?" + as_of, expected("CN", "all", ""), items);
  w.until_equal("operator", "/api/v1/statistics/institutions?year=" + y + "&" + as_of, expected("CN", w.year, ""),
                items);
  w.until_equal("operator", "/api/v1/statistics/institutions?year=" + y + "&month=" + m + "&type=bank&" + as_of,
                expected("CN", w.month, "bank"), items);
  w.until_equal("province", "/api/v1/statistics/institutions?year=" + y + "&" + as_of, expected(w.province, w.year, ""),
                items);
  w.until_equal("city", "/api/v1/statistics/institutions?" + as_of, expected(w.city, "all", ""), items);
  // A past year reads its stock figures at its last day.
  const std::string before = std::to_string(std::stoi(y) - 1);
  w.until_equal("operator", "/api/v1/statistics/institutions?year=" + before + "&" + as_of, expected("CN", before, ""),
                items);
  auto bad = w.get("operator", "/api/v1/statistics/institutions?month=3");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST(bad.body.value("field", "") == "year");
}

BOOST_AUTO_TEST_CASE(every_ranking_equals_a_fold_over_the_log) {
  World& w = world();
  const Fold fold(w.events);
  const InstitutionFold institutions(w.events);
  std::ifstream rules_file(rules_dir() + "/ranking.json");
  BOOST_REQUIRE_MESSAGE(rules_file, "cannot read " << rules_dir() << "/ranking.json");
  const json rules = json::parse(rules_file);
  // Ranks as the API documents: value descending, then code ascending; the composite is
  // Σ floor(weight × value × 10000 / max of that figure among the candidates).
  auto ranked = [](std::vector<std::pair<std::string, std::map<std::string, int64_t>>> candidates,
                   const std::string& by, const json& weights) {
    std::vector<std::pair<int64_t, std::string>> order;
    for (const auto& [code, figures] : candidates) {
      int64_t value = 0;
      if (by != "composite")
        value = figures.at(by);
      else
        for (const auto& [figure, weight] : weights.items()) {
          int64_t max = 0;
          for (const auto& [other, f] : candidates) max = std::max(max, f.at(figure));
          if (max > 0)
            value += static_cast<int64_t>(static_cast<long double>(weight.get<int64_t>()) * figures.at(figure) * 10000 /
                                          max);
        }
      order.emplace_back(value, code);
    }
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    json items = json::array();
    for (const auto& [value, code] : order) items.push_back({{"code", code}, {"value", value}});
    return items;
  };
  auto codes_and_values = [](const json& body) {
    json out = json::array();
    for (const auto& item : body["items"]) out.push_back({{"code", item["code"]}, {"value", item["value"]}});
    return out;
  };
  // Regions: the provinces of the country, the cities of the province.
  for (const std::string& scope : {std::string("CN"), w.province}) {
    const auto children = scope == "CN" ? xyd::domain::provinces() : xyd::domain::cities_of(scope);
    for (const std::string& period : {std::string("all"), w.year}) {
      std::vector<std::pair<std::string, std::map<std::string, int64_t>>> candidates;
      for (const auto& region : children) {
        const std::string& r = region.code;
        std::map<std::string, int64_t> f;
        for (const auto& [figure, name] : std::map<std::string, std::string>{
                 {"loan", "loan"}, {"demand", "demand"}, {"credit", "credit"}, {"accepted", "accepted"}}) {
          const Sum s = fold.sum(figure, r, period);
          f[name + "_amount"] = s.amount;
          f[name + "_count"] = s.count;
        }
        // Stock figures at the end of the period or at as_of inside it.
        const std::string on = Fold::stock_day(period, w.as_of);
        const Sum docking = fold.stock("docking", r, on);
        f["docking_amount"] = docking.amount;
        f["docking_count"] = docking.count;
        f["registered_enterprises"] = fold.stock("enterprises", r, on).count;
        f["certified_enterprises"] = fold.stock("certified", r, on).count;
        f["institutions"] = fold.stock("institutions_active", r, on).count;
        f["products"] = fold.sum("products", r, period).count;
        candidates.emplace_back(r, f);
      }
      for (const std::string by : {"loan_amount", "demand_amount", "docking_amount", "loan_count", "demand_count",
                                   "registered_enterprises", "institutions", "products", "composite"})
        w.until_equal("operator",
                      "/api/v1/rankings/regions?top=1000&scope=" + scope + "&period=" + period + "&as_of=" + w.as_of +
                          "&by=" + by,
                      ranked(candidates, by, rules["rankings"]["regions"]), codes_and_values);
    }
  }
  auto composite = w.get("operator", "/api/v1/rankings/regions?by=composite&top=3");
  BOOST_TEST(composite.body["rule_set"]["version"] == rules["version"]);
  BOOST_TEST(composite.body["items"].size() == 3u);
  // Institutions: the country, by type, the province.
  for (const auto& [scope, type] :
       std::vector<std::pair<std::string, std::string>>{{"CN", ""}, {"CN", "bank"}, {w.province, ""}}) {
    std::vector<std::pair<std::string, std::map<std::string, int64_t>>> candidates;
    for (const auto& [id, inst] : institutions.institutions)
      if (!inst.removed && (type.empty() || inst.type == type) &&
          (scope == "CN" || xyd::domain::region_scope_covers(scope, institutions.region_at(id, w.as_of))))
        candidates.emplace_back(id, institutions.figures(id, "all", w.as_of));
    for (const std::string by : {"products", "accepted_count", "accepted_amount", "loan_count", "loan_amount",
                                 "in_progress_count", "in_progress_amount", "composite"})
      w.until_equal(
          "operator",
          "/api/v1/rankings/institutions?top=1000&scope=" + scope + "&type=" + type + "&as_of=" + w.as_of + "&by=" + by,
          ranked(candidates, by, rules["rankings"]["institutions"]), codes_and_values);
  }
  auto top = w.get("operator", "/api/v1/rankings/institutions?by=loan_amount&top=2");
  BOOST_TEST(top.body["items"].size() == 2u);
  BOOST_TEST(w.get("operator", "/api/v1/rankings/institutions?by=nothing").status == 400);
}

BOOST_AUTO_TEST_CASE(tables_export_as_csv_and_xlsx) {
  World& w = world();
  const json statistics = w.get("operator", "/api/v1/statistics/institutions").body;
  auto csv = w.get("operator", "/api/v1/statistics/institutions?format=csv");
  BOOST_REQUIRE_EQUAL(csv.status, 200);
  BOOST_TEST(csv.headers["Content-Type"].starts_with("text/csv"));
  BOOST_TEST(csv.raw.starts_with("\xEF\xBB\xBF机构编号,机构名称"));
  size_t lines = 0;
  for (size_t at = csv.raw.find("\r\n"); at != std::string::npos; at = csv.raw.find("\r\n", at + 2)) ++lines;
  BOOST_TEST(lines == statistics["items"].size() + 1);
  for (const auto& item : statistics["items"])
    BOOST_TEST(csv.raw.find(item["institution"].get<std::string>() + ",") != std::string::npos);
  auto xlsx = w.get("operator", "/api/v1/rankings/regions?top=5",
                    {{"Accept", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}});
  BOOST_REQUIRE_EQUAL(xlsx.status, 200);
  BOOST_TEST(xlsx.raw.starts_with("PK\x03\x04"));
  auto trend = w.get("city", "/api/v1/dashboard?format=csv&table=trend");
  BOOST_REQUIRE_EQUAL(trend.status, 200);
  const json city_months = w.get("city", "/api/v1/dashboard").body["trend"]["months"];
  BOOST_REQUIRE(!city_months.empty());
  for (const auto& month : city_months)
    BOOST_TEST(trend.raw.find("\r\n" + month["period"].get<std::string>() + ",") != std::string::npos);
  BOOST_TEST(w.get("operator", "/api/v1/dashboard?format=pdf").status == 400);
  BOOST_TEST(w.get("operator", "/api/v1/dashboard?format=csv&table=nothing").status == 400);
}

BOOST_AUTO_TEST_SUITE_END()

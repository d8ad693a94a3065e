#include "projections/dashboard/dashboard_keys.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "events/catalog.h"
#include "events/money.h"
#include "events/numbers.h"
#include "projections/keys.h"

namespace xyd::projections::dashboard {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

std::optional<std::chrono::year_month_day> parse_ymd(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
  if (!all_digits(date.substr(0, 4)) || !all_digits(date.substr(5, 2)) || !all_digits(date.substr(8, 2)))
    return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(number(date.substr(0, 4))),
                                  std::chrono::month(static_cast<unsigned>(number(date.substr(5, 2)))),
                                  std::chrono::day(static_cast<unsigned>(number(date.substr(8, 2))))};
  if (!ymd.ok()) return std::nullopt;
  return ymd;
}

std::string format_ymd(const std::chrono::year_month_day& ymd) {
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return out;
}

}  // namespace

std::vector<ScopeOf> scopes_of(std::string_view region) {
  std::vector<ScopeOf> out;
  const bool well_formed = region.size() == 6 && all_digits(region);
  const std::string province = well_formed ? std::string(region.substr(0, 2)) + "0000" : "";
  const std::string city = well_formed ? std::string(region.substr(0, 4)) + "00" : "";
  out.push_back({std::string(kCountry), province});
  if (!well_formed) return out;
  out.push_back({province, city});
  if (city != province) out.push_back({city, std::string(region)});
  return out;
}

bool is_date(std::string_view date) {
  return parse_ymd(date).has_value();
}

std::vector<std::string> periods_of(std::string_view date, bool with_day) {
  std::vector<std::string> out = {std::string(kAllTime)};
  if (!is_date(date)) return out;
  out.emplace_back(date.substr(0, 4));
  out.emplace_back(date.substr(0, 7));
  if (with_day) out.emplace_back(date);
  return out;
}

std::optional<std::string> cst_date(std::string_view t) {
  auto instant = cst_instant(t);
  if (!instant) return std::nullopt;
  return instant->substr(0, 10);
}

std::optional<std::string> cst_instant(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)
  if (t.size() < 20 || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' || t[16] != ':')
    return std::nullopt;
  auto ymd = parse_ymd(t.substr(0, 10));
  if (!ymd || !all_digits(t.substr(11, 2)) || !all_digits(t.substr(14, 2)) || !all_digits(t.substr(17, 2)))
    return std::nullopt;
  size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  }
  int offset_minutes = 0;
  std::string_view zone = t.substr(i);
  if (zone == "Z" || zone == "z") {
    offset_minutes = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
             all_digits(zone.substr(1, 2)) && all_digits(zone.substr(4, 2))) {
    offset_minutes = number(zone.substr(1, 2)) * 60 + number(zone.substr(4, 2));
    if (zone[0] == '-') offset_minutes = -offset_minutes;
  } else {
    return std::nullopt;
  }
  const int local_minutes = number(t.substr(11, 2)) * 60 + number(t.substr(14, 2));
  // Minutes since local midnight, moved to UTC and then to UTC+8; whole days carry over.
  const int cst_minutes = local_minutes - offset_minutes + 8 * 60;
  const int day_shift = cst_minutes >= 0 ? cst_minutes / (24 * 60) : -((-cst_minutes + 24 * 60 - 1) / (24 * 60));
  const int minute_of_day = cst_minutes - day_shift * 24 * 60;
  std::chrono::sys_days day = std::chrono::sys_days(*ymd) + std::chrono::days(day_shift);
  char clock[32];
  std::snprintf(clock, sizeof clock, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return format_ymd(std::chrono::year_month_day(day)) + "T" + clock + std::string(t.substr(16, i - 16));
}

std::string period_end(std::string_view period) {
  if (period.size() == 4) return std::string(period) + "-12-31";
  auto first = parse_ymd(std::string(period) + "-01");
  if (!first) return std::string(period);
  const std::chrono::year_month_day_last last{first->year(), std::chrono::month_day_last{first->month()}};
  return format_ymd(std::chrono::year_month_day(last));
}

std::string cst_today() {
  const auto now = std::chrono::system_clock::now() + std::chrono::hours(8);
  return format_ymd(std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now)));
}

std::string add_days(std::string_view date, int days) {
  auto ymd = parse_ymd(date);
  if (!ymd) return std::string(date);
  return format_ymd(std::chrono::year_month_day(std::chrono::sys_days(*ymd) + std::chrono::days(days)));
}

std::string counter_prefix(std::string_view scope, std::string_view period) {
  return parts_key(std::string(1, kCounterRow), scope, period);
}

std::string counter_key(std::string_view scope, std::string_view period, std::string_view figure,
                        std::string_view dim) {
  return parts_key(counter_prefix(scope, period), figure, dim);
}

std::string trend_prefix(std::string_view scope) {
  return parts_key(std::string(1, kTrendRow), scope);
}

std::string trend_key(std::string_view scope, std::string_view figure, std::string_view period) {
  return parts_key(trend_prefix(scope), figure, period);
}

std::string dynamics_prefix(std::string_view scope) {
  return parts_key(std::string(1, kDynamicsRow), scope);
}

std::string inverted_date(std::string_view date) {
  std::string out;
  for (char c : date)
    if (c >= '0' && c <= '9') out.push_back(static_cast<char>('9' - (c - '0')));
  return out;
}

std::string dynamics_key(std::string_view scope, std::string_view date, std::string_view application,
                         std::string_view loan_number) {
  return parts_key(dynamics_prefix(scope) + inverted_date(date), application, loan_number);
}

std::string state_key(std::string_view kind, std::string_view id) {
  return parts_key(std::string(1, kStateRow), kind, id);
}

std::string stock_prefix(std::string_view scope, char grain) {
  return parts_key(std::string(1, kStockRow), scope) + grain;
}

std::string stock_key(std::string_view scope, std::string_view period, std::string_view figure, std::string_view dim) {
  return parts_key(stock_prefix(scope, stock_grain(period)), period, figure, dim);
}

std::string cohort_prefix(std::string_view scope, std::string_view period) {
  return parts_key(std::string(1, kCohortRow), scope, period);
}

std::string cohort_key(std::string_view scope, std::string_view period, std::string_view first_drawdown) {
  return parts_key(cohort_prefix(scope, period), first_drawdown);
}

Counter parse_counter(std::string_view value) {
  Counter c;
  const size_t space = value.find(' ');
  c.count = whole_number(value.substr(0, space), INT64_MIN, INT64_MAX).value_or(0);
  if (space != std::string_view::npos)
    c.amount = whole_number(value.substr(space + 1), INT64_MIN, INT64_MAX).value_or(0);
  return c;
}

std::string format_counter(const Counter& c) {
  return std::to_string(c.count) + " " + std::to_string(c.amount);
}

int64_t int_at(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string text_at(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag_at(const nlohmann::json& object, const char* field) {
  auto it = object.find(field);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

Result<Counter> add_counters(const Counter& a, const Counter& b, std::string_view key) {
  auto count = events::checked_add(a.count, b.count);
  auto amount = events::checked_add(a.amount, b.amount);
  if (!count || !amount)
    return make_error(Errc::corrupt, "dashboard counter " + std::string(key) + " would overflow int64", "amount",
                      "amount-ceiling");
  return Counter{*count, *amount};
}

Status bump_counter(ViewWriter& view, const std::string& key, Counter delta) {
  XYD_ASSIGN_OR_RETURN(auto stored, view.get(key));
  XYD_ASSIGN_OR_RETURN(Counter c, add_counters(stored ? parse_counter(*stored) : Counter{}, delta, key));
  if (c.count == 0 && c.amount == 0) {
    if (stored) view.erase(key);
  } else {
    view.put(key, format_counter(c));
  }
  return Status();
}

Result<nlohmann::json> json_row(ViewWriter& view, const std::string& key, const std::string& what) {
  XYD_ASSIGN_OR_RETURN(auto stored, view.get(key));
  if (!stored) return nlohmann::json();
  nlohmann::json parsed = nlohmann::json::parse(*stored, nullptr, false);
  if (!parsed.is_object()) return make_error(Errc::corrupt, what + " does not decode");
  return parsed;
}

Status sum_stock_changes(const ViewReader& view, const std::function<std::string(char grain)>& prefix,
                         const std::string& date,
                         const std::function<void(std::string_view rest, const Counter& change)>& add) {
  auto sum = [&](char grain, const std::string& from, auto&& keep) {
    const std::string grain_prefix = prefix(grain);
    std::string start = grain_prefix;
    append_part(start, from);
    start.resize(start.size() - 2);  // without the terminator: from the first period >= `from`
    return view.scan(grain_prefix, start, [&](std::string_view key, std::string_view value) {
      std::string_view rest = key.substr(grain_prefix.size());
      auto period = take_part(rest);
      if (!period) return true;
      if (!keep(*period)) return false;
      add(rest, parse_counter(value));
      return true;
    });
  };
  const std::string year = date.substr(0, 4), month = date.substr(0, 7);
  XYD_RETURN_IF_ERROR(sum('Y', "", [&](const std::string& p) { return p < year; }));
  XYD_RETURN_IF_ERROR(sum('M', year, [&](const std::string& p) { return p < month; }));
  return sum('D', month, [&](const std::string& p) { return p <= date; });
}

char stock_grain(std::string_view period) {
  return period.size() == 4 ? 'Y' : period.size() == 7 ? 'M' : 'D';
}

nlohmann::json timeline_of(const nlohmann::json& row) {
  auto it = row.find("timeline");
  return it != row.end() && it->is_array() ? *it : nlohmann::json::array();
}

void walk_timelines(const nlohmann::json& first, const nlohmann::json& second,
                    const std::function<void(const nlohmann::json* first_state, const nlohmann::json* second_state,
                                             const std::string& instant)>& step) {
  auto instant_of = [](const nlohmann::json& entry) {
    return entry.is_array() && !entry.empty() && entry[0].is_string() ? entry[0].get<std::string>() : std::string();
  };
  const size_t first_size = first.is_array() ? first.size() : 0, second_size = second.is_array() ? second.size() : 0;
  size_t i = 0, j = 0;
  const nlohmann::json* first_state = nullptr;
  const nlohmann::json* second_state = nullptr;
  while (i < first_size || j < second_size) {
    const bool take_first = j == second_size || (i < first_size && instant_of(first[i]) <= instant_of(second[j]));
    const nlohmann::json& entry = take_first ? first[i++] : second[j++];
    (take_first ? first_state : second_state) = &entry;
    step(first_state, second_state, instant_of(entry));
  }
}

std::optional<DockingEnd> docking_end(const nlohmann::json& order, const std::string& date) {
  if (!flag_at(order, "accepted")) return std::nullopt;
  const std::string accepted = text_at(order, "accepted_on"), ended = text_at(order, "docking_ended");
  std::string end = is_date(date) && date > accepted ? date : accepted;
  if (!ended.empty() && ended <= end) return std::nullopt;
  return DockingEnd{std::move(end), ended};
}

Result<std::optional<RelevantEvent>> relevant_event(const EventContext& context, const std::set<std::string>& names) {
  if (context.event == nullptr) return std::optional<RelevantEvent>();
  const auto* type = events::EventCatalog::standard().by_type(context.event->type);
  if (type == nullptr || !names.contains(type->name)) return std::optional<RelevantEvent>();
  // Bring older schema versions up to date before reading data.
  XYD_ASSIGN_OR_RETURN(events::Envelope envelope,
                       events::EventCatalog::standard().upcast(context.event->to_envelope()));
  return std::optional<RelevantEvent>(RelevantEvent{type->name, std::move(envelope)});
}

}  // namespace xyd::projections::dashboard

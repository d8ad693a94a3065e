#include "connectors/bank_results_projection.h"

#include <cstdio>

#include "aggregates/fields.h"
#include "connectors/bank_result.h"
#include "connectors/dead_letter.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "projections/dashboard/dashboard_keys.h"
#include "projections/keys.h"

namespace xyd::connectors {
namespace {

using nlohmann::json;
using projections::append_part;

const char* const kFigures[] = {"credit_granted", "credit_declined",  "loan_disbursed", "repayment_received",
                                "loan_overdue",   "loan_written_off", "rejected"};

std::string result_key(const std::string& institution, const std::string& serial) {
  std::string key = "r";
  append_part(key, institution);
  append_part(key, serial);
  return key;
}
std::string errors_prefix(const std::string& institution) {
  std::string key = "e";
  append_part(key, institution);
  return key;
}
std::string seen_key(const std::string& id) {
  std::string key = "x";
  append_part(key, id);
  return key;
}
std::string counter_key(const std::string& institution, const std::string& date, const std::string& figure) {
  std::string key = "k";
  append_part(key, institution);
  append_part(key, date);
  append_part(key, figure);
  return key;
}

Status add_counter(projections::ViewWriter& view, const std::string& key, int64_t amount) {
  XYD_ASSIGN_OR_RETURN(auto current, view.get(key));
  int64_t count = 0, total = 0;
  if (current) std::sscanf(current->c_str(), "%ld %ld", &count, &total);
  view.put(key, std::to_string(count + 1) + " " + std::to_string(total + amount));
  return Status();
}

// The rejections a stored row counts (0 when it has none).
int64_t rejections(const std::string& row) {
  auto count = domain::required_int(json::parse(row, nullptr, false), "rejections", 0);
  return count.ok() ? *count : 0;
}

// "xyd.application.loan_disbursed.v1" -> "loan_disbursed" for the results a bank reports.
std::string result_type_of(std::string_view type) {
  constexpr std::string_view prefix = "xyd.application.";
  if (!type.starts_with(prefix)) return "";
  type.remove_prefix(prefix.size());
  const auto dot = type.find('.');
  std::string name(type.substr(0, dot));
  return command_name(name).empty() ? "" : name;
}

// The bank_results projection: applies application events that carry a serial and dead letters
// of xyd.dlq (see the header). Called by its version's applying thread only.
class BankResultsProjection final : public projections::Projection {
 public:
  Status apply(projections::ViewWriter& view, const projections::EventContext& context) override {
    if (context.record.topic == kDeadLetterTopic) return apply_dead_letter(view, context.record);
    if (!context.event) return Status();
    const auto& event = *context.event;
    const std::string type = result_type_of(event.type);
    if (type.empty() || event.data.find("\"serial\"") == std::string_view::npos) return Status();
    const json data = event.data_json();
    auto serial = domain::required_string(data, "serial");
    const std::string institution(event.actor_institution);
    if (!serial.ok() || institution.empty()) return Status();
    std::string date = business_date(type, data);
    if (date.empty()) date = projections::dashboard::cst_date(event.time).value_or("");
    const int64_t amount = result_amount(type, data);
    const std::string key = result_key(institution, *serial);
    XYD_ASSIGN_OR_RETURN(auto existing, view.get(key));
    json row = {
        {"serial", *serial},
        {"institution", institution},
        {"outcome", "applied"},
        {"type", type},
        {"application", std::string(event.aggregate_id)},
        {"amount", amount},
        {"business_date", date},
        {"event", {{"id", std::string(event.id)}, {"version", event.version}, {"time", std::string(event.time)}}},
        {"rejections", 0}};
    if (existing) row["rejections"] = rejections(*existing);
    view.put(key, row.dump());
    return add_counter(view, counter_key(institution, date, type), amount);
  }

 private:
  Status apply_dead_letter(projections::ViewWriter& view, const log::Record& record) {
    auto letter = dead_letter_from_json(record.value);
    if (!letter.ok() || letter->source != "bank-result" || letter->institution.empty()) return Status();
    XYD_ASSIGN_OR_RETURN(auto seen, view.get(seen_key(letter->id)));
    if (seen) return Status();  // delivered twice: counted once
    view.put(seen_key(letter->id), "");
    std::string error_key = errors_prefix(letter->institution);
    projections::append_be64(error_key, static_cast<uint64_t>(letter->received_ms));
    append_part(error_key, letter->id);
    view.put(error_key, record.value);
    json reason = {{"status", letter->status},
                   {"detail", letter->reason.message},
                   {"field", letter->reason.field},
                   {"rule", letter->reason.rule}};
    if (!letter->serial.empty()) {
      const std::string key = result_key(letter->institution, letter->serial);
      XYD_ASSIGN_OR_RETURN(auto existing, view.get(key));
      json row = existing ? json::parse(*existing, nullptr, false) : json();
      const bool applied = row.is_object() && row.contains("outcome") && row["outcome"] == "applied";
      const int64_t before = existing ? rejections(*existing) : 0;
      if (!applied) {
        row = {{"serial", letter->serial},
               {"institution", letter->institution},
               {"outcome", "rejected"},
               {"type", letter->type},
               {"application", letter->application},
               {"amount", letter->amount},
               {"business_date", letter->business_date},
               {"rejections", 0}};
        row["reason"] = reason;
        row["dead_letter"] = letter->id;
      }
      row["rejections"] = before + 1;
      row["last_rejection"] = reason;
      view.put(key, row.dump());
    }
    std::string date = letter->business_date;
    if (date.empty())
      date = projections::dashboard::cst_date(events::rfc3339_from_ms(letter->received_ms)).value_or("");
    return add_counter(view, counter_key(letter->institution, date, "rejected"), letter->amount);
  }
};

}  // namespace

projections::ProjectionSpec bank_results_spec() {
  projections::ProjectionSpec spec;
  spec.name = kBankResultsView;
  spec.description = "bank results by serial, the per-bank dead letters and daily reconciliation";
  spec.topics = {events::topic_for("application"), std::string(kDeadLetterTopic)};
  spec.make = [](std::shared_ptr<const projections::RuleSet>) -> Result<std::unique_ptr<projections::Projection>> {
    return std::unique_ptr<projections::Projection>(new BankResultsProjection());
  };
  return spec;
}

Result<std::optional<json>> result_by_serial(const projections::ViewReader& view, const std::string& institution,
                                             const std::string& serial) {
  XYD_ASSIGN_OR_RETURN(auto row, view.get(result_key(institution, serial)));
  if (!row) return std::optional<json>();
  return std::optional<json>(json::parse(*row, nullptr, false));
}

Result<json> errors_page(const projections::ViewReader& view, const std::string& institution, const std::string& after,
                         size_t limit) {
  const std::string prefix = errors_prefix(institution);
  std::string from = prefix;
  if (!after.empty()) {
    auto decoded = projections::from_hex(after);
    if (!decoded)
      return make_error(Errc::invalid_argument, "after is the next_after of a previous page", "after", "cursor");
    from = prefix + *decoded + std::string(1, '\0');
  }
  json page = {{"items", json::array()}, {"next_after", nullptr}};
  std::string last;
  XYD_RETURN_IF_ERROR(view.scan(prefix, from, [&](std::string_view key, std::string_view value) {
    if (page["items"].size() == limit) {
      page["next_after"] = projections::to_hex(last);
      return false;
    }
    page["items"].push_back(json::parse(value, nullptr, false));
    last = std::string(key.substr(prefix.size()));
    return true;
  }));
  return page;
}

Result<json> reconciliation(const projections::ViewReader& view, const std::string& institution,
                            const std::string& date) {
  json figures = json::object();
  for (const char* figure : kFigures) {
    XYD_ASSIGN_OR_RETURN(auto row, view.get(counter_key(institution, date, figure)));
    int64_t count = 0, amount = 0;
    if (row) std::sscanf(row->c_str(), "%ld %ld", &count, &amount);
    figures[figure] = {{"count", count}, {"amount_fen", amount}};
  }
  return json{{"institution", institution}, {"date", date}, {"figures", figures}};
}

}  // namespace xyd::connectors

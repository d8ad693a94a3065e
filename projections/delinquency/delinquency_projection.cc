#include "projections/delinquency/delinquency_projection.h"

#include "events/catalog.h"
#include "projections/keys.h"
#include "projections/view_names.h"

namespace xyd::projections::delinquency {
namespace {

using nlohmann::json;

std::string class_key(std::string_view class_id, std::string_view loan_number) {
  std::string key(1, kClassIndex);
  append_part(key, class_id);
  append_part(key, loan_number);
  return key;
}

int64_t int_or(const json& data, const char* name, int64_t fallback) {
  auto it = data.find(name);
  return it != data.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

}  // namespace

ProjectionSpec delinquency_spec() {
  ProjectionSpec spec;
  spec.name = view::kDelinquency;
  spec.description = "each loan's delinquency class (正常/关注/次级/可疑/损失) by days past due, per the rule set";
  spec.topics = event_topics({"application"});
  spec.rule_set = "delinquency";
  spec.make = [](std::shared_ptr<const RuleSet> rules) -> Result<std::unique_ptr<Projection>> {
    if (!rules)
      return make_error(Errc::invalid_argument, "the delinquency projection needs the delinquency rule set", "rules",
                        "rule-set-file");
    XYD_ASSIGN_OR_RETURN(DelinquencyRules thresholds, delinquency_rules(*rules));
    return std::unique_ptr<Projection>(new DelinquencyProjection(std::move(rules), std::move(thresholds)));
  };
  return spec;
}

std::string loan_key(std::string_view loan_number) {
  std::string key(1, kLoanRow);
  append_part(key, loan_number);
  return key;
}

Status DelinquencyProjection::apply(ViewWriter& view, const EventContext& event) {
  if (event.event == nullptr) return Status();  // the audit view shows what does not decode
  const ScannedEvent& e = *event.event;
  // Only four event types matter; skip the rest without parsing their data.
  static const std::string overdue = "xyd.application.loan_overdue.", disbursed = "xyd.application.loan_disbursed.",
                           written_off = "xyd.application.loan_written_off.", settled = "xyd.application.loan_settled.";
  const bool is_overdue = e.type.starts_with(overdue), is_disbursed = e.type.starts_with(disbursed),
             is_written_off = e.type.starts_with(written_off), is_settled = e.type.starts_with(settled);
  if (!is_overdue && !is_disbursed && !is_written_off && !is_settled) return Status();

  // Bring older schema versions up to date before reading data.
  events::Envelope envelope = e.to_envelope();
  XYD_ASSIGN_OR_RETURN(envelope, events::EventCatalog::standard().upcast(std::move(envelope)));
  const json& data = envelope.data;
  const std::string loan_number = data.value("loan_number", std::string());
  if (loan_number.empty())
    return make_error(Errc::invalid_argument, envelope.type + " carries no loan_number", "data.loan_number",
                      "required");

  const std::string key = loan_key(loan_number);
  XYD_ASSIGN_OR_RETURN(auto stored, view.get(key));
  json row = stored ? json::parse(*stored, nullptr, false) : json::object();
  if (row.is_discarded()) return make_error(Errc::corrupt, "loan row " + loan_number + " does not decode");
  const std::string old_class = row.value("class", std::string());
  if (!stored) {
    row = {{"loan_number", loan_number}, {"application", envelope.aggregate_id},
           {"amount", nullptr},          {"days_past_due", 0},
           {"overdue_principal", 0},     {"as_of", nullptr},
           {"written_off", false},       {"settled", false}};
  }
  if (is_disbursed) {
    row["amount"] = int_or(data, "amount", 0);
    row["disbursed_at"] = data.value("disbursed_at", std::string());
  } else if (is_overdue) {
    row["days_past_due"] = int_or(data, "days_past_due", 0);
    row["overdue_principal"] = int_or(data, "overdue_principal", 0);
    row["as_of"] = data.value("as_of", std::string());
  } else if (is_written_off) {
    row["written_off"] = true;
    row["written_off_amount"] = int_or(data, "amount", 0);
    row["as_of"] = data.value("as_of", std::string());
  } else if (is_settled) {
    row["settled"] = true;
    row["days_past_due"] = 0;
    row["overdue_principal"] = 0;
    row["as_of"] = data.value("settled_at", std::string());
  }
  const int64_t days = row.value("days_past_due", int64_t{0});
  const DelinquencyClass* chosen = nullptr;
  std::string rule;
  if (row.value("written_off", false)) {
    chosen = thresholds_.by_id(thresholds_.written_off_class);
    rule = "written_off_class";
  } else {
    chosen = &thresholds_.classify(days);
    rule = "classes." + chosen->id;  // its threshold is in the rule set of rule_set_version
  }
  row["class"] = chosen->id;
  row["class_label"] = chosen->label;
  row["rule"] = rule;
  row["rule_set"] = rules_->name;
  row["rule_set_version"] = rules_->version;
  row["last_event"] = {{"version", envelope.version}, {"type", envelope.type}};
  view.put(key, row.dump());
  if (old_class != chosen->id) {
    if (!old_class.empty()) view.erase(class_key(old_class, loan_number));
    view.put(class_key(chosen->id, loan_number), {});
  }
  return Status();
}

Result<nlohmann::json> get_loan(const ViewReader& view, const std::string& loan_number) {
  XYD_ASSIGN_OR_RETURN(auto row, view.get(loan_key(loan_number)));
  if (!row)
    return make_error(Errc::not_found, "no loan " + loan_number + " in the delinquency view", "loan_number",
                      "known-loan");
  return json::parse(*row, nullptr, false);
}

Result<nlohmann::json> list_loans(const ViewReader& view, const std::string& class_id, const std::string& cursor,
                                  size_t limit) {
  json items = json::array();
  std::string prefix(1, class_id.empty() ? kLoanRow : kClassIndex);
  if (!class_id.empty()) append_part(prefix, class_id);
  std::string start = prefix;
  std::string after;
  if (!cursor.empty()) {
    after = prefix;
    append_part(after, cursor);
    start = after;
  }
  std::string last;
  bool more = false;
  Status failure;
  XYD_RETURN_IF_ERROR(view.scan(prefix, start, [&](std::string_view key, std::string_view value) {
    std::string_view rest = key.substr(prefix.size());
    auto loan = take_part(rest);
    if (!loan) return true;
    if (!after.empty() && key == after) return true;
    if (items.size() >= limit) {
      more = true;
      return false;
    }
    std::string row_bytes(value);
    if (!class_id.empty()) {
      auto row = view.get(loan_key(*loan));
      if (!row.ok()) {
        failure = row.error();
        return false;
      }
      if (!row->has_value()) return true;
      row_bytes = **row;
    }
    items.push_back(json::parse(row_bytes, nullptr, false));
    last = *loan;
    return true;
  }));
  XYD_RETURN_IF_ERROR(failure);
  return json{{"items", items}, {"next_cursor", more ? json(last) : json()}};
}

}  // namespace xyd::projections::delinquency

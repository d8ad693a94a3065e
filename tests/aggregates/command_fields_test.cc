// A generated property test over every command of the catalog: each declared body field, in
// turn, replaced by every JSON type and by extreme values. A value of the wrong type or out of
// the field's limits is a clean refusal naming the field; anything else decides without an
// exception; no refusal carries events. Also the field dictionary's own rules.
#define BOOST_TEST_MODULE command_fields
#include "aggregates/command_fields.h"

#include <boost/test/unit_test.hpp>
#include <cctype>
#include <set>

#include "aggregates/access.h"
#include "aggregates/aggregate.h"
#include "events/catalog.h"

using namespace xyd;
using namespace xyd::domain;
using nlohmann::json;

namespace {

Command command_of(const std::string& type, const std::string& name, const events::Actor& actor,
                   json body = json::object()) {
  Command c;
  c.id = "prop-" + name;
  c.name = name;
  c.aggregate_type = type;
  c.aggregate_id = "prop-1";
  c.actor = actor;
  c.body = std::move(body);
  return c;
}

// Every (aggregate type, command) pair: the access table's actions that some aggregate decides.
std::vector<std::pair<std::string, std::string>> catalog_commands() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& action : known_actions()) {
    if (action.empty() || !std::isupper(static_cast<unsigned char>(action[0]))) continue;  // queries
    for (const auto& type : events::aggregate_types()) {
      const Command probe = command_of(type, action, {"", "system", "", ""});
      AggregateState existing;
      existing.version = 1;  // past "does not exist", so an unknown command says so
      try {
        auto decided = aggregate_for(type)->decide(existing, probe);
        if (decided.ok() || decided.error().rule != "known-command") out.emplace_back(type, action);
      } catch (const std::exception&) {
        out.emplace_back(type, action);  // it knows the command; the property test reports the throw
      }
    }
  }
  return out;
}

// Values of every JSON type and the extremes of each.
std::vector<json> probes() {
  json deep = json::array();
  for (int i = 0; i < 31; ++i) deep = json::array({deep});
  return {nullptr,
          true,
          false,
          0,
          -1,
          1,
          INT64_MAX,
          INT64_MIN,
          json(UINT64_MAX),
          kMaxAmountFen,
          kMaxAmountFen + 1,
          1.5,
          -1e300,
          "",
          "x",
          "2026-01-01",
          std::string(257, 'x'),
          std::string(5000, 'x'),
          json::array(),
          json::array({"a", "b"}),
          json::array({1, 2}),
          json(std::vector<std::string>(600, "r")),
          json::object(),
          json{{"a", 1}},
          deep};
}

// Whether `value` fits the declared type (the dictionary's rules, restated independently).
bool fits(FieldType type, const json& value) {
  auto integer_in = [&](int64_t max) {
    if (value.is_number_unsigned()) return value.get<uint64_t>() <= uint64_t(max);
    return value.is_number_integer() && value.get<int64_t>() >= 0 && value.get<int64_t>() <= max;
  };
  switch (type) {
    case FieldType::text:
      return value.is_string() && value.get<std::string>().size() <= 256;
    case FieldType::long_text:
      return value.is_string() && value.get<std::string>().size() <= 4096;
    case FieldType::amount:
      return integer_in(kMaxAmountFen);
    case FieldType::count:
      return integer_in(1'000'000'000);
    case FieldType::boolean:
      return value.is_boolean();
    case FieldType::string_list: {
      if (!value.is_array() || value.size() > 512) return false;
      for (const auto& item : value)
        if (!item.is_string() || item.get<std::string>().size() > 256) return false;
      return true;
    }
    case FieldType::object:
      return value.is_object();
    case FieldType::scalar:
      return value.is_primitive() && (!value.is_string() || value.get<std::string>().size() <= 256);
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_catalog_has_every_aggregate_s_commands) {
  auto commands = catalog_commands();
  std::set<std::string> types;
  for (const auto& [type, name] : commands) types.insert(type);
  BOOST_CHECK_EQUAL(types.size(), events::aggregate_types().size());
  BOOST_CHECK_GE(commands.size(), 40u);
}

BOOST_AUTO_TEST_CASE(every_field_of_every_command_refuses_every_wrong_type_and_extreme_cleanly) {
  const auto values = probes();
  AggregateState existing;
  existing.version = 1;
  existing.data = {{"status", "active"}, {"region", "440300"}, {"owner", "acc-1"}};
  size_t decided = 0, refused = 0;
  for (const auto& [type, name] : catalog_commands()) {
    const Aggregate& aggregate = *aggregate_for(type);
    for (const auto& field : command_fields()) {
      for (const auto& value : values) {
        for (const AggregateState& state : {AggregateState{}, existing}) {
          const Command c =
              command_of(type, name, {"acc-1", "system_admin", "", "000000"}, {{std::string(field.name), value}});
          const std::string what = name + " " + std::string(field.name) + "=" + value.dump().substr(0, 40);
          Result<std::vector<NewEvent>> result = make_error(Errc::fatal, "not run");
          try {
            result = decide_checked(aggregate, state, c);
          } catch (const std::exception& e) {
            BOOST_ERROR(what + " threw " + e.what());
            continue;
          }
          ++decided;
          if (!fits(field.type, value)) {
            BOOST_CHECK_MESSAGE(!result.ok(), what + " is refused");
            if (!result.ok()) {
              ++refused;
              BOOST_CHECK_MESSAGE(result.error().code == Errc::invalid_argument && result.error().field == field.name,
                                  what + " is refused naming the field: " + result.error().to_string());
            }
          }
        }
      }
    }
  }
  BOOST_TEST_MESSAGE(decided << " decisions, " << refused << " refusals of wrong types");
  BOOST_CHECK_GT(refused, 10000u);
}

BOOST_AUTO_TEST_CASE(an_undeclared_field_is_refused_except_where_rule_sets_read_the_body) {
  auto refused = check_command_body("PublishDemand", json{{"regoin", "440300"}});
  BOOST_REQUIRE(!refused.ok());
  BOOST_CHECK_EQUAL(refused.error().field, "regoin");
  BOOST_CHECK_EQUAL(refused.error().rule, "known-field");
  BOOST_CHECK(!check_command_body("PublishDemand", json{{std::string(100, 'k'), 1}}).ok());
  BOOST_CHECK(check_command_body("SubmitCertification", json{{"legal_person_id", "x"}}).ok());
  BOOST_CHECK(!check_command_body("SubmitCertification", json{{"legal_person_id", json::object()}}).ok());
  BOOST_CHECK(!check_command_body("PublishDemand", json::array()).ok());
}

BOOST_AUTO_TEST_CASE(amounts_have_a_ceiling_and_never_wrap) {
  BOOST_CHECK(check_command_body("DisburseLoan", json{{"amount", kMaxAmountFen}}).ok());
  auto over = check_command_body("DisburseLoan", json{{"amount", kMaxAmountFen + 1}});
  BOOST_REQUIRE(!over.ok());
  BOOST_CHECK_EQUAL(over.error().rule, "range");
  auto huge = check_command_body("DisburseLoan", json::parse("{\"amount\": 9223372036854775808}"));
  BOOST_REQUIRE(!huge.ok());
  BOOST_CHECK_EQUAL(huge.error().field, "amount");
  BOOST_CHECK(!check_command_body("DisburseLoan", json{{"amount", -1}}).ok());
  BOOST_CHECK(!check_command_body("DisburseLoan", json{{"amount", 1.0}}).ok());
}

// Unit tests of ops/telemetry: request ids and traceparent (accepted, refused, generated), the
// logger's JSON and text lines, the metrics' scrape (families, bounded labels) and the reading of
// librdkafka's statistics into consumer lag.
#define BOOST_TEST_MODULE telemetry_test
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "ops/telemetry/kafka_telemetry.h"
#include "ops/telemetry/logger.h"
#include "ops/telemetry/metrics.h"
#include "ops/telemetry/request_ids.h"

using namespace xyd::telemetry;

namespace {
const std::string kTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

bool is_lower_hex(const std::string& s, size_t length) {
  return s.size() == length && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_CASE(traceparent_is_parsed_when_well_formed) {
  auto parsed = parse_traceparent(kTrace);
  BOOST_REQUIRE(parsed);
  BOOST_CHECK_EQUAL(parsed->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  BOOST_CHECK_EQUAL(parsed->parent_id, "00f067aa0ba902b7");
  BOOST_CHECK_EQUAL(parsed->flags, "01");
  BOOST_CHECK_EQUAL(parsed->to_string(), kTrace);
  // A later version may carry more fields after a dash.
  BOOST_CHECK(parse_traceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"));
}

BOOST_AUTO_TEST_CASE(malformed_traceparents_are_refused) {
  for (const std::string& bad :
       {std::string(),
        std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"),     // short
        std::string("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),    // upper case
        std::string("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),    // zero trace id
        std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),    // zero parent id
        std::string("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),    // forbidden version
        std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"),  // v00 has no more fields
        std::string("00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"),    // separators
        std::string("00-4bf92f3577b34da6a3ce929d0e0e47\n6-00f067aa0ba902b7-01"),   // control character
        std::string(600, 'a')}) {
    BOOST_CHECK_MESSAGE(!parse_traceparent(bad), "accepted: " << bad);
  }
}

BOOST_AUTO_TEST_CASE(request_ids_are_checked_for_length_and_charset) {
  BOOST_CHECK(valid_request_id("req-1"));
  BOOST_CHECK(valid_request_id("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"));
  BOOST_CHECK(valid_request_id(std::string(128, 'x')));
  BOOST_CHECK(!valid_request_id(""));
  BOOST_CHECK(!valid_request_id(std::string(129, 'x')));
  BOOST_CHECK(!valid_request_id("has space"));
  BOOST_CHECK(!valid_request_id("quote\"d"));
  BOOST_CHECK(!valid_request_id("new\nline"));
  BOOST_CHECK(!valid_request_id("\xe4\xbd\xa0"));  // not ASCII
}

BOOST_AUTO_TEST_CASE(a_valid_request_id_is_kept_and_the_trace_carried) {
  auto ids = request_ids("my-request-7", kTrace);
  BOOST_CHECK_EQUAL(ids.request_id, "my-request-7");
  BOOST_CHECK(!ids.request_id_generated);
  auto answered = parse_traceparent(ids.traceparent);
  BOOST_REQUIRE(answered);
  BOOST_CHECK_EQUAL(answered->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");  // the caller's trace
  BOOST_CHECK_NE(answered->parent_id, "00f067aa0ba902b7");                    // this server's span
  BOOST_CHECK_EQUAL(answered->flags, "01");
}

BOOST_AUTO_TEST_CASE(without_a_request_id_the_trace_id_names_the_request) {
  auto ids = request_ids("", kTrace);
  BOOST_CHECK_EQUAL(ids.request_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  BOOST_CHECK(!ids.request_id_generated);
}

BOOST_AUTO_TEST_CASE(invalid_ids_are_replaced_by_fresh_ones) {
  auto first = request_ids("bad id with spaces", "garbage");
  auto second = request_ids("bad id with spaces", "garbage");
  BOOST_CHECK(first.request_id_generated);
  BOOST_CHECK(is_lower_hex(first.request_id, 32));
  BOOST_CHECK_NE(first.request_id, second.request_id);
  auto answered = parse_traceparent(first.traceparent);
  BOOST_REQUIRE(answered);
  BOOST_CHECK_EQUAL(answered->trace_id, first.request_id);
  BOOST_CHECK_EQUAL(answered->flags, "00");
}

BOOST_AUTO_TEST_CASE(levels_and_formats_are_parsed) {
  BOOST_CHECK(parse_level("debug") == Level::debug);
  BOOST_CHECK(parse_level("warn") == Level::warn);
  BOOST_CHECK(!parse_level("verbose"));
  BOOST_CHECK(parse_format("json") == Format::json);
  BOOST_CHECK(!parse_format("xml"));
}

BOOST_AUTO_TEST_CASE(json_lines_carry_level_component_message_and_fields) {
  Logger logger;
  logger.configure(Format::json, Level::info);
  BOOST_CHECK(!logger.enabled(Level::debug));
  BOOST_CHECK(logger.enabled(Level::error));
  const std::string line = logger.format_line(Level::warn, "http", "access \xff", {{"status", 404}, {"msg", "no"}});
  BOOST_CHECK_EQUAL(line.find('\n'), std::string::npos);
  auto entry = nlohmann::json::parse(line);
  BOOST_CHECK_EQUAL(entry["level"], "warn");
  BOOST_CHECK_EQUAL(entry["component"], "http");
  BOOST_CHECK_EQUAL(entry["msg"], "access \xef\xbf\xbd");  // ill-formed UTF-8 replaced, a field cannot overwrite msg
  BOOST_CHECK_EQUAL(entry["status"], 404);
  BOOST_CHECK(entry["ts"].get<std::string>().ends_with("Z"));
}

BOOST_AUTO_TEST_CASE(text_lines_read_as_text) {
  Logger logger;
  logger.configure(Format::text, Level::debug);
  const std::string line = logger.format_line(Level::info, "kafka", "connected", {{"client", "c1"}});
  BOOST_CHECK(line.find(" info kafka: connected client=c1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_scrape_names_the_families_and_counts_what_happened) {
  auto& m = metrics();
  m.http_request("GET", "/api/v1/audit/{type}/{id}", 200, 0.003);
  m.command_decided("register_account", true, false, "", 0.0001);
  m.command_decided("register_account", false, false, "phone-unique", 0.0001);
  m.command_acknowledged("register_account", 0.02);
  m.processor_batch(3, 0.004);
  m.dead_letter("command");
  m.sse_streams(+1);
  auto source = m.add_source([](MetricFamilies& families) {
    auto family = gauge_family("xyd_test_source_value", "a value from a source");
    add_sample(family, {{"name", "x"}}, 42);
    families.push_back(std::move(family));
  });
  const std::string text = m.scrape();
  BOOST_CHECK(
      text.find("xyd_http_requests_total{method=\"GET\",route=\"/api/v1/audit/{type}/{id}\",status=\"200\"} 1") !=
      std::string::npos);
  BOOST_CHECK(text.find("xyd_http_request_duration_seconds_bucket") != std::string::npos);
  BOOST_CHECK(text.find("xyd_commands_total{outcome=\"accepted\",type=\"register_account\"} 1") != std::string::npos);
  BOOST_CHECK(text.find("xyd_commands_total{outcome=\"phone-unique\",type=\"register_account\"} 1") !=
              std::string::npos);
  BOOST_CHECK(text.find("xyd_processor_batch_commands_count 1") != std::string::npos);
  BOOST_CHECK(text.find("xyd_dead_letters_total{source=\"command\"} 1") != std::string::npos);
  BOOST_CHECK(text.find("xyd_sse_open_streams 1") != std::string::npos);
  BOOST_CHECK(text.find("xyd_webhook_deliveries_total{result=\"failed\"} 0") != std::string::npos);
  BOOST_CHECK(text.find("xyd_test_source_value{name=\"x\"} 42") != std::string::npos);
  source.reset();
  BOOST_CHECK(m.scrape().find("xyd_test_source_value") == std::string::npos);
  m.sse_streams(-1);
}

BOOST_AUTO_TEST_CASE(label_values_from_input_are_bounded) {
  auto& m = metrics();
  m.command_decided("weird \"type\"", true, false, "", 0.001);
  for (int i = 0; i < 300; ++i) m.command_decided("bulk_type_" + std::to_string(i), true, false, "", 0.001);
  const std::string text = m.scrape();
  BOOST_CHECK(text.find("weird") == std::string::npos);
  BOOST_CHECK(text.find("type=\"other\"") != std::string::npos);
  BOOST_CHECK(text.find("bulk_type_299") == std::string::npos);  // past the cap
}

BOOST_AUTO_TEST_CASE(librdkafka_statistics_become_consumer_lag) {
  const std::string stats =
      R"({"name":"c#consumer-1","type":"consumer","topics":{"xyd.commands":{"topic":"xyd.commands",
    "partitions":{"0":{"partition":0,"app_offset":13,"committed_offset":10,"hi_offset":21,"ls_offset":20,"consumer_lag":-1},
                  "1":{"partition":1,"app_offset":-1001,"committed_offset":-1001,"hi_offset":5,"ls_offset":5},
                  "2":{"partition":2,"app_offset":4,"committed_offset":9,"hi_offset":9,"ls_offset":-1},
                  "-1":{"partition":-1,"app_offset":-1001,"committed_offset":-1001,"hi_offset":-1001}}}}})";
  record_kafka_statistics("xyd-processor-test", stats);
  record_kafka_statistics("xyd-processor-test", "not json");
  record_kafka_statistics("xyd-processor-test", R"({"topics":[1,2]})");
  const std::string text = metrics().scrape();
  // Partition 0: the last stable offset 20 minus the position 13; partition 2: the high watermark 9
  // minus the committed offset 9.
  BOOST_CHECK(
      text.find("xyd_kafka_consumer_lag{group=\"xyd-processor-test\",partition=\"0\",topic=\"xyd.commands\"} 7") !=
      std::string::npos);
  BOOST_CHECK(
      text.find("xyd_kafka_consumer_lag{group=\"xyd-processor-test\",partition=\"2\",topic=\"xyd.commands\"} 0") !=
      std::string::npos);
  BOOST_CHECK(text.find("partition=\"1\",topic=\"xyd.commands\"") == std::string::npos);
  BOOST_CHECK(text.find("partition=\"-1\"") == std::string::npos);
}

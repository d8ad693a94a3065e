// `xyd log tail` prints a topic's records as JSON lines; `xyd log sample` appends sealed sample
// events (a development aid for looking at the log with kcat or `log tail`).
#include <iostream>

#include "events/catalog.h"
#include "events/codec.h"
#include "events/json_input.h"
#include "events/schema/account.h"
#include "ops/commands.h"

namespace xyd::ops {
namespace {

using namespace std::chrono_literals;

nlohmann::json record_json(const log::Record& r) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& h : r.headers) headers[h.key] = h.value;
  auto parsed = events::parse_json(r.value, events::kRecordLimits, "value");
  nlohmann::json value = parsed.ok() ? std::move(parsed).value() : nlohmann::json(r.value);
  return {{"topic", r.topic}, {"partition", r.partition}, {"offset", r.offset}, {"timestamp", r.timestamp_ms},
          {"key", r.key},     {"headers", headers},       {"value", value}};
}

}  // namespace

int run_log_tail(const CliOptions& options) {
  const std::string topic = options.flag("topic");
  if (topic.empty())
    return fail("log tail",
                make_error(Errc::invalid_argument, "say which topic: --topic xyd.events.account", "topic", "required"));
  const bool follow = options.on("follow");
  auto log_options = options.log_options();
  // Read the embedded log beside a running xyd serve (it holds the lock), as of now.
  log_options.embedded.read_only = !follow;
  auto log = log::open_log(log_options);
  if (!log.ok()) return fail("opening the log", log.error());
  auto partitions = (*log)->partition_count(topic);
  if (!partitions.ok()) return fail("log tail", partitions.error());
  std::map<log::TopicPartition, int64_t> starts, ends;
  for (int32_t p = 0; p < *partitions; ++p) {
    log::TopicPartition tp{topic, p};
    auto begin = (*log)->begin_offset(tp);
    auto end = (*log)->end_offset(tp);
    if (!begin.ok()) return fail("log tail", begin.error());
    if (!end.ok()) return fail("log tail", end.error());
    starts[tp] = *begin;
    ends[tp] = *end;
  }
  auto reader = (*log)->reader();
  if (!reader.ok()) return fail("log tail", reader.error());
  auto assigned = (*reader)->assign(starts);
  if (!assigned.ok()) return fail("log tail", assigned.error());
  // Caught up when the reader's position (past Kafka's transaction markers too) reaches the end.
  auto caught_up = [&]() -> Result<bool> {
    for (const auto& [tp, end] : ends) {
      XYD_ASSIGN_OR_RETURN(int64_t position, (*reader)->position(tp));
      if (position < end) return false;
    }
    return true;
  };
  while (true) {
    if (!follow) {
      auto done = caught_up();
      if (!done.ok()) return fail("log tail", done.error());
      if (*done) break;
    }
    auto records = (*reader)->poll(500ms, 1000);
    if (!records.ok()) return fail("log tail", records.error());
    // Whatever a record holds (ill-formed UTF-8 too), it prints: replaced, never a stopped tail.
    for (const auto& r : *records)
      std::cout << record_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    std::cout.flush();
  }
  return 0;
}

int run_log_sample(const CliOptions& options) {
  const int count = static_cast<int>(options.number("count"));
  auto log = log::open_log(options.log_options());
  if (!log.ok()) return fail("opening the log", log.error());
  auto created = (*log)->create_topics(events::standard_topics(options.partitions));
  if (!created.ok()) return fail("creating the xyd topics", created.error());
  std::vector<log::OutRecord> records;
  const auto& catalog = events::EventCatalog::standard();
  const events::EventType* registered = catalog.by_name(events::account::kAccountRegistered);
  for (int i = 0; i < count; ++i) {
    events::Envelope e;
    e.id = events::uuid_v7();
    e.source = "/xyd/" + options.node + "/sample";
    e.type = registered->type();
    e.schema_version = registered->version;
    e.aggregate_type = "account";
    e.aggregate_id = "acc-" + events::uuid_v7();
    e.subject = e.aggregate_id;
    e.time = events::now_rfc3339();
    e.version = 1;
    e.actor = {e.aggregate_id, "enterprise_user", "", "440300"};
    e.correlation_id = e.id;
    e.data = {{"kind", "enterprise_user"},
              {"phone", "1380013800" + std::to_string(i % 10)},
              {"region", "440300"},
              {"status", "active"}};
    auto sealed = events::seal(e, "");
    if (!sealed.ok()) return fail("log sample", sealed.error());
    // Held to the event's declaration like every event the write side appends.
    if (auto checked = catalog.check_new(e); !checked.ok()) return fail("log sample", checked.error());
    records.push_back(events::to_record(e));
  }
  auto positions = (*log)->append(records);
  if (!positions.ok()) return fail("log sample", positions.error());
  for (const auto& p : *positions) std::cout << p.tp.to_string() << "@" << p.offset << '\n';
  return 0;
}

}  // namespace xyd::ops

#include "tests/support/event_fixture.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>

#include "events/catalog.h"
#include "events/codec.h"

namespace xyd::test {

EventFixture make_fixture(const std::string& name, int32_t partitions) {
  EventFixture f{open_test_log(name), {}, projections::ChainedEvents(), {}, 0};
  f.prefix = f.t.unique_topic(name) + ".events.";
  f.chains = projections::ChainedEvents(f.prefix, "/xyd/test");
  std::vector<log::TopicSpec> topics;
  for (const auto& type : events::aggregate_types()) topics.push_back({f.prefix + type, partitions});
  auto created = f.t.log->create_topics(topics);
  BOOST_REQUIRE_MESSAGE(created.ok(), created.error().to_string());
  return f;
}

void EventFixture::add(const std::string& type, const std::string& id, const std::string& name, nlohmann::json data,
                       events::Actor actor) {
  auto record = chains.next(type, id, name, std::move(data), std::move(actor));
  BOOST_REQUIRE_MESSAGE(record.ok(), record.error().to_string());
  pending.push_back(std::move(record).value());
}

void EventFixture::flush() {
  for (size_t at = 0; at < pending.size(); at += 500) {
    const size_t n = std::min<size_t>(500, pending.size() - at);
    auto appended_now = t.log->append(std::span<const log::OutRecord>(pending.data() + at, n));
    BOOST_REQUIRE_MESSAGE(appended_now.ok(), appended_now.error().to_string());
    appended += n;
  }
  pending.clear();
}

void EventFixture::add_applications(int aggregates, int count, const std::string& stem) {
  static const std::vector<std::string> lifecycle = {"ApplicationSubmitted", "RiskScreened",  "ManagerAssigned",
                                                     "ApplicationAccepted",  "CreditGranted", "LoanDisbursed",
                                                     "RepaymentReceived"};
  for (int i = 0; i < count; ++i) {
    const std::string id = stem + "-" + std::to_string(i % aggregates);
    const auto version = chains.version_of("application", id);
    const std::string& name = lifecycle[std::min<size_t>(static_cast<size_t>(version), lifecycle.size() - 1)];
    add("application", id, name, nlohmann::json::object(),
        {"mgr-" + std::to_string(i % 5), "account_manager", "ins-1", "440300"});
  }
}

projections::runtime::RuntimeOptions EventFixture::runtime_options(const std::string& store, size_t max_batch) const {
  projections::runtime::RuntimeOptions options;
  options.path = store;
  options.rules_dir = XYD_RULES_DIR;
  options.worker.topic_namespace = projections::runtime::namespace_of_events_prefix(prefix);
  options.worker.max_batch = max_batch;
  options.swap_lag = 200;
  return options;
}

std::string fresh_folder(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("xyd-proj-" + std::to_string(getpid()) + "-" + name + "-" + events::uuid_v7().substr(0, 13));
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::vector<std::pair<std::string, std::string>> dump_view(const projections::runtime::ProjectionRuntime& runtime,
                                                           const std::string& name) {
  auto reader = runtime.reader(name);
  BOOST_REQUIRE_MESSAGE(reader.ok(), reader.error().to_string());
  std::vector<std::pair<std::string, std::string>> rows;
  auto scanned = (*reader)->scan("", "", [&](std::string_view key, std::string_view value) {
    rows.emplace_back(key, value);
    return true;
  });
  BOOST_REQUIRE(scanned.ok());
  return rows;
}

std::string log_location(const TestLog& t) {
  return t.options.backend == "embedded" ? t.options.embedded.path : t.options.kafka.brokers;
}

}  // namespace xyd::test

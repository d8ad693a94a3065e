// xyd-bench-connector: bank results applied per second through the Kafka connector, end to end:
// a simulated bank's results (ops/bank_sim_plan.h) are produced to xyd.in.<institution>
// beforehand; then the InboundConsumer reads them, runs each as its command through the gateway
// (exactly once, by serial), and commits offsets; the clock stops when the last result is
// applied. The reference, measured in the same run on the same log: the command processor's
// raw rate for commands submitted in the same batches straight to the gateway (RegisterAccount).
// Then the same results again (every one a duplicate): the replay rate. Prints a Markdown table.
//   xyd-bench-connector [--backend kafka|embedded] [--brokers HOST:PORT] [--applications N]
//                       [--batch N] [--dir DIR]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "aggregates/account.h"
#include "aggregates/processor/write_side.h"
#include "connectors/bank_result.h"
#include "connectors/inbound_consumer.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "events/numbers.h"
#include "ops/bank_sim_plan.h"
#include "ops/bench/bench_write_side.h"
#include "ops/bench/measure.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using namespace xyd::bench;  // die, flag, number_flag, measure, ... (measure.h)
using Clock = std::chrono::steady_clock;

// Runs commands in batches of `batch` through the gateway; how many were not decided.
size_t run_batches(xyd::domain::CommandGateway& gateway, const std::vector<xyd::domain::Command>& commands,
                   size_t batch) {
  size_t failed = 0;
  for (size_t i = 0; i < commands.size(); i += batch) {
    std::vector<xyd::domain::Command> part(
        commands.begin() + static_cast<std::ptrdiff_t>(i),
        commands.begin() + static_cast<std::ptrdiff_t>(std::min(commands.size(), i + batch)));
    for (const auto& outcome : gateway.submit_all(part))
      if (!outcome.ok() || !outcome->accepted) ++failed;
  }
  return failed;
}

xyd::domain::Command command(const std::string& id, const std::string& name, const std::string& type,
                             const std::string& aggregate, xyd::events::Actor actor, json body,
                             json context = json::object()) {
  xyd::domain::Command c;
  c.id = id;
  c.name = name;
  c.aggregate_type = type;
  c.aggregate_id = aggregate;
  c.actor = std::move(actor);
  c.body = std::move(body);
  c.body_hash = xyd::events::sha256_hex(c.body.dump());
  c.context = std::move(context);
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string backend = flag(argc, argv, "backend", "kafka");
  const auto applications = static_cast<size_t>(number_flag(argc, argv, "applications", 5000, 1, 10'000'000));
  const auto batch = static_cast<size_t>(number_flag(argc, argv, "batch", 5000, 1, 1'000'000));
  const std::string dir = flag(argc, argv, "dir", "/tmp/xyd-bench-connector");
  std::filesystem::remove_all(dir);
  auto bench = start_bench_write_side(backend, dir, flag(argc, argv, "brokers", "127.0.0.1:19092"),
                                      "xyd-bench-connector", std::chrono::milliseconds(60000));
  auto& log = bench.log;
  auto& side = bench.side;
  auto& gateway = side->gateway();
  const std::string run = std::to_string(std::random_device{}() % 900000 + 100000);
  const std::string institution = "ins-bench-" + run;

  // Accepted applications to report on, set up through the gateway as the platform would.
  std::ifstream rules(XYD_SOURCE_RULES_DIR "/screening.json");
  json screening = json::parse(rules, nullptr, false);
  const json context = {{"enterprise",
                         {{"exists", true},
                          {"owner", "acc-bench"},
                          {"certified", true},
                          {"region", "440305"},
                          {"industry", "C"},
                          {"name", "基准科技有限公司"},
                          {"whitelisted", true},
                          {"credit_score", 800},
                          {"high_risk_signals", 0},
                          {"medium_risk_signals", 0}}},
                        {"product",
                         {{"exists", true},
                          {"status", "enabled"},
                          {"institution", institution},
                          {"product_type", "credit"},
                          {"amount_min", 100000},
                          {"amount_max", 5000000},
                          {"term_min_months", 6},
                          {"term_max_months", 36},
                          {"service_regions", {"440300"}}}},
                        {"institution", {{"status", "active"}, {"type", "bank"}}},
                        {"managers", {{{"account", "acc-bench-m"}, {"enabled", true}, {"open_orders", 0}}}},
                        {"screening", screening}};
  const xyd::events::Actor platform{"system", "system", "", ""};
  const xyd::events::Actor admin{"acc-bench-admin", "institution_admin", institution, "440300"};
  std::vector<xyd::domain::Command> setup, accept;
  std::vector<xyd::ops::bank_sim::Work> work;
  for (size_t i = 0; i < applications; ++i) {
    const std::string app = "app-bench-" + run + "-" + std::to_string(i);
    const int64_t amount = 100000 + static_cast<int64_t>(i % 40) * 100000;
    setup.push_back(command("bench:submit:" + app, "SubmitApplication", "application", app, platform,
                            {{"id", app},
                             {"enterprise", "ent-bench"},
                             {"product", "prd-bench"},
                             {"amount", amount},
                             {"term_months", 12},
                             {"purpose", "bench"},
                             {"channel", "api"}},
                            context));
    accept.push_back(
        command("bench:accept:" + app, "AcceptApplication", "application", app, admin, {{"intended_amount", amount}}));
    work.push_back({app, amount});
  }
  std::cerr << "setting up " << applications << " accepted applications..." << std::endl;
  if (size_t failed = run_batches(gateway, setup, batch) + run_batches(gateway, accept, batch); failed > 0) {
    auto probe = gateway.submit(setup.front());
    die("setting up applications (" + std::to_string(failed) + " refused)",
        probe.ok() && probe->error ? *probe->error : probe.error());
  }

  // Reference: the command processor's raw rate, the same batch size, straight to the gateway.
  std::vector<xyd::domain::Command> registrations;
  for (size_t i = 0; i < std::min<size_t>(4 * applications, 10000); ++i) {
    const std::string phone = std::to_string(13000000000ULL + (std::hash<std::string>{}(run) % 100000) * 10000 + i);
    registrations.push_back(command("bench:register:" + run + ":" + std::to_string(i), "RegisterAccount", "account",
                                    xyd::domain::account_id_for_phone(phone), platform,
                                    {{"phone", phone}, {"kind", "enterprise_user"}, {"region", "440300"}}));
  }
  auto start = Clock::now();
  const size_t failed_registrations = run_batches(gateway, registrations, batch);
  const double raw_seconds = std::chrono::duration<double>(Clock::now() - start).count();

  // The bank's results, produced to xyd.in.<institution> before the clock starts.
  xyd::ops::bank_sim::SimOptions sim;
  sim.institution = institution;
  sim.seed = 11;
  const auto plan = xyd::ops::bank_sim::make_sim_plan(work, sim);
  const std::string topic = xyd::connectors::inbound_topic(institution);
  if (auto c = log->create_topics({{topic, 6}}); !c.ok()) die("inbound topic", c.error());
  std::vector<xyd::log::OutRecord> records;
  for (const auto& stream : plan.streams)
    for (const auto& message : stream) records.push_back({topic, message.key, message.body, {}, {}});
  for (size_t i = 0; i < records.size(); i += 5000) {
    std::span<const xyd::log::OutRecord> part(records.data() + i, std::min(records.size() - i, size_t{5000}));
    if (auto a = log->append(part); !a.ok()) die("producing results", a.error());
  }

  auto consume = [&](const std::string& group, uint64_t expect) {
    xyd::connectors::InboundConsumerOptions consumer_options;
    consumer_options.group = group;
    consumer_options.max_batch = batch;
    consumer_options.refresh = std::chrono::milliseconds(100);
    consumer_options.topic_prefix = topic;
    xyd::connectors::InboundConsumer consumer(*log, gateway, consumer_options);
    consumer.start();
    while (consumer.stats().received < expect) std::this_thread::sleep_for(1ms);
    const auto first = Clock::time_point(std::chrono::milliseconds(consumer.stats().first_records_ms));
    const double seconds = std::chrono::duration<double>(Clock::now() - first).count();
    auto stats = consumer.stats();
    consumer.stop();
    if (stats.retries)
      std::cerr << group << ": " << stats.retries << " retried batches, last: " << stats.last_error << "\n";
    return std::make_pair(stats, seconds);
  };
  const uint64_t total = records.size();
  auto [applied, seconds] = consume("bench-connector-" + run, total);
  auto [replayed, replay_seconds] = consume("bench-connector-again-" + run, total);

  std::printf(
      "Bank results through the connector on the %s log: %zu accepted applications, %llu results, batch %zu.\n\n",
      backend.c_str(), applications, static_cast<unsigned long long>(total), batch);
  std::printf("| what | items | seconds | per second | notes |\n|---|---|---|---|---|\n");
  std::printf("| reference: commands straight to the gateway (RegisterAccount) | %zu | %.2f | %.0f | %zu refused |\n",
              registrations.size(), raw_seconds, registrations.size() / raw_seconds, failed_registrations);
  std::printf(
      "| connector: results applied (from the first record read) | %llu | %.2f | %.0f | applied %llu, rejected %llu, "
      "batches %llu |\n",
      static_cast<unsigned long long>(total), seconds, total / seconds,
      static_cast<unsigned long long>(applied.applied), static_cast<unsigned long long>(applied.rejected),
      static_cast<unsigned long long>(applied.batches));
  std::printf(
      "| connector: the same results again (all duplicates) | %llu | %.2f | %.0f | replayed %llu, applied %llu |\n",
      static_cast<unsigned long long>(total), replay_seconds, total / replay_seconds,
      static_cast<unsigned long long>(replayed.replayed), static_cast<unsigned long long>(replayed.applied));
  side.reset();
  log.reset();
  std::filesystem::remove_all(dir);
  return applied.applied == static_cast<uint64_t>(plan.totals.valid) && replayed.applied == 0 ? 0 : 2;
}

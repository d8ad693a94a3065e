// `xyd migrate --to kafka --brokers LIST`: replays an embedded installation's log onto Kafka.
// Every topic of the embedded log is copied partition by partition, record by record: the same
// key, value and headers (so each event keeps its id, aggregate version, time and hash), into a
// topic of the same name and partition count. Each batch is appended in one Kafka transaction
// together with the source positions it copied (the consumer group xyd-migrate-<id> on the
// target, the id the installation's <data>/migration-id names), so a migration stopped at any
// moment resumes where its last batch committed, and never copies a record twice. A target that already holds xyd
// records but no migration position is refused. Credentials (<data>/credentials) are not in the log and are not copied.
// Runs on the main thread.
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>

#include "events/codec.h"
#include "events/log/open_log.h"
#include "ops/commands.h"
#include "projections/progress.h"

namespace xyd::ops {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBatch = 2000;

// What is left to copy: each source partition's next offset to copy and its end.
struct Plan {
  std::map<log::TopicPartition, int64_t> next;
  std::map<log::TopicPartition, int64_t> end;
  uint64_t total = 0;  // records left
  bool resuming = false;
};

// The installation's migration id (<data>/migration-id, made at its first migration): the target's
// positions of this source are filed under it, so another installation is never taken for a resume.
Result<std::string> migration_id(const std::string& data_dir) {
  const std::string path = data_dir + "/migration-id";
  std::ifstream in(path);
  std::string id;
  if (std::getline(in, id) && !id.empty()) return id;
  id = events::uuid_v7();
  std::ofstream out(path, std::ios::trunc);
  out << id << "\n";
  if (!out.flush()) return make_error(Errc::fatal, "cannot write " + path);
  return id;
}

Result<Plan> plan_copy(log::EventLog& source, log::EventLog& target, const std::vector<std::string>& topics,
                       const std::string& group) {
  Plan plan;
  std::vector<log::TopicPartition> tps;
  for (const auto& topic : topics) {
    XYD_ASSIGN_OR_RETURN(const int32_t partitions, source.partition_count(topic));
    XYD_RETURN_IF_ERROR(target.create_topics({{topic, partitions}}));
    for (int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
  }
  XYD_ASSIGN_OR_RETURN(auto committed, target.committed(group, tps));
  plan.resuming = !committed.empty();
  for (const auto& tp : tps) {
    XYD_ASSIGN_OR_RETURN(const int64_t begin, source.begin_offset(tp));
    XYD_ASSIGN_OR_RETURN(const int64_t end, source.end_offset(tp));
    if (!plan.resuming) {
      XYD_ASSIGN_OR_RETURN(const int64_t target_end, target.end_offset(tp));
      if (target_end > 0)
        return make_error(Errc::conflict,
                          "the target already holds records in " + tp.to_string() +
                              " and no migration position: migrate onto an empty cluster (or topics of their own)",
                          "brokers", "empty-target");
    }
    auto found = committed.find(tp);
    const int64_t next = found == committed.end() ? begin : found->second;
    plan.next[tp] = next;
    plan.end[tp] = end;
    if (end > next) plan.total += static_cast<uint64_t>(end - next);
  }
  return plan;
}

// Copies one partition from `next` to `end` in batches, each with its source position.
Status copy_partition(log::EventLog& source, log::EventLog& target, const std::string& group,
                      const log::TopicPartition& tp, int64_t next, int64_t end,
                      const std::function<void(size_t)>& copied) {
  XYD_ASSIGN_OR_RETURN(auto reader, source.reader());
  XYD_RETURN_IF_ERROR(reader->assign({{tp, next}}));
  while (next < end) {
    XYD_ASSIGN_OR_RETURN(auto records, reader->poll(std::chrono::seconds(1), kBatch));
    if (records.empty()) {
      XYD_ASSIGN_OR_RETURN(const int64_t position, reader->position(tp));
      if (position >= end) break;
      continue;
    }
    std::vector<log::OutRecord> batch;
    batch.reserve(records.size());
    for (auto& record : records) {
      if (record.offset >= end) break;
      log::OutRecord out;
      out.topic = record.topic;
      out.partition = record.partition;
      out.key = std::move(record.key);
      out.value = std::move(record.value);
      out.headers = std::move(record.headers);
      batch.push_back(std::move(out));
      next = record.offset + 1;
    }
    if (batch.empty()) break;
    log::ConsumedOffsets position{group, {{tp, next}}};
    auto appended = target.append(batch, &position);
    if (!appended.ok()) return appended.error();
    copied(batch.size());
  }
  return Status();
}

}  // namespace

int run_migrate(const CliOptions& options) {
  if (options.log_backend != "embedded")
    return fail("migrate",
                make_error(Errc::invalid_argument, "migrate reads the embedded log of --data; leave --log at embedded",
                           "log", "embedded"));
  auto source = log::open_log(options.log_options());
  if (!source.ok()) {
    std::cerr << "hint: xyd migrate needs the embedded log to itself: stop xyd serve on " << options.data_dir
              << " first" << std::endl;
    return fail("opening the embedded log", source.error());
  }
  log::LogOptions target_options = options.log_options();
  target_options.backend = "kafka";
  auto target = log::open_log(target_options);
  if (!target.ok()) return fail("opening Kafka at " + options.brokers, target.error());
  auto topics = (*source)->list_topics();
  if (!topics.ok()) return fail("listing the embedded log's topics", topics.error());
  auto id = migration_id(options.data_dir);
  if (!id.ok()) return fail("migrate", id.error());
  const std::string group = "xyd-migrate-" + *id;
  auto plan = plan_copy(**source, **target, *topics, group);
  if (!plan.ok()) return fail("migrate", plan.error());
  std::cerr << "xyd migrate: " << topics->size() << " topics, " << projections::with_commas(plan->total)
            << " records to copy from " << (*source)->where() << " to " << (*target)->where()
            << (plan->resuming ? " (resuming)" : "") << std::endl;

  projections::ProgressPrinter printer("migrate");
  const auto started = Clock::now();
  uint64_t done = 0;
  auto figures = [&] {
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return projections::progress_figures(done, plan->total, seconds > 0 ? static_cast<double>(done) / seconds : 0);
  };
  for (const auto& [tp, next] : plan->next) {
    const int64_t end = plan->end.at(tp);
    if (next >= end) continue;
    auto copied = copy_partition(**source, **target, group, tp, next, end, [&](size_t n) {
      done += n;
      printer.update(figures());
    });
    if (!copied.ok()) {
      printer.finish(figures(), "stopped");
      std::cerr << "hint: run xyd migrate again: it resumes after the last batch Kafka committed" << std::endl;
      return fail("copying " + tp.to_string(), copied.error());
    }
  }
  printer.finish(figures(), "done");
  std::cout << "migrated " << projections::with_commas(done) << " records of " << topics->size()
            << " topics; not carried: the credential store (<data>/credentials: passwords, sessions, keys, "
               "webhook secrets), the aggregate state and the views (rebuilt from the log on Kafka)"
            << std::endl;
  return 0;
}

}  // namespace xyd::ops

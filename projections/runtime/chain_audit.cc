#include "projections/runtime/chain_audit.h"

using namespace std::chrono_literals;

namespace xyd::projections::runtime {

Result<std::pair<std::string, std::string>> parse_aggregate(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size())
    return make_error(Errc::invalid_argument, "--aggregate must be TYPE/ID, e.g. application/app-0001", "aggregate",
                      "type-slash-id");
  return std::make_pair(text.substr(0, slash), text.substr(slash + 1));
}

Result<VerifyReport> audit_chains(log::EventLog& log, const ChainAuditOptions& options,
                                  const std::function<void(const ChainAuditProgress&)>& progress) {
  using Clock = std::chrono::steady_clock;
  ChainVerifier verifier(options.max_reported);
  std::vector<log::TopicPartition> partitions;
  if (!options.aggregate_type.empty()) {
    verifier.only(options.aggregate_type, options.aggregate_id);
    const std::string topic = options.topic_prefix + options.aggregate_type;
    auto count = log.partition_count(topic);
    if (!count.ok())
      return make_error(count.error().code, "no topic " + topic + " for aggregate type " + options.aggregate_type +
                                                ": " + count.error().message);
    partitions.push_back({topic, log::partition_for_key(options.aggregate_id, *count)});
  } else {
    XYD_ASSIGN_OR_RETURN(auto topics, log.list_topics());
    for (const auto& topic : topics) {
      if (!topic.starts_with(options.topic_prefix)) continue;
      XYD_ASSIGN_OR_RETURN(int32_t count, log.partition_count(topic));
      for (int32_t p = 0; p < count; ++p) partitions.push_back({topic, p});
    }
  }
  std::map<log::TopicPartition, int64_t> positions, ends;
  ChainAuditProgress state;
  for (const auto& tp : partitions) {
    XYD_ASSIGN_OR_RETURN(int64_t begin, log.begin_offset(tp));
    XYD_ASSIGN_OR_RETURN(int64_t end, log.end_offset(tp));
    if (end <= begin) continue;
    positions[tp] = begin;
    ends[tp] = end;
    state.total += static_cast<uint64_t>(end - begin);
  }
  if (positions.empty()) return verifier.report();
  XYD_ASSIGN_OR_RETURN(auto reader, log.reader());
  XYD_RETURN_IF_ERROR(reader->assign(positions));
  // On Kafka the end offset counts the marker that ends each transaction.
  const int64_t slack = log.backend() == "kafka" ? 1 : 0;
  const auto started = Clock::now();
  auto reported = started;
  int idle = 0;
  auto finished = [&] {
    for (const auto& [tp, end] : ends)
      if (positions[tp] < end - slack) return false;
    return true;
  };
  // Nothing for 2 s (10 s before the first record, while a Kafka consumer connects): done.
  while (!finished() && idle < (state.done == 0 ? 50 : 10)) {
    XYD_ASSIGN_OR_RETURN(auto records, reader->poll(200ms, 4096));
    idle = records.empty() ? idle + 1 : 0;
    for (const auto& record : records) {
      const auto end = ends.find(record.tp());
      if (end == ends.end() || record.offset >= end->second) continue;  // written after we started
      verifier.add(record);
      positions[record.tp()] = record.offset + 1;
      ++state.done;
    }
    if (progress && Clock::now() - reported >= 250ms) {
      reported = Clock::now();
      const double seconds = std::chrono::duration<double>(reported - started).count();
      state.rate = seconds > 0 ? static_cast<double>(state.done) / seconds : 0;
      state.aggregates = verifier.report().aggregates;
      state.broken_links = verifier.report().broken_links;
      progress(state);
    }
  }
  if (progress) {
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    state.rate = seconds > 0 ? static_cast<double>(state.done) / seconds : 0;
    state.total = std::max(state.total, state.done);
    state.done = state.total;  // what remains are transaction markers, nothing to check
    state.aggregates = verifier.report().aggregates;
    state.broken_links = verifier.report().broken_links;
    progress(state);
  }
  return verifier.report();
}

nlohmann::json report_json(const VerifyReport& report) {
  nlohmann::json breaks = nlohmann::json::array();
  for (const auto& b : report.first_breaks)
    breaks.push_back({{"aggregate", {{"type", b.aggregate_type}, {"id", b.aggregate_id}}},
                      {"version", b.version},
                      {"position", {{"topic", b.tp.topic}, {"partition", b.tp.partition}, {"offset", b.offset}}},
                      {"link", link_name(b.link)},
                      {"problem", b.problem}});
  return {{"clean", report.clean()},
          {"events", report.events},
          {"aggregates", report.aggregates},
          {"broken_links", report.broken_links},
          {"broken_aggregates", report.broken_aggregates},
          {"first_breaks", breaks},
          {"truncated", report.truncated}};
}

ChainAuditJob::~ChainAuditJob() {
  if (thread_.joinable()) thread_.join();
}

Status ChainAuditJob::start(const std::string& aggregate_type, const std::string& aggregate_id) {
  std::lock_guard lock(mutex_);
  if (state_ == "running")
    return make_error(Errc::conflict,
                      "a verification of the audit chain is running (" + std::to_string(progress_.done) + " of " +
                          std::to_string(progress_.total) + " events): wait for it (GET /api/v1/ops/audit/verify)",
                      "verify", "one-at-a-time");
  if (thread_.joinable()) thread_.join();
  state_ = "running";
  scope_ = aggregate_type.empty() ? "all aggregates" : aggregate_type + "/" + aggregate_id;
  progress_ = {};
  report_.reset();
  error_.clear();
  ChainAuditOptions options;
  options.topic_prefix = topic_prefix_;
  options.aggregate_type = aggregate_type;
  options.aggregate_id = aggregate_id;
  thread_ = std::thread([this, options] {
    auto report = audit_chains(log_, options, [this](const ChainAuditProgress& p) {
      std::lock_guard lock(mutex_);
      progress_ = p;
    });
    std::lock_guard lock(mutex_);
    if (report.ok()) {
      state_ = "done";
      report_ = std::move(report).value();
    } else {
      state_ = "failed";
      error_ = report.error().message;
    }
  });
  return Status();
}

nlohmann::json ChainAuditJob::status() const {
  std::lock_guard lock(mutex_);
  nlohmann::json j = {{"state", state_},
                      {"scope", scope_},
                      {"progress",
                       {{"events_done", progress_.done},
                        {"events_total", progress_.total},
                        {"rate_per_second", static_cast<int64_t>(progress_.rate)}}}};
  if (report_) j["report"] = report_json(*report_);
  if (!error_.empty()) j["error"] = error_;
  return j;
}

}  // namespace xyd::projections::runtime

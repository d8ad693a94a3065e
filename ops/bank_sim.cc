// `xyd bank-sim`: a bank on the other end of the connectors. Given an institution's credentials
// it takes its work list (the institution's accepted applications: from the outbound stream
// xyd.out.<institution> with --from outbound, else from the REST API with the bank connector's
// API key), plans realistic results with injected duplicates, out-of-order and malformed
// records (bank_sim_plan.h), sends them to xyd.in.<institution> (--to kafka) or as signed
// webhooks (--to webhook), and prints its own totals as JSON on stdout.
#include <iostream>
#include <map>
#include <thread>

#include "connectors/bank_result.h"
#include "connectors/webhook_signature.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "events/log/open_log.h"
#include "events/schema/application.h"
#include "ops/bank_sim_plan.h"
#include "ops/commands.h"
#include "ops/http_client.h"

namespace xyd::ops {
namespace {

using nlohmann::json;

// A count flag (0 or more; its default in the table).
uint64_t count_flag(const CliOptions& options, const std::string& name) {
  return static_cast<uint64_t>(options.number(name));
}

// The institution's accepted applications, over REST as its bank connector.
Result<std::vector<bank_sim::Work>> work_from_rest(const CliOptions& options, const std::string& institution,
                                                   const std::string& key) {
  HttpClient client(options.http);
  std::vector<bank_sim::Work> work;
  std::string cursor;
  for (;;) {
    HttpCall call;
    call.path = "/api/v1/applications?institution=" + institution + "&status=accepted&limit=1000" +
                (cursor.empty() ? "" : "&cursor=" + cursor);
    call.headers["Authorization"] = "ApiKey " + key;
    XYD_ASSIGN_OR_RETURN(auto reply, client.call(call));
    if (!reply.ok())
      return make_error(errc_of_status(reply.status), "listing applications: " + reply.problem.to_string());
    for (const auto& item : reply.body.value("items", json::array()))
      work.push_back({item.value("id", ""), item.value("intended_amount", item.value("amount", int64_t{0}))});
    if (!reply.body.contains("next_cursor") || !reply.body["next_cursor"].is_string()) break;
    cursor = reply.body["next_cursor"];
  }
  return work;
}

// The applications the outbound stream shows accepted and not yet decided.
Result<std::vector<bank_sim::Work>> work_from_outbound(log::EventLog& log, const std::string& institution) {
  const std::string topic = "xyd.out." + institution;
  XYD_ASSIGN_OR_RETURN(int32_t partitions, log.partition_count(topic));
  std::map<log::TopicPartition, int64_t> starts, ends;
  for (int32_t p = 0; p < partitions; ++p) {
    const log::TopicPartition tp{topic, p};
    XYD_ASSIGN_OR_RETURN(starts[tp], log.begin_offset(tp));
    XYD_ASSIGN_OR_RETURN(ends[tp], log.end_offset(tp));
  }
  XYD_ASSIGN_OR_RETURN(auto reader, log.reader());
  XYD_RETURN_IF_ERROR(reader->assign(starts));
  std::map<std::string, int64_t> accepted;
  auto caught_up = [&]() -> bool {
    for (const auto& [tp, end] : ends) {
      auto at = reader->position(tp);
      if (!at.ok() || *at < end) return false;
    }
    return true;
  };
  while (!caught_up()) {
    XYD_ASSIGN_OR_RETURN(auto records, reader->poll(std::chrono::milliseconds(500), 5000));
    for (const auto& record : records) {
      const json message = json::parse(record.value, nullptr, false);
      if (!message.is_object()) continue;
      // The outbound `type` is the event's CloudEvents type; its catalog name is what decides.
      std::string type = message.value("type", "");
      if (const auto* known = events::EventCatalog::standard().by_type(type)) type = known->name;
      const std::string app = message.value("application", "");
      if (type == events::application::kApplicationAccepted)
        accepted[app] = message.value("data", json::object()).value("intended_amount", int64_t{0});
      else if (type != events::application::kManagerAssigned && type != events::application::kManagerReassigned &&
               type != events::application::kRiskScreened)
        accepted.erase(app);  // decided or ended
    }
  }
  std::vector<bank_sim::Work> work;
  for (const auto& [app, amount] : accepted) work.push_back({app, amount});
  return work;
}

// Interleaves the streams (one message of each application in turn): per application, in order.
std::vector<const bank_sim::Message*> interleaved(const bank_sim::SimPlan& plan) {
  std::vector<const bank_sim::Message*> out;
  for (size_t round = 0;; ++round) {
    bool any = false;
    for (const auto& stream : plan.streams)
      if (round < stream.size()) {
        out.push_back(&stream[round]);
        any = true;
      }
    if (!any) return out;
  }
}

Status send_kafka(log::EventLog& log, const CliOptions& options, const std::string& institution,
                  const bank_sim::SimPlan& plan) {
  const std::string topic = connectors::inbound_topic(institution);
  XYD_RETURN_IF_ERROR(log.create_topics({{topic, options.partitions}}));
  std::vector<log::OutRecord> batch;
  for (const auto* message : interleaved(plan)) {
    // A duplicate is sent again under the same id, as a bank resending it would.
    auto attributes =
        events::new_cloudevent("/xyd/bank-sim/" + institution, "xyd.bank-result.reported.v1", message->key);
    if (!message->serial.empty()) attributes.id = institution + "/" + message->serial;
    batch.push_back({topic, message->key, message->body, events::cloudevent_headers(attributes), {}});
    if (batch.size() == 2000) {
      XYD_RETURN_IF_ERROR(log.append(batch));
      batch.clear();
    }
  }
  if (!batch.empty()) XYD_RETURN_IF_ERROR(log.append(batch));
  return Status();
}

// Each application's messages in order on one of `threads` workers; a 5xx or a lost answer is
// sent again (same webhook-id); 2xx and 4xx are answers.
Status send_webhooks(const CliOptions& options, const std::string& institution, const std::string& secret,
                     const bank_sim::SimPlan& plan, size_t threads, std::map<int, uint64_t>& statuses) {
  HttpClient client(options.http);
  std::mutex mutex;
  std::optional<Error> failed;
  std::vector<std::thread> workers;
  for (size_t w = 0; w < threads; ++w)
    workers.emplace_back([&, w] {
      for (size_t s = w; s < plan.streams.size(); s += threads)
        for (const auto& message : plan.streams[s]) {
          HttpReply reply;
          for (int attempt = 0; attempt < 10; ++attempt) {
            const int64_t now =
                std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                    .count();
            HttpCall call;
            call.method = "POST";
            call.path = "/api/v1/connectors/" + institution + "/results";
            call.raw_body = message.body;
            call.headers["webhook-id"] = "msg_" + message.serial;
            call.headers["webhook-timestamp"] = std::to_string(now);
            auto signature = connectors::sign_webhook(secret, call.headers["webhook-id"], now, message.body);
            if (!signature.ok()) {
              std::lock_guard lock(mutex);
              failed = signature.error();
              return;
            }
            call.headers["webhook-signature"] = *signature;
            auto answer = client.call(call);
            if (answer.ok() && answer->status < 500) {
              reply = *answer;
              break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
          }
          std::lock_guard lock(mutex);
          ++statuses[reply.status];
        }
    });
  for (auto& worker : workers) worker.join();
  if (failed) return *failed;
  return Status();
}

}  // namespace

int run_bank_sim(const CliOptions& options) {
  const std::string institution = options.flag("institution");
  if (institution.empty())
    return fail("bank-sim", make_error(Errc::invalid_argument, "--institution is required", "institution", "required"));
  bank_sim::SimOptions sim;
  sim.institution = institution;
  const uint64_t concurrency = count_flag(options, "concurrency"), limit = count_flag(options, "limit");
  sim.seed = count_flag(options, "seed");
  sim.duplicates = count_flag(options, "duplicates");
  sim.out_of_order = count_flag(options, "out-of-order");
  sim.malformed = count_flag(options, "malformed");
  const std::string to = options.flag("to", options.log_backend == "kafka" ? "kafka" : "webhook");
  const std::string from = options.flag("from");

  std::unique_ptr<log::EventLog> log;
  if (to == "kafka" || from == "outbound") {
    if (options.log_backend != "kafka")
      return fail("bank-sim", make_error(Errc::invalid_argument, "--to kafka and --from outbound need --log kafka",
                                         "log", "kafka"));
    auto opened = log::open_log(options.log_options());
    if (!opened.ok()) return fail("opening Kafka", opened.error());
    log = std::move(*opened);
  }
  Result<std::vector<bank_sim::Work>> work = std::vector<bank_sim::Work>{};
  if (from == "outbound")
    work = work_from_outbound(*log, institution);
  else
    work = work_from_rest(options, institution, options.flag("key"));
  if (!work.ok()) return fail("bank-sim: reading the work list", work.error());
  if (limit > 0 && work->size() > limit) work->resize(limit);
  const auto plan = bank_sim::make_sim_plan(*work, sim);
  std::cerr << "xyd bank-sim: " << work->size() << " accepted applications of " << institution << " -> "
            << plan.message_count() << " results to " << to << std::endl;

  const auto start = std::chrono::steady_clock::now();
  std::map<int, uint64_t> statuses;
  Status sent = to == "kafka" ? send_kafka(*log, options, institution, plan)
                              : send_webhooks(options, institution, options.flag("webhook-secret"), plan,
                                              std::max<uint64_t>(1, concurrency), statuses);
  if (!sent.ok()) return fail("bank-sim: sending", sent.error());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  json report = plan.totals.to_json();
  report["institution"] = institution;
  report["applications"] = work->size();
  report["messages"] = plan.message_count();
  report["sent_to"] = to;
  report["seconds"] = seconds;
  if (!statuses.empty()) {
    report["answers"] = json::object();
    for (const auto& [status, n] : statuses) report["answers"][std::to_string(status)] = n;
  }
  std::cout << report.dump() << std::endl;
  return 0;
}

}  // namespace xyd::ops

// The admin side of the Kafka log (kafka_admin_internal.h): metadata, topic creation and
// description, watermarks, and the check of records against the topics before they are produced.
#include <algorithm>
#include <set>
#include <thread>

#include "events/kafka/kafka_admin_internal.h"

namespace xyd::log::kafka {
namespace {

// rd_kafka_query_watermark_offsets, again while leadership is moving (e.g. just after the topic
// was created: the metadata may name a leader before that broker serves the partition).
rd_kafka_resp_err_t query_watermarks(rd_kafka_t* rk, const TopicPartition& tp, std::chrono::milliseconds timeout,
                                     int64_t* low, int64_t* high) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(rk, tp.topic.c_str(), tp.partition, low, high, remaining_ms(deadline));
    const bool moving = err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION ||
                        err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                        err == RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH || err == RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH ||
                        err == RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE;
    if (!moving || Clock::now() >= deadline) return err;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool valid_topic_name(const std::string& name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

}  // namespace

Result<MetadataPtr> KafkaAdmin::metadata(std::chrono::milliseconds timeout, bool all_topics) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(handle_.get(), all_topics ? 1 : 0, nullptr, &md, to_ms(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::unavailable, "Kafka at " + options_.brokers + " did not answer a metadata request within " +
                                             duration_text(timeout) + " (" + err_text(err) +
                                             "): is the broker running? ops/kafka/start.sh");
  }
  return MetadataPtr(md);
}

Result<std::map<std::string, int32_t>> KafkaAdmin::topic_partitions() {
  XYD_ASSIGN_OR_RETURN(MetadataPtr md, metadata(options_.request_timeout, true));
  std::map<std::string, int32_t> counts;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR) counts[t.topic] = t.partition_cnt;
  }
  std::lock_guard lock(topics_mutex_);
  partitions_ = counts;
  return counts;
}

Status KafkaAdmin::check_records(std::span<const OutRecord> records) {
  std::map<std::string, int32_t> needed;  // topic -> highest explicit partition (or -1)
  for (size_t i = 0; i < records.size(); ++i) {
    const OutRecord& r = records[i];
    if (r.topic.empty()) {
      return make_error(Errc::invalid_argument, "record #" + std::to_string(i) + " has no topic",
                        "records[" + std::to_string(i) + "].topic", "required");
    }
    if (r.partition && *r.partition < 0) {
      return make_error(Errc::invalid_argument,
                        "record #" + std::to_string(i) + " (topic " + r.topic + ") has negative partition " +
                            std::to_string(*r.partition),
                        "records[" + std::to_string(i) + "].partition", "non-negative");
    }
    auto [it, inserted] = needed.try_emplace(r.topic, -1);
    if (r.partition) it->second = std::max(it->second, *r.partition);
  }
  auto missing = [&](const std::map<std::string, int32_t>& known) {
    for (const auto& [topic, max_partition] : needed) {
      auto it = known.find(topic);
      if (it == known.end() || max_partition >= it->second) return true;
    }
    return false;
  };
  {
    std::lock_guard lock(topics_mutex_);
    if (!missing(partitions_)) return Status::success();
  }
  XYD_ASSIGN_OR_RETURN(const auto known, topic_partitions());
  for (const auto& [topic, max_partition] : needed) {
    auto it = known.find(topic);
    if (it == known.end()) {
      return make_error(Errc::not_found,
                        "topic " + topic + " does not exist on Kafka at " + options_.brokers +
                            ": create it first (EventLog::create_topics)",
                        "records.topic", "exists");
    }
    if (max_partition >= it->second) {
      return make_error(Errc::invalid_argument,
                        "partition " + std::to_string(max_partition) + " of topic " + topic +
                            " does not exist: the topic has " + std::to_string(it->second) + " partitions (0.." +
                            std::to_string(it->second - 1) + ")",
                        "records.partition", "in-range");
    }
  }
  return Status::success();
}

Status KafkaAdmin::ping() {
  const auto timeout = std::chrono::milliseconds(2000);
  XYD_ASSIGN_OR_RETURN(MetadataPtr md, metadata(timeout, false));
  if (md->broker_cnt == 0) {
    return make_error(Errc::unavailable,
                      "Kafka at " + options_.brokers + " answered without brokers: is the cluster starting?");
  }
  return Status::success();
}

Result<int32_t> KafkaAdmin::partition_count(const std::string& topic) {
  XYD_ASSIGN_OR_RETURN(auto counts, topic_partitions());
  auto it = counts.find(topic);
  if (it == counts.end()) {
    return make_error(Errc::not_found,
                      "topic " + topic + " does not exist on Kafka at " + options_.brokers +
                          ": create it with EventLog::create_topics",
                      "topic", "exists");
  }
  return it->second;
}

Result<std::vector<std::string>> KafkaAdmin::list_topics() {
  XYD_ASSIGN_OR_RETURN(auto counts, topic_partitions());
  std::vector<std::string> names;
  for (const auto& [name, count] : counts) {
    if (!name.starts_with("__")) names.push_back(name);
  }
  return names;
}

Result<int64_t> KafkaAdmin::watermark(const TopicPartition& tp, bool low_end) {
  if (tp.topic.empty() || tp.partition < 0) {
    return make_error(Errc::invalid_argument, "bad topic partition " + tp.to_string(), "tp", "required");
  }
  int64_t low = -1;
  int64_t high = -1;
  const rd_kafka_resp_err_t err = query_watermarks(handle_.get(), tp, options_.request_timeout, &low, &high);
  if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
      err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
    return make_error(Errc::not_found, "no partition " + tp.to_string() + " on Kafka at " + options_.brokers + " (" +
                                           err_text(err) + "): create the topic with EventLog::create_topics");
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return make_error(Errc::unavailable, "could not read the offsets of " + tp.to_string() + " from Kafka at " +
                                             options_.brokers + " (" + err_text(err) +
                                             "): is the broker running? ops/kafka/start.sh");
  }
  return low_end ? low : high;
}

Result<KafkaAdmin::Replication> KafkaAdmin::replication_for_new_topics() {
  XYD_ASSIGN_OR_RETURN(MetadataPtr md, metadata(options_.request_timeout, false));
  const int brokers = std::max(1, md->broker_cnt);
  Replication replication;
  replication.factor = options_.replication_factor > 0 ? options_.replication_factor : std::min(3, brokers);
  replication.min_insync =
      options_.min_insync_replicas > 0 ? options_.min_insync_replicas : (replication.factor >= 3 ? 2 : 1);
  if (replication.factor > brokers)
    return make_error(Errc::invalid_argument,
                      "a replication factor of " + std::to_string(replication.factor) + " needs as many brokers; " +
                          options_.brokers + " has " + std::to_string(brokers),
                      "replication-factor", "at-most-brokers");
  if (replication.min_insync > replication.factor)
    return make_error(Errc::invalid_argument,
                      "min.insync.replicas " + std::to_string(replication.min_insync) +
                          " is more than the replication factor " + std::to_string(replication.factor) +
                          ": no write could ever be acknowledged",
                      "min-insync-replicas", "at-most-replication-factor");
  if (brokers >= 3 && replication.min_insync < 2 && !options_.allow_single_insync_replica)
    return make_error(Errc::invalid_argument,
                      "min.insync.replicas 1 on a cluster of " + std::to_string(brokers) +
                          " brokers acknowledges a write one broker holds, which its loss loses; use 2, or say "
                          "--allow-single-insync-replica",
                      "min-insync-replicas", "durable-on-a-cluster");
  return replication;
}

Status KafkaAdmin::create_topics(const std::vector<TopicSpec>& topics) {
  std::set<std::string> seen;
  for (size_t i = 0; i < topics.size(); ++i) {
    const TopicSpec& t = topics[i];
    const std::string field = "topics[" + std::to_string(i) + "]";
    if (!valid_topic_name(t.name)) {
      return make_error(Errc::invalid_argument,
                        "bad topic name '" + t.name + "': use 1 to 249 of [a-zA-Z0-9._-], not '.' or '..'",
                        field + ".name", "kafka-topic-name");
    }
    if (t.partitions < 1) {
      return make_error(Errc::invalid_argument,
                        "topic " + t.name + " needs at least 1 partition, not " + std::to_string(t.partitions),
                        field + ".partitions", "positive");
    }
    if (!seen.insert(t.name).second) {
      return make_error(Errc::invalid_argument, "topic " + t.name + " is listed twice", field + ".name", "unique");
    }
  }
  if (topics.empty()) return Status::success();

  const KafkaLogOptions& options = options_;
  auto check_existing = [&](const std::map<std::string, int32_t>& counts,
                            std::vector<const TopicSpec*>* absent) -> Status {
    for (const TopicSpec& t : topics) {
      auto it = counts.find(t.name);
      if (it == counts.end()) {
        if (absent != nullptr) absent->push_back(&t);
      } else if (it->second != t.partitions) {
        return make_error(Errc::conflict,
                          "topic " + t.name + " exists on Kafka at " + options.brokers + " with " +
                              std::to_string(it->second) + " partitions, not " + std::to_string(t.partitions) +
                              ": fix the configured partition count (Kafka cannot shrink a topic)",
                          "partitions", "matches-existing");
      }
    }
    return Status::success();
  };

  XYD_ASSIGN_OR_RETURN(auto counts, topic_partitions());
  std::vector<const TopicSpec*> absent;
  XYD_RETURN_IF_ERROR(check_existing(counts, &absent));

  if (!absent.empty()) {
    XYD_ASSIGN_OR_RETURN(const Replication replication, replication_for_new_topics());
    const std::string min_isr = std::to_string(replication.min_insync);
    std::vector<NewTopicPtr> owned;
    std::vector<rd_kafka_NewTopic_t*> raw;
    for (const TopicSpec* t : absent) {
      char errstr[512] = {};
      NewTopicPtr nt(rd_kafka_NewTopic_new(t->name.c_str(), t->partitions, replication.factor, errstr, sizeof errstr));
      if (!nt) return make_error(Errc::invalid_argument, "cannot describe topic " + t->name + ": " + errstr);
      for (const auto& [key, value] :
           std::initializer_list<std::pair<const char*, const char*>>{{"retention.ms", "-1"},
                                                                      {"retention.bytes", "-1"},
                                                                      {"cleanup.policy", "delete"},
                                                                      {"min.insync.replicas", min_isr.c_str()}}) {
        if (rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(nt.get(), key, value)) {
          return make_error(Errc::fatal,
                            "cannot set " + std::string(key) + " of topic " + t->name + ": " + err_text(err));
        }
      }
      raw.push_back(nt.get());
      owned.push_back(std::move(nt));
    }
    AdminOptionsPtr admin_options(rd_kafka_AdminOptions_new(handle_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
    char errstr[512] = {};
    rd_kafka_AdminOptions_set_operation_timeout(admin_options.get(), to_ms(options.request_timeout), errstr,
                                                sizeof errstr);
    rd_kafka_AdminOptions_set_request_timeout(admin_options.get(), to_ms(options.request_timeout), errstr,
                                              sizeof errstr);
    QueuePtr queue(rd_kafka_queue_new(handle_.get()));
    rd_kafka_CreateTopics(handle_.get(), raw.data(), raw.size(), admin_options.get(), queue.get());
    EventPtr ev(rd_kafka_queue_poll(queue.get(), to_ms(options.request_timeout) + 5000));
    if (!ev) {
      return make_error(Errc::timeout, "Kafka at " + options.brokers + " did not answer CreateTopics within " +
                                           duration_text(options.request_timeout) +
                                           ": is the broker running? ops/kafka/start.sh");
    }
    if (rd_kafka_resp_err_t err = rd_kafka_event_error(ev.get())) {
      return make_error(Errc::unavailable, "CreateTopics on Kafka at " + options.brokers + " failed: " + err_text(err) +
                                               ": " + rd_kafka_event_error_string(ev.get()));
    }
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(ev.get());
    size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
    for (size_t i = 0; i < count; ++i) {
      const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) continue;
      const char* message = rd_kafka_topic_result_error_string(results[i]);
      return make_error(
          err == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR ? Errc::invalid_argument : Errc::unavailable,
          "Kafka at " + options.brokers + " could not create topic " + rd_kafka_topic_result_name(results[i]) + ": " +
              err_text(err) + (message ? std::string(": ") + message : std::string()));
    }
  }

  // Wait until every topic shows in the metadata with a leader for each partition, so the first
  // produce or fetch does not race the creation.
  const auto deadline = Clock::now() + options.request_timeout;
  std::string pending;
  for (;;) {
    XYD_ASSIGN_OR_RETURN(MetadataPtr md, metadata(options.request_timeout, true));
    std::map<std::string, int32_t> counts_now;
    pending.clear();
    for (const TopicSpec& t : topics) {
      const rd_kafka_metadata_topic_t* found = nullptr;
      for (int i = 0; i < md->topic_cnt; ++i) {
        if (t.name == md->topics[i].topic) found = &md->topics[i];
      }
      if (found == nullptr || found->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        pending = t.name + " (not in the metadata yet)";
        break;
      }
      counts_now[t.name] = found->partition_cnt;
      if (found->partition_cnt != t.partitions) {
        XYD_RETURN_IF_ERROR(check_existing(counts_now, nullptr));
      }
      for (int p = 0; p < found->partition_cnt; ++p) {
        if (found->partitions[p].leader < 0 || found->partitions[p].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          pending = t.name + "/" + std::to_string(p) + " (no leader yet)";
          break;
        }
      }
      if (!pending.empty()) break;
    }
    if (pending.empty()) {
      // And each leader serves its partition (the metadata may run ahead of the broker).
      for (const TopicSpec& t : topics) {
        for (int32_t p = 0; p < t.partitions && pending.empty(); ++p) {
          int64_t low = -1;
          int64_t high = -1;
          const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
          const auto budget = std::max(left, std::chrono::milliseconds(1));
          if (rd_kafka_resp_err_t err = query_watermarks(handle_.get(), {t.name, p}, budget, &low, &high)) {
            pending = t.name + "/" + std::to_string(p) + " (" + err_text(err) + ")";
          }
        }
      }
    }
    if (pending.empty()) break;
    if (Clock::now() >= deadline) {
      return make_error(Errc::timeout, "topics created on Kafka at " + options.brokers + " but " + pending + " after " +
                                           duration_text(options.request_timeout) + ": check the broker log");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  (void)topic_partitions();  // refresh the cache for append()
  return Status::success();
}

}  // namespace xyd::log::kafka

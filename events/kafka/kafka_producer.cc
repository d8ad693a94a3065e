// The transactional producer (kafka_producer_internal.h): creating it, its poll loop, producing
// one record, and replacing it after a fatal error.
#include <exception>

#include "events/kafka/kafka_producer_internal.h"

namespace xyd::log::kafka {
namespace {

bool fenced_code(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__FENCED || err == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         err == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

}  // namespace

Result<std::unique_ptr<TxnProducer>> TxnProducer::open(const KafkaLogOptions& options, const std::string& txn_id,
                                                       bool lz4) {
  Settings settings = {
      {"transactional.id", txn_id},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"partitioner", "murmur2_random"},
      {"linger.ms", "5"},
      {"batch.size", "1000000"},  // message.max.bytes (1 MB) caps a batch anyway
      {"batch.num.messages", "10000"},
      {"queue.buffering.max.messages", "1000000"},
      {"queue.buffering.max.kbytes", "1048576"},
      {"transaction.timeout.ms", std::to_string(options.transaction_timeout.count())},
      {"allow.auto.create.topics", "false"},
  };
  if (lz4) settings.emplace_back("compression.type", "lz4");
  if (options.statistics) settings.emplace_back("statistics.interval.ms", "1000");
  XYD_ASSIGN_OR_RETURN(ConfPtr conf, make_conf(options, Role::producer, settings));
  // Delivery reports (and statistics) as events on the main queue, served by this producer's
  // poll thread only.
  rd_kafka_conf_set_events(conf.get(), RD_KAFKA_EVENT_DR | (options.statistics ? RD_KAFKA_EVENT_STATS : 0));

  std::unique_ptr<TxnProducer> p(new TxnProducer());
  p->statistics_ = options.statistics;
  XYD_ASSIGN_OR_RETURN(p->rk_, new_handle(RD_KAFKA_PRODUCER, std::move(conf), "transactional producer"));
  p->queue_.reset(rd_kafka_queue_get_main(p->rk_.get()));
  p->poller_ = std::thread([raw = p.get()] { raw->poll_loop(); });

  const auto deadline = Clock::now() + options.request_timeout;
  ErrorPtr e = retrying(deadline, [&] { return rd_kafka_init_transactions(p->rk_.get(), budget_ms(deadline)); });
  if (e) {
    const rd_kafka_resp_err_t code = rd_kafka_error_code(e.get());
    if (code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT ||
        code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
      return make_error(Errc::unavailable, "Kafka at " + options.brokers +
                                               " did not answer init_transactions (transactional.id " + txn_id +
                                               ") within " + duration_text(options.request_timeout) + " (" +
                                               err_text(e.get()) + "): is the broker running? ops/kafka/start.sh");
    }
    if (code == RD_KAFKA_RESP_ERR_INVALID_TRANSACTION_TIMEOUT) {
      return make_error(Errc::invalid_argument,
                        "Kafka at " + options.brokers + " refused transaction_timeout " +
                            duration_text(options.transaction_timeout) +
                            ": it exceeds the broker's transaction.max.timeout.ms (" + err_text(e.get()) + ")",
                        "transaction_timeout", "broker-max");
    }
    return make_error(rd_kafka_error_is_fatal(e.get()) ? Errc::fatal : Errc::unavailable,
                      "Kafka at " + options.brokers + " refused init_transactions for transactional.id " + txn_id +
                          ": " + err_text(e.get()));
  }
  return p;
}

TxnProducer::~TxnProducer() {
  if (rk_) {
    // Fail whatever is still queued, so every delivery report is served by the poll thread
    // (and its DeliveryRef freed) before the handle goes.
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT | RD_KAFKA_PURGE_F_NON_BLOCKING);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (rd_kafka_outq_len(rk_.get()) > 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  stop_.store(true);
  if (poller_.joinable()) poller_.join();
  queue_.reset();
  rk_.reset();
}

void TxnProducer::poll_loop() {
  while (!stop_.load()) {
    EventPtr ev(rd_kafka_queue_poll(queue_.get(), 100));
    if (ev) dispatch(ev.get());
  }
  while (EventPtr ev{rd_kafka_queue_poll(queue_.get(), 0)}) dispatch(ev.get());
}

void TxnProducer::dispatch(rd_kafka_event_t* ev) {
  if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_STATS) {
    if (statistics_) {
      try {
        statistics_(rd_kafka_event_stats(ev));
      } catch (const std::exception& e) {
        warn(std::string("the statistics callback threw: ") + e.what());
      } catch (...) {
        warn("the statistics callback threw");
      }
    }
    return;
  }
  if (rd_kafka_event_type(ev) != RD_KAFKA_EVENT_DR) return;
  while (const rd_kafka_message_t* m = rd_kafka_event_message_next(ev)) {
    std::unique_ptr<DeliveryRef> ref(static_cast<DeliveryRef*>(m->_private));
    if (ref) ref->owner->report(ref->index, m->partition, m->offset, m->err);
  }
}

rd_kafka_resp_err_t produce(rd_kafka_t* rk, const OutRecord& r, const std::shared_ptr<Deliveries>& deliveries,
                            size_t index, Clock::time_point deadline) {
  for (;;) {
    HeadersPtr headers;
    if (!r.headers.empty()) {
      headers.reset(rd_kafka_headers_new(r.headers.size()));
      for (const Header& h : r.headers) {
        rd_kafka_header_add(headers.get(), h.key.data(), static_cast<ssize_t>(h.key.size()), h.value.data(),
                            static_cast<ssize_t>(h.value.size()));
      }
    }
    auto ref = std::make_unique<DeliveryRef>(DeliveryRef{deliveries, index});
    const int32_t partition = r.partition ? *r.partition : RD_KAFKA_PARTITION_UA;
    const rd_kafka_resp_err_t err =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(r.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(r.key.data(), r.key.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>(r.value.data()), r.value.size()),
                          RD_KAFKA_V_HEADERS(headers.get()), RD_KAFKA_V_OPAQUE(ref.get()), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      (void)headers.release();  // the message owns them now
      (void)ref.release();      // freed by the poll thread with the delivery report
      return err;
    }
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || Clock::now() >= deadline) {
      deliveries->not_queued(index, err);
      return err;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

ProducerHolder::~ProducerHolder() {
  std::lock_guard lock(mutex_);
  producer_.reset();
}

Result<rd_kafka_t*> ProducerHolder::producer() {
  if (fenced_) return *fenced_;
  if (!producer_) {
    XYD_ASSIGN_OR_RETURN(producer_, TxnProducer::open(options_, txn_id_, lz4_));
  }
  return producer_->handle();
}

Error ProducerHolder::drop_producer(std::string_view during) {
  Error error;
  if (producer_) {
    char reason[512] = {};
    const rd_kafka_resp_err_t code = rd_kafka_fatal_error(producer_->handle(), reason, sizeof reason);
    if (fenced_code(code)) {
      fenced_ =
          make_error(Errc::fatal, "the Kafka producer (transactional.id " + txn_id_ + ") was fenced during " +
                                      std::string(during) + ": another writer with that transactional.id took over (" +
                                      rd_kafka_err2name(code) + ": " + reason +
                                      "); this process must stop writing: restart it with its own id");
      error = *fenced_;
    } else if (code != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = make_error(Errc::unavailable, "the Kafka producer failed fatally during " + std::string(during) + " (" +
                                                rd_kafka_err2name(code) + ": " + reason + "); it is being re-created");
    } else {
      error = make_error(Errc::unavailable, "the Kafka producer was reset after a failed " + std::string(during));
    }
    producer_.reset();
  } else {
    error = make_error(Errc::unavailable, "no Kafka producer");
  }
  return error;
}

}  // namespace xyd::log::kafka

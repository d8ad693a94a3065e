// Delivery reports of the Kafka log's transactional producer: where each produced record of one
// transaction landed, or why it did not, and how a failed record is reported to its caller.
// Deliveries is filled by the producer's poll thread and read by the thread running the
// transaction (kafka_session.cc); include only from events/kafka/*.cc.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include "events/kafka/kafka_internal.h"

namespace xyd::log::kafka {

// Where one produced record landed, or why it did not.
struct Slot {
  int32_t partition = -1;
  int64_t offset = -1;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  bool reported = false;  // by a delivery report, or by producev refusing the record
};

// The delivery reports of the records of one transaction. Shared with the producer's poll thread
// (report) through each message's opaque (a DeliveryRef), so a late report never touches freed
// memory; the transaction's thread does the rest. Thread-safe.
class Deliveries {
 public:
  size_t add() {
    std::lock_guard lock(mutex_);
    slots_.emplace_back();
    ++outstanding_;
    return slots_.size() - 1;
  }
  void report(size_t index, int32_t partition, int64_t offset, rd_kafka_resp_err_t err) {
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[index];
    if (slot.reported) return;
    slot = Slot{partition, offset, err, true};
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ++failed_;
    if (--outstanding_ == 0) done_.notify_all();
  }
  // producev refused the record: no report will come.
  void not_queued(size_t index, rd_kafka_resp_err_t err) {
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[index];
    if (slot.reported) return;
    slot = Slot{-1, -1, err, true};
    if (--outstanding_ == 0) done_.notify_all();
  }
  // Waits until every produced record has its report; false on timeout.
  bool wait_all(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return done_.wait_for(lock, timeout, [&] { return outstanding_ == 0; });
  }
  // A queued record failed: the transaction can only abort.
  bool any_failed() const {
    std::lock_guard lock(mutex_);
    return failed_ > 0;
  }
  bool all_reported() const {
    std::lock_guard lock(mutex_);
    return outstanding_ == 0;
  }
  Slot slot(size_t index) const {
    std::lock_guard lock(mutex_);
    return slots_[index];
  }
  size_t size() const {
    std::lock_guard lock(mutex_);
    return slots_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable done_;
  std::deque<Slot> slots_;
  size_t outstanding_ = 0;
  size_t failed_ = 0;
};

struct DeliveryRef {
  std::shared_ptr<Deliveries> owner;
  size_t index;
};

// Whether a delivery or produce failure is the record's own fault (its size, its topic or
// partition): the other records of a group may be retried without it.
bool record_fault(rd_kafka_resp_err_t err);

// The refusal of record #index of a caller's records, naming the field and the rule.
Error record_error(size_t index, const OutRecord& r, rd_kafka_resp_err_t err);

}  // namespace xyd::log::kafka

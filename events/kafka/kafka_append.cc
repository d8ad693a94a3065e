// append() of the Kafka log (kafka_append_internal.h): the checks before a record is queued, and
// the group-commit leader's policy over the transaction session's outcomes.
#include <exception>
#include <thread>

#include "events/kafka/kafka_append_internal.h"

namespace xyd::log::kafka {
namespace {

// Offsets need a group, and each a topic and non-negative partition and offset.
Status check_offsets(const ConsumedOffsets& offsets) {
  if (offsets.next_offsets.empty()) return Status::success();
  if (offsets.group.empty()) {
    return make_error(Errc::invalid_argument, "consumed offsets without a consumer group", "offsets.group", "required");
  }
  for (const auto& [tp, offset] : offsets.next_offsets) {
    if (tp.topic.empty() || tp.partition < 0 || offset < 0) {
      return make_error(Errc::invalid_argument,
                        "bad consumed offset " + std::to_string(offset) + " for " + tp.to_string() + " of group " +
                            offsets.group + ": topic required, partition and offset non-negative",
                        "offsets.next_offsets", "non-negative");
    }
  }
  return Status::success();
}

}  // namespace

Result<std::vector<Position>> GroupAppender::append(std::span<const OutRecord> records,
                                                    const ConsumedOffsets* offsets) {
  const bool has_offsets = offsets != nullptr && !offsets->next_offsets.empty();
  if (records.empty() && !has_offsets) return std::vector<Position>{};
  XYD_RETURN_IF_ERROR(admin_.check_records(records));
  if (has_offsets) XYD_RETURN_IF_ERROR(check_offsets(*offsets));
  Item item;
  item.batch.records = records;
  item.batch.offsets = has_offsets ? offsets : nullptr;
  group_commit_.submit(item, [this](std::vector<Item*>& group) { flush_group(group); });
  if (!item.result) return make_error(Errc::fatal, "Kafka append finished without an outcome");
  return std::move(*item.result);
}

void GroupAppender::flush_group(std::vector<Item*>& group) {
  using Kind = TxnOutcome::Kind;
  try {
    std::lock_guard lock(producer_.mutex());
    std::vector<Item*> live(group.begin(), group.end());
    auto fail_all = [&](const Error& error) {
      for (Item* item : live) item->result = error;
      live.clear();
    };
    int retries = 0;
    int recreations = 0;
    while (!live.empty()) {
      std::vector<const TxnBatch*> batches;
      batches.reserve(live.size());
      for (const Item* item : live) batches.push_back(&item->batch);
      TxnOutcome out = session_.run(batches, Clock::now() + options_.transaction_timeout);
      if (out.kind != Kind::committed) {  // batches at fault fail alone; the others may go again
        for (auto& [index, error] : out.faults) live[index]->result = std::move(error);
        std::erase_if(live, [](const Item* item) { return item->result.has_value(); });
      }
      switch (out.kind) {
        case Kind::committed:
          for (size_t i = 0; i < live.size(); ++i) live[i]->result = std::move(out.positions[i]);
          live.clear();
          break;
        case Kind::batch_faults:
          if (out.faults.empty()) fail_all(out.error);
          break;
        case Kind::retry:
          if (++retries > 3) {
            fail_all(make_error(Errc::unavailable, "Kafka at " + options_.brokers + ": gave up after " +
                                                       std::to_string(retries) +
                                                       " aborted attempts; last: " + out.error.message));
            break;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100 * retries));
          break;
        case Kind::recreate: {
          Error error = producer_.drop_producer("an append");
          if (producer_.fenced() || ++recreations > 1) {
            fail_all(producer_.fenced() ? error : out.error);
          }
          break;
        }
        case Kind::failed:
          fail_all(out.error);
          break;
      }
    }
  } catch (const std::exception& ex) {
    for (Item* item : group) {
      if (!item->result) item->result = make_error(Errc::fatal, std::string("Kafka append failed: ") + ex.what());
    }
  }
}

}  // namespace xyd::log::kafka

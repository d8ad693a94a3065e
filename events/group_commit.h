// GroupCommit: concurrent callers queue their items; the first in line becomes the leader, takes
// the queue (up to a limit) and writes it in one go (one synced WriteBatch, one Kafka
// transaction); the others wait and wake with their outcome. LevelDB's writer queue, generalised.
// Thread-safe: any number of threads may call submit() at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace xyd {

template <typename Item>
class GroupCommit {
 public:
  explicit GroupCommit(size_t max_items_per_group = 1024) : max_items_(max_items_per_group) {}

  // Blocks until `item` has been written by `flush`, which may be called on this thread (as the
  // leader) with a group holding `item`, or on another thread. `flush(std::vector<Item*>&)` must
  // record each item's outcome in the item itself, and must not throw.
  template <typename Flush>
  void submit(Item& item, Flush&& flush) {
    Waiter self{&item, false, {}};
    std::unique_lock lock(mutex_);
    queue_.push_back(&self);
    while (!self.done && queue_.front() != &self) self.wake.wait(lock);
    if (self.done) return;

    std::vector<Item*> group;
    size_t taken = 0;
    for (Waiter* w : queue_) {
      if (taken == max_items_) break;
      group.push_back(w->item);
      ++taken;
    }
    lock.unlock();
    flush(group);
    lock.lock();
    for (size_t i = 0; i < taken; ++i) {
      Waiter* w = queue_.front();
      queue_.pop_front();
      w->done = true;
      if (w != &self) w->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();
  }

 private:
  struct Waiter {
    Item* item;
    bool done = false;
    std::condition_variable wake;
  };
  const size_t max_items_;
  std::mutex mutex_;
  std::deque<Waiter*> queue_;
};

}  // namespace xyd

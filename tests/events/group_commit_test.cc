#include "events/group_commit.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <thread>

BOOST_AUTO_TEST_SUITE(group_commit)

struct Item {
  int value = 0;
  int outcome = -1;
};

BOOST_AUTO_TEST_CASE(every_item_is_flushed_once_and_groups_form_under_contention) {
  xyd::GroupCommit<Item> queue(64);
  std::atomic<int> flushes{0}, flushed_items{0};
  std::atomic<bool> inside{false};
  std::vector<std::thread> threads;
  constexpr int kThreads = 8, kEach = 500;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Item item{t * kEach + i};
        queue.submit(item, [&](std::vector<Item*>& group) {
          if (inside.exchange(true)) ++wrong;  // two leaders at once
          ++flushes;
          BOOST_CHECK_LE(group.size(), 64u);
          for (Item* g : group) {
            g->outcome = g->value * 2;
            ++flushed_items;
          }
          std::this_thread::sleep_for(std::chrono::microseconds(50));
          inside = false;
        });
        if (item.outcome != item.value * 2) ++wrong;
      }
    });
  for (auto& th : threads) th.join();
  BOOST_CHECK_EQUAL(wrong.load(), 0);
  BOOST_CHECK_EQUAL(flushed_items.load(), kThreads * kEach);
  BOOST_CHECK_LT(flushes.load(), kThreads * kEach);  // some items shared a flush
}

BOOST_AUTO_TEST_SUITE_END()

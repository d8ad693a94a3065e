// Leaves an aborted transaction in the log under test, as the Kafka log's group commit does when it
// aborts a group and retries it (records at fault, a rebalanced consumer group, an abortable
// broker error). Used by the conformance suite from its test thread.
#pragma once

#include <vector>

#include "tests/support/test_log.h"

namespace xyd::test {

// On Kafka: a transactional producer of its own produces `records` (flushed, so they reach their
// partitions), sends `offsets` if given, and aborts. The embedded log never leaves an aborted
// transaction behind (a group is one WriteBatch, written or not): nothing to do there.
void write_aborted_transaction(const TestLog& t, const std::vector<log::OutRecord>& records,
                               const log::ConsumedOffsets* offsets);

}  // namespace xyd::test

// ChainVerifier: recomputes the hash chain of every aggregate from its records, fed in log order
// (partition by partition, offsets increasing; an aggregate lives in one partition), and keeps the
// first broken link of each broken aggregate. Memory grows with the number of aggregates (one
// head each: version and hash), never with the number of events. Owned by one thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "events/event_log.h"
#include "projections/chain.h"

namespace xyd::projections {

struct BrokenLink {
  std::string aggregate_type;
  std::string aggregate_id;
  int64_t version = 0;  // 0 when the record does not decode
  log::TopicPartition tp;
  int64_t offset = 0;
  Link link = Link::ok;
  std::string problem;

  // "application/app-1 version 3 at xyd.events.application/2@41: <problem>"
  std::string to_string() const;
};

struct VerifyReport {
  uint64_t events = 0;                   // records checked
  uint64_t aggregates = 0;               // aggregates seen
  uint64_t broken_links = 0;             // events whose link is wrong
  uint64_t broken_aggregates = 0;        // aggregates with at least one wrong link
  std::vector<BrokenLink> first_breaks;  // the first broken link of each broken aggregate, as found
  bool truncated = false;                // more broken aggregates than kept
  bool clean() const { return broken_links == 0; }
};

class ChainVerifier {
 public:
  explicit ChainVerifier(size_t max_reported = 100) : max_reported_(max_reported) {}

  // Checks only this aggregate's records (others are skipped, not counted).
  void only(std::string aggregate_type, std::string aggregate_id);
  // The next record of its partition.
  void add(const log::Record& record);

  const VerifyReport& report() const { return report_; }
  size_t heads() const { return heads_.size(); }

 private:
  struct Head {
    int64_t version = 0;
    std::array<char, 64> hash{};  // lower-case hex
    bool broken = false;
  };
  void record_break(const std::string& type, const std::string& id, int64_t version, const log::Record& record,
                    Link link, std::string problem, Head* head);

  size_t max_reported_;
  std::optional<std::pair<std::string, std::string>> only_;
  std::unordered_map<std::string, Head> heads_;  // "type\0id" -> head
  VerifyReport report_;
  ScannedEvent scanned_;
  std::string key_;
};

}  // namespace xyd::projections

// The demo's driver: carries out a DemoPlan against a running `xyd serve` over REST, each step as
// the actor who would take it (the system admin onboards institutions and creates their admins;
// admins create and add managers and publish products; enterprise users register enterprises,
// certify, publish demands, apply and withdraw; the manager the server assigned handles each
// order through acceptance, credit, drawdowns, repayments, overdue and write-off). Workers run
// over disjoint slices; the first refusal stops every worker and is returned, naming the step.
// Every order's final status is read back and checked against its planned path.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "ops/demo/caller.h"
#include "ops/demo/plan.h"

namespace xyd::ops::demo {

struct DriverOptions {
  std::string http;       // the server
  std::string data_dir;   // its data folder: the operator token and the SMS log
  std::string rules_dir;  // where certification.json is (the agreement version)
  size_t concurrency = 8;
};

// What the progress line shows; written by the driver, read by the printer thread.
struct DriverProgress {
  std::atomic<int> phase{0};  // index into phase_name()
  std::atomic<uint64_t> done{0}, total{0};
  CallCounters counters;
};

// "system admin", "institutions", "enterprise users", "enterprises", "done".
const char* phase_name(int phase);

[[nodiscard]] Status drive(const DemoPlan& plan, const DriverOptions& options, DriverProgress& progress);

}  // namespace xyd::ops::demo

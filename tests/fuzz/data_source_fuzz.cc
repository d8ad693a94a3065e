// Data-source record decode (connectors/data_source_record.h): any bytes as a record on
// xyd.data-sources, parsed as the intake parses them. An accepted record becomes an enterprise
// command whose id is the source's and whose aggregate is an enterprise.
#include "connectors/data_source_record.h"
#include "events/json_input.h"
#include "tests/fuzz/fuzz_check.h"

using namespace xyd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto record = events::parse_json_object(fuzz::bytes_of(data, size), events::kInputLimits, "record");
  if (!record.ok()) return 0;
  constexpr int64_t kNow = 1798761600000;  // 2027-01-01T00:00:00Z: the test's fixed clock
  auto command = connectors::read_data_source_record(*record, "fuzz-source", kNow);
  if (!command.ok()) {
    FUZZ_CHECK(!command.error().field.empty() && !command.error().rule.empty(), "a refusal names no field or rule");
    return 0;
  }
  FUZZ_CHECK(command->command_id.starts_with("data-source/fuzz-source/"), "the command id is not the source's");
  FUZZ_CHECK(command->aggregate_id.starts_with("ent-"), "the command is not about an enterprise");
  FUZZ_CHECK(command->name == "ChangeEnterpriseProfile" || command->name == "RecordRiskSignal",
             "the record became an unexpected command");
  (void)command->body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}

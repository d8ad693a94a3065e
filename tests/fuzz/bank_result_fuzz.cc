// Bank result decode (connectors/bank_result.h) and the dead letters of xyd.dlq
// (connectors/dead_letter.h): any bytes, as a bank would send them on its channel or as a
// record of xyd.dlq. A result that parses becomes a command with the channel's institution; a
// dead letter encodes and reads back.
#include "connectors/bank_result.h"
#include "connectors/dead_letter.h"
#include "tests/fuzz/fuzz_check.h"

using namespace xyd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = fuzz::bytes_of(data, size);
  auto parsed = connectors::parse_bank_result(bytes, "inst-fuzz");
  if (parsed.ok()) {
    FUZZ_CHECK(parsed->institution == "inst-fuzz", "a result from another institution was accepted");
    const domain::Command command = connectors::to_command(*parsed);
    FUZZ_CHECK(!command.name.empty(), "an accepted result has no command");
    FUZZ_CHECK(command.actor.institution == "inst-fuzz", "the command acts for another institution");
    (void)connectors::business_date(parsed->type, parsed->fields);
    (void)connectors::result_amount(parsed->type, parsed->fields);
  } else {
    FUZZ_CHECK(!parsed.error().field.empty() && !parsed.error().rule.empty(), "a refusal names no field or rule");
  }
  auto letter = connectors::dead_letter_from_json(bytes);
  if (letter.ok()) {
    auto again = connectors::dead_letter_from_json(connectors::to_record(*letter).value);
    FUZZ_CHECK(again.ok(), "a dead letter that was read does not read back");
    FUZZ_CHECK(again->id == letter->id, "a dead letter's id changed when written back");
  }
  return 0;
}

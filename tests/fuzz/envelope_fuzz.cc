// Envelope decode (events/codec.h): any bytes as a log record's value. decode and from_record
// answer a value or an error, never a crash; what decodes encodes again and decodes to itself.
#include "events/catalog.h"
#include "events/codec.h"
#include "tests/fuzz/fuzz_check.h"

using namespace xyd;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = fuzz::bytes_of(data, size);
  auto decoded = events::decode(bytes);
  log::Record record;
  record.topic = "xyd.events.account";
  record.value = std::string(bytes);
  auto read = events::from_record(record);
  // from_record also upcasts: it reads nothing decode refuses, and on a record of its type's current
  // schema version (nothing to upcast) the two agree.
  FUZZ_CHECK(decoded.ok() || !read.ok(), "from_record reads a record decode refuses");
  if (decoded.ok()) {
    const auto* type = events::EventCatalog::standard().by_type(decoded->type);
    if (type && decoded->schema_version == type->version)
      FUZZ_CHECK(read.ok(), "decode and from_record disagree on a current-version record");
  }
  if (!decoded.ok()) {
    FUZZ_CHECK(decoded.error().code == Errc::invalid_argument, "a refused record is not invalid_argument");
    return 0;
  }
  auto again = events::decode(events::encode(*decoded));
  FUZZ_CHECK(again.ok(), "an envelope that decoded does not decode after encoding");
  FUZZ_CHECK(*again == *decoded, "encode then decode changes an envelope");
  (void)events::canonical_encoding(*decoded);
  (void)events::hash_matches(*decoded);
  return 0;
}

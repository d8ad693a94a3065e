// The JSON limits (events/json_input.h): parse_json never throws, and what it accepts is within
// the limits it documents (size, depth, string length) and is JSON (no NUL byte, after which
// nlohmann's parser would ignore anything); a refusal names one documented rule.
#include <algorithm>
#include <vector>

#include "events/json_input.h"
#include "tests/fuzz/fuzz_check.h"

using namespace xyd;
using nlohmann::json;

namespace {

struct Shape {
  int depth = 0;  // arrays and objects inside one another (a scalar: 0)
  size_t longest_string = 0;
};

// Walks a document without recursion.
Shape shape_of(const json& document) {
  Shape shape;
  std::vector<std::pair<const json*, int>> stack{{&document, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    if (node->is_string())
      shape.longest_string = std::max(shape.longest_string, node->get_ref<const std::string&>().size());
    if (!node->is_structured()) continue;
    shape.depth = std::max(shape.depth, depth + 1);
    for (auto it = node->begin(); it != node->end(); ++it) {
      if (node->is_object()) shape.longest_string = std::max(shape.longest_string, it.key().size());
      stack.push_back({&*it, depth + 1});
    }
  }
  return shape;
}

void check(std::string_view bytes, const events::JsonLimits& limits) {
  auto parsed = events::parse_json(bytes, limits, "value");
  if (!parsed.ok()) {
    const auto& rule = parsed.error().rule;
    FUZZ_CHECK(rule == "max-size" || rule == "max-depth" || rule == "max-string-length" || rule == "json",
               "a refusal names a rule json_input.h does not document");
    FUZZ_CHECK(parsed.error().field == "value", "a refusal does not name what was parsed");
    FUZZ_CHECK(parsed.error().code == Errc::invalid_argument, "a refusal is not invalid_argument");
    return;
  }
  FUZZ_CHECK(bytes.size() <= limits.max_bytes, "accepted a document over max_bytes");
  // JSON has no raw NUL byte anywhere (nlohmann's parser stops at one, ignoring what follows).
  FUZZ_CHECK(bytes.find('\0') == std::string_view::npos, "accepted a document holding a NUL byte");
  const Shape shape = shape_of(*parsed);
  FUZZ_CHECK(shape.depth <= limits.max_depth, "accepted a document deeper than max_depth");
  FUZZ_CHECK(shape.longest_string <= limits.max_string, "accepted a string longer than max_string");
  auto object = events::parse_json_object(bytes, limits, "value");
  FUZZ_CHECK(object.ok() == parsed->is_object(), "parse_json_object disagrees with parse_json");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes = fuzz::bytes_of(data, size);
  check(bytes, events::kInputLimits);
  check(bytes, events::JsonLimits{512, 4, 16});  // small limits, so short inputs reach each of them
  return 0;
}

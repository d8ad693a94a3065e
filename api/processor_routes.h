// GET /api/v1/ops/processor: which command partitions this process owns and how much it has done
// (for operators, and for tests of partition ownership across processes). Registered once.
#pragma once

#include "aggregates/processor/command_processor.h"
#include "api/router.h"

namespace xyd::api {

void add_processor_routes(Router& router, const domain::CommandProcessor& processor, std::string node);

}  // namespace xyd::api

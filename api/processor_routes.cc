#include "api/processor_routes.h"

#include "api/access_check.h"

namespace xyd::api {

void add_processor_routes(Router& router, const domain::CommandProcessor& processor, std::string node) {
  router.add("GET", "/api/v1/ops/processor",
             guarded("ops.read", [&processor, node](const Request&) -> Result<Response> {
               auto stats = processor.stats();
               nlohmann::json partitions = nlohmann::json::array();
               for (const auto& tp : processor.assignment()) partitions.push_back(tp.partition);
               Response r;
               r.body = {{"node", node},
                         {"partitions", partitions},
                         {"commands", stats.commands},
                         {"events", stats.events},
                         {"transactions", stats.transactions},
                         {"failures", stats.failures},
                         {"last_error", processor.last_error()}};
               return r;
             }));
}

}  // namespace xyd::api

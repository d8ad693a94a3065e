// Test helper process: appends batches of ten records ("<batch>/<i>") to a topic forever and
// prints each batch number once the log acknowledged it. The kill -9 test kills it mid-write.
// usage: log_append_child BACKEND LOCATION TOPIC TRANSACTIONAL_ID FIRST_BATCH
#include <cstdio>
#include <string>

#include "events/log/open_log.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s BACKEND LOCATION TOPIC TRANSACTIONAL_ID FIRST_BATCH\n", argv[0]);
    return 2;
  }
  xyd::log::LogOptions options;
  options.backend = argv[1];
  options.embedded.path = argv[2];
  options.kafka.brokers = argv[2];
  options.kafka.transactional_id = argv[4];
  const std::string topic = argv[3];
  auto log = xyd::log::open_log(options);
  if (!log.ok()) {
    std::fprintf(stderr, "append child: %s\n", log.error().to_string().c_str());
    return 1;
  }
  if (auto created = (*log)->create_topics({{topic, 3}}); !created.ok()) {
    std::fprintf(stderr, "append child: %s\n", created.error().to_string().c_str());
    return 1;
  }
  for (int batch = std::stoi(argv[5]);; ++batch) {
    std::vector<xyd::log::OutRecord> records;
    for (int i = 0; i < 10; ++i)
      records.push_back({topic, "k" + std::to_string(i), std::to_string(batch) + "/" + std::to_string(i), {}, {}});
    auto appended = (*log)->append(records);
    if (!appended.ok()) {
      std::fprintf(stderr, "append child: %s\n", appended.error().to_string().c_str());
      return 1;
    }
    std::printf("%d\n", batch);
    std::fflush(stdout);
  }
}

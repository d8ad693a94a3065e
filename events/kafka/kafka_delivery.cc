// What a failed delivery means for its caller (kafka_delivery_internal.h): whether the record is
// at fault, and its refusal with field and rule. Stateless, callable from any thread.
#include "events/kafka/kafka_delivery_internal.h"

namespace xyd::log::kafka {

bool record_fault(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return true;
    default:
      return false;
  }
}

Error record_error(size_t index, const OutRecord& r, rd_kafka_resp_err_t err) {
  const std::string where = "record #" + std::to_string(index) + " (topic " + r.topic +
                            (r.partition ? ", partition " + std::to_string(*r.partition) : std::string()) + ")";
  switch (err) {
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
      return make_error(Errc::invalid_argument,
                        where + " is too large for Kafka (" + std::to_string(r.key.size() + r.value.size()) +
                            " bytes of key and value): " + err_text(err) +
                            "; keep records under message.max.bytes (1 MB by default)",
                        "records[" + std::to_string(index) + "].value", "max-size");
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return make_error(Errc::not_found,
                        where + ": no such topic or partition on Kafka (" + err_text(err) +
                            "); create the topic with EventLog::create_topics",
                        "records[" + std::to_string(index) + "].topic", "exists");
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      return make_error(Errc::refused, where + ": this client may not write the topic (" + err_text(err) +
                                           "); grant it Write on the topic");
    default:
      return make_error(Errc::invalid_argument, where + " was refused by Kafka: " + err_text(err),
                        "records[" + std::to_string(index) + "]", "kafka-record");
  }
}

}  // namespace xyd::log::kafka

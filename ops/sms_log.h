// SmsLog: the messages `xyd serve` "sent" through its log-file SMS channel (<data>/sms.log), read
// by the tools that act as the phones' owners beside a local server (`xyd demo`, `xyd load`): the
// registration code a phone received. The file is read incrementally (each call reads only what
// was appended since), so thousands of look-ups stay cheap. Thread-safe (one mutex).
#pragma once

#include <cstddef>
#include <fstream>
#include <mutex>
#include <string>
#include <unordered_map>

namespace xyd::ops {

class SmsLog {
 public:
  explicit SmsLog(std::string path) : path_(std::move(path)) {}
  // The `length` characters after `marker` in the last message to `phone`, once what was appended
  // to the file is read; empty when that message has no such marker (or there is none).
  std::string last_after(const std::string& phone, const std::string& marker, size_t length);
  // The 6-digit registration code last sent to `phone` (empty when none); the phone's messages
  // read so far are forgotten, so a long run's memory stays small.
  std::string registration_code(const std::string& phone);

 private:
  void read_appended();

  const std::string path_;
  std::mutex mutex_;
  std::ifstream in_;
  std::string partial_;                                // a line not yet ended
  std::unordered_map<std::string, std::string> last_;  // phone -> text of its last message
};

}  // namespace xyd::ops

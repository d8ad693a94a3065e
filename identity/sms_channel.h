// SmsChannel: how one-time login codes reach a phone. The default appends to a log file (for
// development and for an operator's relay); a gateway can be plugged in behind the same interface.
#pragma once

#include <fstream>
#include <memory>
#include <mutex>
#include <string>

#include "events/result.h"

namespace xyd::identity {

// Delivers a text message to a phone. Implementations are thread-safe.
class SmsChannel {
 public:
  virtual ~SmsChannel() = default;
  [[nodiscard]] virtual Status send(const std::string& phone, const std::string& text) = 0;
};

// Appends one line per message, "<RFC3339 UTC time>\t<phone>\t<text>", flushed at once. The file is
// the delivery, so the text (a login code) is there in full: protect it like the credentials. Tabs
// and line breaks in the phone or text become spaces. Thread-safe (a mutex serialises appends).
class LogFileSmsChannel final : public SmsChannel {
 public:
  explicit LogFileSmsChannel(std::string path);
  [[nodiscard]] Status send(const std::string& phone, const std::string& text) override;

 private:
  const std::string path_;
  std::mutex mutex_;
  std::ofstream out_;
};

std::unique_ptr<SmsChannel> make_log_file_sms_channel(const std::string& path);

}  // namespace xyd::identity

#include "identity/sms_channel.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "events/rocks/private_files.h"

namespace xyd::identity {
namespace {

// Now as RFC 3339 in UTC with milliseconds: 2024-05-01T08:30:00.123Z.
std::string rfc3339_utc_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  return buffer;
}

std::string one_field(std::string s) {
  for (char& c : s)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return s;
}

}  // namespace

LogFileSmsChannel::LogFileSmsChannel(std::string path) : path_(std::move(path)) {}

Status LogFileSmsChannel::send(const std::string& phone, const std::string& text) {
  std::string line = rfc3339_utc_now() + "\t" + one_field(phone) + "\t" + one_field(text) + "\n";
  std::lock_guard lock(mutex_);
  if (!out_.is_open()) {
    // Login codes are secrets: the file is created 0600 (its folder 0700) before the stream opens it.
    auto parent = std::filesystem::path(path_).parent_path();
    if (!parent.empty() && !log::create_private_folder(parent.string()).ok())
      return make_error(Errc::unavailable, "cannot create the folder of the SMS log");
    if (!log::create_private_file(path_).ok()) return make_error(Errc::unavailable, "cannot create the SMS log");
    out_.clear();
    out_.open(path_, std::ios::app | std::ios::binary);
    if (!out_.is_open()) return make_error(Errc::unavailable, "cannot open the SMS log " + path_);
  }
  out_ << line;
  out_.flush();
  if (!out_) {
    out_.close();  // reopen on the next message
    return make_error(Errc::unavailable, "cannot write to the SMS log " + path_);
  }
  return Status();
}

std::unique_ptr<SmsChannel> make_log_file_sms_channel(const std::string& path) {
  return std::make_unique<LogFileSmsChannel>(path);
}

}  // namespace xyd::identity

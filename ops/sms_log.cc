#include "ops/sms_log.h"

namespace xyd::ops {

// Lines are "<time>\t<phone>\t<text>\n" (identity/sms_channel.h).
void SmsLog::read_appended() {
  if (!in_.is_open()) {
    in_.open(path_, std::ios::binary);
    if (!in_.is_open()) return;
  }
  in_.clear();  // past the old end of the file: read on from there
  char buffer[64 * 1024];
  while (in_.read(buffer, sizeof buffer) || in_.gcount() > 0) {
    partial_.append(buffer, static_cast<size_t>(in_.gcount()));
    size_t start = 0;
    for (size_t end; (end = partial_.find('\n', start)) != std::string::npos; start = end + 1) {
      const std::string_view line(partial_.data() + start, end - start);
      const auto first = line.find('\t'), second = line.find('\t', first + 1);
      if (first == std::string_view::npos || second == std::string_view::npos) continue;
      last_[std::string(line.substr(first + 1, second - first - 1))] = std::string(line.substr(second + 1));
    }
    partial_.erase(0, start);
  }
}

std::string SmsLog::last_after(const std::string& phone, const std::string& marker, size_t length) {
  std::lock_guard lock(mutex_);
  read_appended();
  auto found = last_.find(phone);
  if (found == last_.end()) return {};
  const auto at = found->second.find(marker);
  return at == std::string::npos ? std::string() : found->second.substr(at + marker.size(), length);
}

std::string SmsLog::registration_code(const std::string& phone) {
  std::string code = last_after(phone, "registration code: ", 6);
  std::lock_guard lock(mutex_);
  last_.erase(phone);
  return code;
}

}  // namespace xyd::ops

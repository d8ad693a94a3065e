#include "identity/common_passwords.h"

#include <string>
#include <unordered_set>

namespace xyd::identity {

extern const std::string_view kCommonPasswordsText;  // generated from identity/data/common-passwords.txt

namespace {

const std::unordered_set<std::string_view>& common_passwords() {
  static const std::unordered_set<std::string_view> set = [] {
    std::unordered_set<std::string_view> words;
    std::string_view text = kCommonPasswordsText;
    while (!text.empty()) {
      auto end = text.find('\n');
      std::string_view word = text.substr(0, end);
      if (!word.empty()) words.insert(word);
      if (end == std::string_view::npos) break;
      text.remove_prefix(end + 1);
    }
    return words;
  }();
  return set;
}

}  // namespace

bool is_common_password(std::string_view password) {
  std::string lower(password);
  for (char& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return common_passwords().contains(lower);
}

}  // namespace xyd::identity

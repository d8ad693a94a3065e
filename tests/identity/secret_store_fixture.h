// A CredentialStore in a fresh temporary directory, removed after the test.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "identity/credential_store.h"

namespace xyd {
// So that Boost.Test can print an Errc in a failed comparison.
inline std::ostream& operator<<(std::ostream& os, Errc code) {
  return os << errc_name(code);
}
}  // namespace xyd

namespace xyd::test {

inline std::filesystem::path fresh_temp_dir(const std::string& name) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("xyd-" + name + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct StoreFixture {
  StoreFixture() : dir(fresh_temp_dir("secrets")) { reopen(); }
  ~StoreFixture() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  void reopen() {
    store.reset();
    auto opened = identity::CredentialStore::open((dir / "credentials").string());
    if (!opened.ok()) throw std::runtime_error(opened.error().to_string());
    store = std::move(opened).value();
  }

  std::filesystem::path dir;
  std::unique_ptr<identity::CredentialStore> store;
};

}  // namespace xyd::test

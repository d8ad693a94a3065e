// Secret files are private from the moment they exist, whatever the process's umask: the
// credential store's folder 0700, the SMS log 0600 (its folder 0700), the embedded log's folder
// 0700 (and any parent it makes); a loose folder or file is tightened, and says what it was.
#include "events/rocks/private_files.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "events/embedded/embedded_log.h"
#include "identity/sms_channel.h"
#include "tests/identity/secret_store_fixture.h"

using namespace xyd;

namespace {

unsigned mode_of(const std::filesystem::path& path) {
  struct stat info {};
  BOOST_REQUIRE_MESSAGE(::stat(path.c_str(), &info) == 0, path << " does not exist");
  return info.st_mode & 0777;
}

// Runs `body` with the usual umask 022 (files 0644, folders 0755 unless a mode is given), restoring it.
template <typename Body>
void with_umask_022(Body body) {
  const mode_t old = ::umask(022);
  body();
  ::umask(old);
}

}  // namespace

BOOST_AUTO_TEST_CASE(secret_files_are_created_private) {
  auto dir = test::fresh_temp_dir("private");
  with_umask_022([&] {
    auto store = identity::CredentialStore::open((dir / "data" / "credentials").string());
    BOOST_REQUIRE(store.ok());
    BOOST_CHECK_EQUAL(mode_of(dir / "data" / "credentials"), 0700u);
    BOOST_CHECK_EQUAL(mode_of(dir / "data"), 0700u);  // a parent it made

    auto sms = identity::make_log_file_sms_channel((dir / "sms" / "sms.log").string());
    BOOST_REQUIRE(sms->send("13800138000", "Your xyd login code is 123456").ok());
    BOOST_CHECK_EQUAL(mode_of(dir / "sms" / "sms.log"), 0600u);
    BOOST_CHECK_EQUAL(mode_of(dir / "sms"), 0700u);

    log::EmbeddedLogOptions options;
    options.path = (dir / "fresh-data" / "log").string();
    auto opened = log::open_embedded_log(options);
    BOOST_REQUIRE(opened.ok());
    BOOST_CHECK_EQUAL(mode_of(dir / "fresh-data"), 0700u);
    BOOST_CHECK_EQUAL(mode_of(dir / "fresh-data" / "log"), 0700u);
  });
  std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(loose_modes_are_tightened_and_reported) {
  auto dir = test::fresh_temp_dir("loose");
  std::filesystem::permissions(dir, std::filesystem::perms(0755));
  { std::ofstream(dir / "sms.log") << "x\n"; }
  std::filesystem::permissions(dir / "sms.log", std::filesystem::perms(0644));
  unsigned before = 0;
  auto changed = log::tighten_mode(dir.string(), 0700, &before);
  BOOST_REQUIRE(changed.ok());
  BOOST_CHECK(*changed);
  BOOST_CHECK_EQUAL(before, 0755u);
  BOOST_CHECK_EQUAL(mode_of(dir), 0700u);
  BOOST_CHECK(*log::tighten_mode((dir / "sms.log").string(), 0600));
  BOOST_CHECK_EQUAL(mode_of(dir / "sms.log"), 0600u);
  BOOST_CHECK(!*log::tighten_mode((dir / "sms.log").string(), 0600));  // already private
  BOOST_CHECK(!*log::tighten_mode((dir / "absent").string(), 0600));
  std::filesystem::remove_all(dir);
}

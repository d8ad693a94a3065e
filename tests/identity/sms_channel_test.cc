// LogFileSmsChannel: one line per message, "<RFC3339 UTC>\t<phone>\t<text>".
#include "identity/sms_channel.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>

#include "tests/identity/secret_store_fixture.h"

using namespace xyd;

BOOST_AUTO_TEST_CASE(sms_log_file_has_one_line_per_message) {
  auto dir = test::fresh_temp_dir("sms");
  auto path = dir / "sub" / "sms.log";
  auto channel = identity::make_log_file_sms_channel(path.string());
  BOOST_TEST(channel->send("13800138000", "Your xyd login code is 123456").ok());
  BOOST_TEST(channel->send("13900139000", "two\nlines\tand a tab").ok());

  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  BOOST_REQUIRE(lines.size() == 2u);
  std::regex shape(R"((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\t([^\t]*)\t([^\t]*))");
  std::smatch m;
  BOOST_REQUIRE(std::regex_match(lines[0], m, shape));
  BOOST_TEST(m[2].str() == "13800138000");
  BOOST_TEST(m[3].str() == "Your xyd login code is 123456");
  BOOST_REQUIRE(std::regex_match(lines[1], m, shape));
  BOOST_TEST(m[3].str() == "two lines and a tab");

  auto again = identity::make_log_file_sms_channel(path.string());  // appends, never truncates
  BOOST_TEST(again->send("13800138000", "third").ok());
  std::ifstream reread(path);
  size_t count = 0;
  for (std::string line; std::getline(reread, line);) ++count;
  BOOST_TEST(count == 3u);
  std::filesystem::remove_all(dir);
}

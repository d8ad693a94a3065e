// The probe routes against a real embedded log and projection store: /readyz answers 503 with
// Retry-After and a problem document naming the failing check while the views are not live yet,
// then 200 once they have caught up; /livez answers 200 throughout; /metrics is refused to a
// remote anonymous caller and answered to loopback. Through the Router, without HTTP.
#define BOOST_TEST_MODULE probe_routes
#include "api/probe_routes.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <thread>

#include "events/catalog.h"
#include "events/codec.h"
#include "events/log/open_log.h"

using namespace xyd;
using namespace std::chrono_literals;

namespace {

Result<api::Response> get(api::Router& router, const std::string& path, const std::string& peer = "127.0.0.1") {
  api::Request request;
  request.method = "GET";
  request.path = path;
  request.client_address = peer;
  return router.dispatch(request);
}

}  // namespace

BOOST_AUTO_TEST_CASE(readyz_names_the_failing_check_until_the_views_catch_up) {
  const auto dir = std::filesystem::temp_directory_path() / ("xyd-probes-" + events::uuid_v7().substr(0, 13));
  log::LogOptions log_options;
  log_options.backend = "embedded";
  log_options.embedded.path = (dir / "log").string();
  auto log = log::open_log(log_options);
  BOOST_REQUIRE_MESSAGE(log.ok(), log.error().to_string());
  BOOST_REQUIRE((*log)->create_topics(events::standard_topics(2)).ok());
  projections::runtime::RuntimeOptions options;
  options.path = (dir / "projections").string();
  options.rules_dir = XYD_RULES_DIR;
  auto runtime = projections::runtime::ProjectionRuntime::open(**log, options);
  BOOST_REQUIRE_MESSAGE(runtime.ok(), runtime.error().to_string());

  api::Router router;
  api::add_probe_routes(router, **log, **runtime, {50, 7, {}, {}});

  auto before = get(router, "/readyz");  // nothing started: no view is live
  BOOST_REQUIRE(before.ok());
  BOOST_CHECK_EQUAL(before->status, 503);
  BOOST_CHECK_EQUAL(before->headers["Retry-After"], "7");
  BOOST_CHECK_EQUAL(before->content_type, "application/problem+json");
  BOOST_CHECK_EQUAL(before->body["status"], 503);
  BOOST_CHECK_EQUAL(before->body["rule"], "views-caught-up");
  BOOST_CHECK_EQUAL(before->body["checks"]["views"], "failing");
  BOOST_CHECK_EQUAL(before->body["checks"]["log"], "ok");
  BOOST_CHECK(before->body["detail"].get<std::string>().find(dir.string()) == std::string::npos);
  BOOST_CHECK_EQUAL(get(router, "/livez")->status, 200);

  BOOST_REQUIRE((*runtime)->start().ok());
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    status = get(router, "/readyz")->status;
    if (status != 200) std::this_thread::sleep_for(50ms);
  }
  BOOST_CHECK_EQUAL(status, 200);
  BOOST_CHECK_EQUAL(get(router, "/readyz")->body["checks"]["views"], "ok");

  auto remote = get(router, "/metrics", "203.0.113.5");
  BOOST_REQUIRE(!remote.ok());
  BOOST_CHECK_EQUAL(remote.error().rule, "metrics-reader");
  auto local = get(router, "/metrics");
  BOOST_REQUIRE(local.ok());
  BOOST_CHECK(local->raw.find("# TYPE xyd_sse_open_streams gauge") != std::string::npos);
  (*runtime)->stop();
  runtime->reset();
  log->reset();
  std::filesystem::remove_all(dir);
}

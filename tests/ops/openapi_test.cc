// The OpenAPI document against the router: `xyd serve` (embedded log, empty data folder) writes
// its route table (--routes-file) and serves the document; every route must be documented and
// every documented route must exist, with the same path parameters. Also: the served document is
// the source file's bytes, and /docs with every asset its page loads answers 200.
#define BOOST_TEST_MODULE openapi
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/server_process.h"

namespace {

using namespace xyd::test;
using nlohmann::json;

// Documented routes that other branches of the same issue add to the router (probes, metrics,
// problem pages). Each is tolerated as missing from the router, with a message, until it lands;
// once the router has it, it is checked like any other route.
std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Server {
  std::string data = fresh_dir("openapi");
  std::string routes_file = data + ".routes";
  ServerProcess server{data, "openapi", {"--routes-file", routes_file}};
  std::set<std::string> routes;  // "METHOD /pattern"

  Server() {
    server.start();
    BOOST_REQUIRE_MESSAGE(server.wait_healthy(), "xyd serve did not start");
    std::ifstream in(routes_file);
    for (std::string method, pattern; in >> method >> pattern;) routes.insert(method + " " + pattern);
    BOOST_REQUIRE_MESSAGE(routes.size() > 40, "the server listed " << routes.size() << " routes");
  }
};

json source_document() {
  const json doc = json::parse(read_text(XYD_OPENAPI_SOURCE), nullptr, false);
  BOOST_REQUIRE_MESSAGE(doc.is_object(), XYD_OPENAPI_SOURCE << " is not a JSON object");
  return doc;
}

// "METHOD /pattern" of every documented operation.
std::set<std::string> documented_routes(const json& doc) {
  static const std::set<std::string> methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::set<std::string> found;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, operation] : item.items())
      if (methods.contains(method)) {
        std::string upper = method;
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        found.insert(upper + " " + path);
      }
  return found;
}

std::set<std::string> template_names(const std::string& path) {
  std::set<std::string> names;
  static const std::regex name("\\{([^}]+)\\}");
  for (std::sregex_iterator it(path.begin(), path.end(), name), end; it != end; ++it) names.insert((*it)[1]);
  return names;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_document_is_openapi_3_1_with_the_problem_schema) {
  const json doc = source_document();
  BOOST_TEST(doc.value("openapi", "").starts_with("3.1."));
  BOOST_TEST(doc["components"]["schemas"].contains("Problem"));
  BOOST_TEST(doc["components"]["securitySchemes"].contains("bearer"));
  std::set<std::string> operation_ids;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, operation] : item.items()) {
      BOOST_TEST_CONTEXT(method << " " << path) {
        BOOST_TEST(operation["responses"].contains("default"));  // every error: a problem document
        BOOST_TEST(operation_ids.insert(operation.value("operationId", "")).second);
        std::set<std::string> declared;
        for (const auto& parameter : operation.value("parameters", json::array()))
          if (parameter.value("in", "") == "path") declared.insert(parameter.value("name", ""));
        BOOST_TEST((declared == template_names(path)));
      }
    }
}

BOOST_AUTO_TEST_CASE(every_route_is_documented_and_every_documented_route_exists) {
  auto& world = shared_setup<Server>();
  const auto documented = documented_routes(source_document());
  for (const auto& route : world.routes)
    BOOST_TEST(documented.contains(route), route << " is served but not in " << XYD_OPENAPI_SOURCE);
  for (const auto& route : documented) {
    BOOST_TEST(world.routes.contains(route), route << " is documented but the router has no such route");
  }
}

BOOST_AUTO_TEST_CASE(the_served_document_is_the_source_file) {
  auto& world = shared_setup<Server>();
  auto reply = http_request(world.server.url(), "GET", "/api/v1/openapi.json");
  BOOST_TEST(reply.status == 200);
  BOOST_TEST(reply.headers["Content-Type"].starts_with("application/json"));
  BOOST_TEST(reply.raw == read_text(XYD_OPENAPI_SOURCE));
}

BOOST_AUTO_TEST_CASE(the_docs_page_and_every_asset_it_loads_answer_200) {
  auto& world = shared_setup<Server>();
  auto page = http_request(world.server.url(), "GET", "/docs");
  BOOST_REQUIRE(page.status == 200);
  BOOST_TEST(page.headers["Content-Type"].starts_with("text/html"));
  std::set<std::string> assets;
  static const std::regex reference("(?:src|href)=\"(/docs/[^\"]+)\"");
  for (std::sregex_iterator it(page.raw.begin(), page.raw.end(), reference), end; it != end; ++it)
    assets.insert((*it)[1]);
  BOOST_TEST(assets.size() >= 4u);  // the stylesheet, the bundle, the preset, the initializer
  for (const auto& asset : assets) {
    auto reply = http_request(world.server.url(), "GET", asset);
    BOOST_TEST(reply.status == 200, asset << " answered " << reply.status);
    BOOST_TEST(reply.raw.size() > 100u, asset << " has " << reply.raw.size() << " bytes");
  }
  auto bundle = http_request(world.server.url(), "GET", "/docs/swagger-ui-bundle.js");
  BOOST_TEST(bundle.headers["Content-Type"].starts_with("application/javascript"));
  BOOST_TEST(bundle.raw.find("SwaggerUIBundle") != std::string::npos);
  auto initializer = http_request(world.server.url(), "GET", "/docs/xyd-docs.js");
  BOOST_TEST(initializer.raw.find("/api/v1/openapi.json") != std::string::npos);
  // Only the page's own files: nothing else of the renderer's folder, no way out of it.
  for (const char* other : {"/docs/package.json", "/docs/..%2F..%2Fpackage.json", "/docs/index.html"})
    BOOST_TEST(http_request(world.server.url(), "GET", other).status == 404, other);
}

#include "tests/support/connector_world.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/results_collector.hpp>
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <random>
#include <thread>

namespace xyd::test {

using namespace std::chrono_literals;
using nlohmann::json;

ConnectorWorld::ConnectorWorld(const std::string& name, std::vector<std::string> flags)
    : data(fresh_dir(name)),
      run(std::to_string(std::random_device()() % 9000000 + 1000000)),
      server(data, name + "-" + run, std::move(flags)) {
  start_and_wait();
  server.kill_with(SIGTERM);
  phones["admin"] = phone(1);
  auto [status, output] = run_command_line(std::string(XYD_BINARY) + " admin create --phone " + phones["admin"] +
                                           " --data '" + data + "'" + backend_flags_text() + " 2>&1");
  BOOST_REQUIRE_MESSAGE(status == 0, "xyd admin create failed: " << output);
  const std::string initial = text_after(output, "one-time password: ", 16);
  BOOST_REQUIRE_EQUAL(initial.size(), 16u);
  start_and_wait();
  tokens["admin"] = first_login(phones["admin"], initial);
}

ConnectorWorld::~ConnectorWorld() {
  server.kill_with(SIGTERM);
  using boost::unit_test::framework::master_test_suite;
  if (boost::unit_test::results_collector.results(master_test_suite().p_id).passed()) {
    std::error_code ignored;
    std::filesystem::remove_all(data, ignored);
    std::filesystem::remove(data + ".server.log", ignored);
  }
}

std::string ConnectorWorld::phone(int n) const {
  return "15" + run + std::to_string(10 + n);
}

void ConnectorWorld::start_and_wait() {
  server.start();
  BOOST_REQUIRE_MESSAGE(server.wait_healthy(90s), "serve did not come up; see " << data << ".server.log");
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (call("", "POST", "/api/v1/sessions", {{"phone", phone(1)}, {"password", "any-password-1"}}).status == 503 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(100ms);
}

HttpReply ConnectorWorld::call(const std::string& who, const std::string& method, const std::string& path,
                               const json& body, std::map<std::string, std::string> headers) {
  if (!who.empty()) headers.merge(bearer(tokens.at(who)));
  return http_request(server.url(), method, path, body, headers);
}

json ConnectorWorld::ok(const std::string& who, const std::string& method, const std::string& path, const json& body) {
  auto reply = call(who, method, path, body);
  BOOST_REQUIRE_MESSAGE(reply.status == 200 || reply.status == 201,
                        who << " " << method << " " << path << " -> " << reply.status << " " << reply.body.dump());
  return reply.body;
}

std::string ConnectorWorld::first_login(const std::string& phone, const std::string& initial) {
  auto first = call("", "POST", "/api/v1/sessions", {{"phone", phone}, {"password", initial}});
  BOOST_REQUIRE_MESSAGE(first.status == 201, "first login of " << phone << ": " << first.body.dump());
  const std::string id = first.body["account"]["id"], restricted = first.body["token"];
  const std::string chosen = "pw-" + phone + "-chosen";
  auto changed = http_request(server.url(), "PUT", "/api/v1/accounts/" + id + "/password",
                              {{"current_password", initial}, {"new_password", chosen}}, bearer(restricted));
  BOOST_REQUIRE_MESSAGE(changed.status == 200, changed.body.dump());
  auto full = call("", "POST", "/api/v1/sessions", {{"phone", phone}, {"password", chosen}});
  BOOST_REQUIRE_EQUAL(full.status, 201);
  return full.body["token"];
}

void ConnectorWorld::create(const std::string& name, int n, json body) {
  body["phone"] = phones[name] = phone(n);
  auto reply = call("admin", "POST", "/api/v1/accounts", body);
  BOOST_REQUIRE_MESSAGE(reply.status == 201, name << ": " << reply.body.dump());
  ids[name] = reply.body["id"];
  const std::string initial = text_after(last_sms(data, phones[name]), "Initial password: ", 16);
  BOOST_REQUIRE_MESSAGE(initial.size() == 16, "no initial password was sent to " << name);
  tokens[name] = first_login(phones[name], initial);
}

void ConnectorWorld::register_owner(const std::string& name, int n) {
  phones[name] = phone(n);
  const std::string password = "pw-" + phones[name] + "-own";
  auto registered =
      register_with_code(server.url(), data, {{"phone", phones[name]}, {"region", "440300"}, {"password", password}});
  BOOST_REQUIRE_EQUAL(registered.status, 201);
  ids[name] = registered.body["id"];
  auto session = call("", "POST", "/api/v1/sessions", {{"phone", phones[name]}, {"password", password}});
  BOOST_REQUIRE_EQUAL(session.status, 201);
  tokens[name] = session.body["token"];
}

std::string ConnectorWorld::onboard(const std::string& tag, const std::string& region) {
  const std::string id = "ins-" + tag + "-" + run;
  ok("admin", "POST", "/api/v1/institutions",
     {{"id", id}, {"type", "bank"}, {"full_name", "测试银行 " + id}, {"short_name", id}, {"region", region}});
  return id;
}

std::string ConnectorWorld::publish_product(const std::string& institution, const std::string& region) {
  json terms = {{"institution", institution},  {"name", "科技贷"},      {"product_type", "credit"},
                {"amount_min", 100000},        {"amount_max", 3000000}, {"rate_min_bp", 350},
                {"rate_max_bp", 800},          {"term_min_months", 6},  {"term_max_months", 36},
                {"service_regions", {region}}, {"docking_mode", "api"}};
  return ok("admin", "POST", "/api/v1/products", terms)["id"];
}

std::string ConnectorWorld::enterprise(const std::string& owner, const std::string& region, const std::string& serial,
                                       bool certify) {
  const std::string uscc = make_uscc(region, serial);
  auto made = ok(owner, "POST", "/api/v1/enterprises",
                 {{"uscc", uscc},
                  {"name", "深圳测试科技有限公司" + serial},
                  {"legal_representative", "张三"},
                  {"region", region},
                  {"industry", "C"},
                  {"registered_capital", 5000000},
                  {"scale", "small"},
                  {"founded_on", "2015-06-01"}});
  const std::string id = made["id"];
  if (certify)
    ok(owner, "POST", "/api/v1/enterprises/" + id + "/certification",
       {{"method", "basic"}, {"agreement_version", "ECA-2025-01"}, {"agreement_read_seconds", 20}});
  return id;
}

}  // namespace xyd::test

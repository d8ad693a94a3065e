// ConnectorWorld: the set-up the connector suites share: an `xyd serve` on the backend under test
// (with the suite's flags), its first system admin, and helpers to create people, institutions,
// products and certified enterprises through the REST API as the right actors. Test thread only.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/server_process.h"

namespace xyd::test {

class ConnectorWorld {
 public:
  ConnectorWorld(const std::string& name, std::vector<std::string> flags);
  // Stops the server; removes its data folder when every test passed (kept for a failure).
  ~ConnectorWorld();

  std::string data;
  std::string run;  // a random tag that keeps ids and phones of this run apart
  ServerProcess server;
  std::map<std::string, std::string> ids, tokens, phones;  // by name

  std::string phone(int n) const;
  HttpReply call(const std::string& who, const std::string& method, const std::string& path,
                 const nlohmann::json& body = nullptr, std::map<std::string, std::string> headers = {});
  // A call that must answer 200 or 201; its body.
  nlohmann::json ok(const std::string& who, const std::string& method, const std::string& path,
                    const nlohmann::json& body = nlohmann::json::object());
  // An account the admin creates (kind, region, institution), logged in with a password of its own.
  void create(const std::string& name, int n, nlohmann::json body);
  // An enterprise user registering itself.
  void register_owner(const std::string& name, int n);
  // A bank onboarded by the admin; its id.
  std::string onboard(const std::string& tag, const std::string& region);
  // A credit product of `institution` serving `region`, published by the admin; its id.
  std::string publish_product(const std::string& institution, const std::string& region);
  // A registered (and, when asked, certified) enterprise of `owner`; its id.
  std::string enterprise(const std::string& owner, const std::string& region, const std::string& serial, bool certify);
  // Starts serve and waits until it answers; kills and restarts it to create the admin first.
  void start_and_wait();

 private:
  std::string first_login(const std::string& phone, const std::string& initial);
};

}  // namespace xyd::test

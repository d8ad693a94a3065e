// `xyd admin create --phone P [--region R] [--name N]`: the first system admin of an installation
// (there is no built-in account). It decides the command with a write side of its own, so the
// server on this data folder must be stopped; the one-time password it prints must be changed at
// the first login.
#include <iostream>

#include "aggregates/account.h"
#include "aggregates/identifiers.h"
#include "aggregates/processor/write_side.h"
#include "api/account_routes.h"
#include "events/catalog.h"
#include "events/codec.h"
#include "identity/credential_store.h"
#include "ops/commands.h"

namespace xyd::ops {

int run_admin_create(const CliOptions& options) {
  const std::string phone = options.flag("phone");
  if (auto valid = domain::check_mobile(phone, "--phone"); !valid.ok()) return fail("admin create", valid.error());
  auto log = log::open_log(options.log_options());
  if (!log.ok()) {
    std::cerr << "hint: xyd admin create needs the log and the data folder to itself: stop xyd serve on "
              << options.data_dir << " first" << std::endl;
    return fail("opening the log", log.error());
  }
  if (auto created = (*log)->create_topics(events::standard_topics(options.partitions)); !created.ok())
    return fail("creating the xyd topics", created.error());
  auto credentials = identity::CredentialStore::open(options.data_dir + "/credentials");
  if (!credentials.ok()) {
    std::cerr << "hint: stop xyd serve on " << options.data_dir << " first" << std::endl;
    return fail("opening the credential store", credentials.error());
  }
  domain::WriteSideOptions write_options;
  write_options.state_dir = options.data_dir + "/state";
  write_options.node = options.node + "-admin";
  // On Kafka a server stopped a moment ago still holds its partitions until its group session
  // times out (static membership, 10 s): wait that out rather than fail.
  write_options.outcome_timeout = std::chrono::seconds(60);
  auto write_side = domain::WriteSide::start(**log, write_options);
  if (!write_side.ok()) return fail("starting the command processor", write_side.error());

  const std::string password = api::initial_password();
  domain::Command command;
  command.id = "admin.create:" + events::uuid_v7();
  command.name = "CreateAccount";
  command.aggregate_type = "account";
  command.aggregate_id = domain::account_id_for_phone(phone);
  command.actor = {"", "system", "", ""};
  command.correlation_id = events::uuid_v7();
  command.body = {{"phone", phone},
                  {"kind", "system_admin"},
                  {"region", options.flag("region", "000000")},
                  {"name", options.flag("name", "system administrator")}};
  command.body_hash = events::sha256_hex(command.body.dump());
  if (auto stored = (*credentials)->set_password(command.id, password); !stored.ok())
    return fail("storing the password", stored.error());
  std::cerr << "xyd: creating the system admin (on Kafka this waits for the command partitions, up to a minute)..."
            << std::endl;
  auto outcome = (*write_side)->gateway().submit(command);
  if (!outcome.ok()) return fail("creating the admin", outcome.error());
  if (!outcome->accepted) return fail("creating the admin", outcome->error.value_or(Error{}));
  std::cout << "created system admin " << outcome->aggregate_id << " (phone " << phone << ")\n"
            << "one-time password: " << password << "\n"
            << "log in with POST /api/v1/sessions {\"phone\", \"password\"}; the first login must change it "
               "(PUT /api/v1/accounts/"
            << outcome->aggregate_id << "/password)" << std::endl;
  return 0;
}

}  // namespace xyd::ops

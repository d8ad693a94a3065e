// The read-side subcommands of `xyd`: `rebuild <projection>`, `projections`, `audit verify`.
// Each works on the data folder directly, or, when `xyd serve` holds it (the embedded log and the
// projection store are single-process), asks that server over HTTP (--http) and shows the same
// progress. Run on the main thread; each returns the process exit code.
#pragma once

#include <string>
#include <vector>

#include "ops/cli_options.h"
#include "projections/runtime/runtime.h"

namespace xyd::ops {

int run_rebuild(const CliOptions& options);
int run_projections(const CliOptions& options);
int run_audit_verify(const CliOptions& options);

// The projection runtime's settings for this command line: <data>/projections, the rule-set
// folder (--rules, XYD_RULES, ./ops/rules, else the source tree's ops/rules).
projections::runtime::RuntimeOptions runtime_options(const CliOptions& options);

// Every projection the process runs in its one runtime: the standard views and the connectors'
// (bank_results, which reads xyd.dlq beside the application events).
std::vector<projections::ProjectionSpec> process_projections();
// The names of the subscriptions `xyd serve` runs on that runtime (listed, never rebuilt).
std::vector<std::string> process_subscription_names();

// Whether an error opening a local store or log means another process (xyd serve) holds it.
bool held_by_another_process(const Error& error);

// GET/POST/DELETE `path` on the server of --http; a problem document comes back as its Error.
Result<nlohmann::json> call_server(const CliOptions& options, const std::string& method, const std::string& path,
                                   const nlohmann::json& body = nullptr);

}  // namespace xyd::ops

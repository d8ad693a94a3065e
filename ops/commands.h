// The xyd subcommands; each returns the process exit code. Run on the main thread.
#pragma once

#include "ops/cli_options.h"

namespace xyd::ops {

int run_serve(const CliOptions& options);
int run_log_tail(const CliOptions& options);
int run_log_sample(const CliOptions& options);
int run_version(const CliOptions& options);
int run_load(const CliOptions& options);
int run_admin_create(const CliOptions& options);
// `xyd demo`: a reproducible dataset created through a running server's REST API (ops/demo/).
int run_demo(const CliOptions& options);
// `xyd bank-sim`: a simulated bank answering an institution's accepted applications.
int run_bank_sim(const CliOptions& options);

// `xyd migrate --to kafka`: replays the embedded log of --data onto the Kafka of --brokers.
int run_migrate(const CliOptions& options);

// Prints "xyd: <what>: <error>" and a hint on stderr; returns 1.
int fail(const std::string& what, const Error& error);

}  // namespace xyd::ops

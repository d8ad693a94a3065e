// The xyd subcommands in one table: each one's words ("log tail"), what it does, its flags (the one
// table parse_cli reads them against) and what runs it. Constant data; read on the main thread.
#pragma once

#include <ostream>
#include <span>
#include <string_view>

#include "ops/cli_options.h"

namespace xyd::ops {

struct Command {
  std::string_view name;      // "serve", "log tail"
  std::string_view synopsis;  // its usage line after the name: positional words and required flags
  std::string_view summary;   // what it does ("\n" starts another line)
  std::span<const Flag> flags;
  int (*run)(const CliOptions&);
  bool takes_words = false;  // whether words that are not flags follow (else they are refused)
};

std::span<const Command> commands();
// The command named `name`, or nullptr.
const Command* find_command(std::string_view name);
// Whether `word` is the first word of commands of two words ("log", "audit", "admin").
bool is_command_group(std::string_view word);
// The usage of every command whose name is `prefix` or starts with it ("" for all), with the
// shared flags.
void print_usage(std::ostream& out, std::string_view prefix);

}  // namespace xyd::ops

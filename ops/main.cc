// xyd: the command line. The subcommands and their flags are one table (ops/command_table.cc);
// `xyd <command> --help` prints that usage and does nothing else. Runs on the main thread.
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "ops/command_table.h"
#include "ops/commands.h"

namespace {

bool asks_for_help(int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    const std::string_view word = argv[i];
    if (word == "--help" || word == "-h") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace xyd::ops;
  if (argc < 2) {
    print_usage(std::cerr, "");
    return 2;
  }
  std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(std::cout, argc >= 3 && name == "help" ? std::string_view(argv[2]) : std::string_view());
    return 0;
  }
  if (name == "--version") name = "version";  // as most tools take it
  int first = 2;
  if (is_command_group(name) && argc >= 3 && argv[2][0] != '-') {
    name += " " + std::string(argv[2]);
    first = 3;
  }
  const Command* command = find_command(name);
  const bool known = command != nullptr || is_command_group(name);
  if (known && asks_for_help(argc, argv, first)) {
    print_usage(std::cout, name);
    return 0;
  }
  if (command == nullptr) {
    std::cerr << "xyd: unknown command '" << name << "'\n";
    print_usage(std::cerr, is_command_group(name) ? std::string_view(name) : std::string_view());
    return 2;
  }
  auto options = parse_cli(std::vector<std::string>(argv + first, argv + argc), command->flags);
  if (options.ok() && !command->takes_words && !options->positional.empty())
    options = xyd::make_error(xyd::Errc::invalid_argument,
                              "unexpected word '" + options->positional.front() + "' (--help lists what it takes)",
                              "arguments", "none");
  if (!options.ok()) {
    (void)fail(name, options.error());
    return 2;
  }
  return command->run(*options);
}

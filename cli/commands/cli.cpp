#include "cli/commands/cli.h"

#include <ostream>

#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/commands/help.h"
#include "common/version.h"

namespace wharf::cli {
namespace {

std::vector<CommandSpec> Specs() {
  std::vector<CommandSpec> specs;
  for (const Command& c : AllCommands()) specs.push_back(c.spec);
  return specs;
}

int UnknownCommand(CliContext& ctx, const std::string& name) {
  ctx.err() << "wharf: '" << name << "' is not a wharf command.\nRun 'wharf help' to see the commands.\n";
  return 2;
}

int Help(CliContext& ctx, std::span<const std::string> args) {
  if (args.empty()) {
    ctx.out() << RenderHelpOverview(Specs(), WHARF_VERSION);
    return 0;
  }
  if (args.size() > 1) {
    ctx.err() << "Incorrect Usage: unexpected argument '" << args[1] << "'\n\nUSAGE:\n   wharf help [COMMAND]\n";
    return 2;
  }
  if (args[0] == "help") {
    ctx.out() << "NAME:\n   help - Show help for all commands or one\n\nUSAGE:\n   wharf help [COMMAND]\n\nALIAS:\n   h\n";
    return 0;
  }
  const Command* command = FindCommand(args[0]);
  if (command == nullptr) return UnknownCommand(ctx, args[0]);
  ctx.out() << RenderCommandHelp(command->spec);
  return 0;
}

}  // namespace

int RunWharf(std::span<const std::string> args, CliContext& ctx) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") return Help(ctx, {});
  if (args[0] == "help" || args[0] == "h") return Help(ctx, args.subspan(1));
  if (args[0] == "--version" || args[0] == "-v") {
    ctx.out() << "wharf version " << WHARF_VERSION << "\n";
    return 0;
  }
  const Command* command = FindCommand(args[0]);
  if (command == nullptr) return UnknownCommand(ctx, args[0]);

  Result<ParsedArgs> parsed = ParseArgs(command->spec, args.subspan(1));
  if (!parsed.ok()) {
    ctx.err() << RenderUsageError(command->spec, parsed.status().message());
    return 2;
  }
  if (parsed->help) {
    ctx.out() << RenderCommandHelp(command->spec);
    return 0;
  }
  Status status = command->run(ctx, *parsed);
  ctx.out() << std::flush;
  if (status.ok()) return ctx.exit_code().value_or(0);
  if (IsUsageError(status)) {
    ctx.err() << RenderUsageError(command->spec, status.message());
    return 2;
  }
  ctx.err() << status.message() << "\nFAILED\n";
  return 1;
}

}  // namespace wharf::cli

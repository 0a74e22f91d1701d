// wharf stacks: the root file systems apps may run on (GET /v1/stacks).
#include <ostream>

#include "api-model/apps/stack.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"
#include "common/facts/byte_size.h"

namespace wharf::cli {
namespace {

// "go 1.24.4, node 20.19.2, ..." in the catalogue's order of names.
std::string VersionsText(const api::Stack& s) {
  std::string out;
  for (const auto& [runtime, version] : s.versions) {
    if (version.empty()) continue;
    out += (out.empty() ? "" : ", ") + runtime + " " + version;
  }
  return out;
}

Status RunStacks(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(auto api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(auto all, api->GetAllAs<api::Stack>("/v1/stacks"));
  if (args.Has("json")) {
    nlohmann::json list = nlohmann::json::array();
    for (const api::Stack& s : all) list.push_back(s.ToJson());
    PrintJson(ctx, list);
    return Status::Ok();
  }
  ctx.out() << "Getting stacks" << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::Stack& s : all) {
    rows.push_back({s.name + (s.is_default ? " (default)" : ""), s.description,
                    s.size_bytes > 0 ? FormatBytes(static_cast<std::uint64_t>(s.size_bytes)) : "",
                    s.built_at, VersionsText(s)});
  }
  ctx.out() << RenderTable({"name", "description", "size", "built", "runtimes"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

}  // namespace

void AddStackCommands(std::vector<Command>& out) {
  out.push_back({{"stacks", {}, "Buildpacks", "List all stacks (root file systems apps run on)", "wharf stacks [--json]",
                  "An app runs on its droplet's stack, mounted read-only as / of its containers; staging runs on it "
                  "too. Choose one with 'wharf push -s STACK' or 'stack:' in the manifest; an app without one gets "
                  "the default. The host stack is the machine's own /usr and /etc, a developer option.",
                  {}, {JsonFlag()}},
                 RunStacks});
}

}  // namespace wharf::cli

// Users who log in with a password: create-user, delete-user, users (an admin's), passwd
// (anyone's own; an admin may set another user's with --user).
#include <ostream>

#include "api-model/platform/info.h"
#include "api-model/platform/user.h"
#include "cli/client/usage_error.h"
#include "cli/commands/commands.h"
#include "cli/output/table.h"

namespace wharf::cli {
namespace {

using nlohmann::json;

Result<api::User> FindUser(ApiClient& api, const std::string& name) {
  WHARF_ASSIGN_OR_RETURN(std::vector<api::User> all, api.GetAllAs<api::User>("/v1/users"));
  for (api::User& u : all) {
    if (u.name == name) return std::move(u);
  }
  return Status::NotFound("user '" + name + "' not found");
}

Status RunCreateUser(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  std::string password;
  if (args.positionals.size() > 1) {
    password = args.positionals[1];
  } else {
    WHARF_ASSIGN_OR_RETURN(password, PromptSecret(ctx, "Password for " + name));
  }
  ctx.out() << "Creating user " << name << ctx.AsUser() << "...\n";
  WHARF_ASSIGN_OR_RETURN(api::User created,
                         api->PostAs<api::User>("/v1/users", {{"name", name}, {"password", password}}));
  ctx.out() << "OK\n\nTIP: the user logs in with 'wharf login -u " << created.name << "'\n";
  return Status::Ok();
}

Status RunDeleteUser(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  const std::string& name = args.positionals[0];
  WHARF_ASSIGN_OR_RETURN(bool go, ConfirmDelete(ctx, args, "user " + name));
  if (!go) return Status::Ok();
  ctx.out() << "Deleting user " << name << ctx.AsUser() << "...\n";
  Result<api::User> user = FindUser(*api, name);
  if (!user.ok() && user.status().code() == StatusCode::kNotFound) {
    ctx.out() << "User " << name << " does not exist.\nOK\n";  // as cf delete-user
    return Status::Ok();
  }
  if (!user.ok()) return user.status();
  WHARF_RETURN_IF_ERROR(api->Delete("/v1/users/" + user->guid).status());
  ctx.out() << "OK\n";
  return Status::Ok();
}

Status RunUsers(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(std::vector<api::User> all, api->GetAllAs<api::User>("/v1/users"));
  if (args.Has("json")) {
    json items = json::array();
    for (const api::User& u : all) items.push_back(u.ToJson());
    PrintJson(ctx, items);
    return Status::Ok();
  }
  ctx.out() << "Getting users" << ctx.AsUser() << "...\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const api::User& u : all) rows.push_back({u.name, u.password ? "password" : "API token", u.created_at});
  ctx.out() << RenderTable({"name", "logs in with", "created"}, rows, ctx.term().out_is_tty);
  return Status::Ok();
}

Status RunPasswd(CliContext& ctx, const ParsedArgs& args) {
  WHARF_ASSIGN_OR_RETURN(ApiClient * api, ctx.Api());
  WHARF_ASSIGN_OR_RETURN(api::Whoami me, api->GetAs<api::Whoami>("/v1/whoami"));
  std::optional<std::string> other = args.Value("user");
  std::string guid = me.user.guid;
  json body = json::object();
  if (other && *other != me.user.name) {
    WHARF_ASSIGN_OR_RETURN(api::User user, FindUser(*api, *other));  // an admin's: /v1/users needs the role
    guid = user.guid;
    ctx.out() << "Changing the password of " << user.name << ctx.AsUser() << "...\n";
  } else {
    ctx.out() << "Changing the password of " << me.user.name << "...\n";
    WHARF_ASSIGN_OR_RETURN(std::string current, PromptSecret(ctx, "Current password"));
    body["current_password"] = current;
  }
  WHARF_ASSIGN_OR_RETURN(std::string fresh, PromptSecret(ctx, "New password"));
  WHARF_ASSIGN_OR_RETURN(std::string again, PromptSecret(ctx, "Verify password"));
  if (fresh != again) return Status::InvalidArgument("the new passwords do not match; nothing was changed");
  body["password"] = fresh;
  WHARF_RETURN_IF_ERROR(api->Put("/v1/users/" + guid + "/password", body).status());
  ctx.out() << "OK\n";
  if (!other || *other == me.user.name) {
    ctx.out() << "Every login of " << me.user.name << " has ended; log in again with 'wharf login -u " << me.user.name
              << "'\n";
  }
  return Status::Ok();
}

}  // namespace

void AddUserCommands(std::vector<Command>& out) {
  const char* group = "Users";
  out.push_back({{"create-user", {}, group, "Create a user who logs in with a password",
                  "wharf create-user USERNAME [PASSWORD]",
                  "Without PASSWORD it is asked for (no echo). The password is stored only as an Argon2id\n"
                  "hash; 8 to 1024 characters. Needs the admin role.",
                  {{"USERNAME"}, {"PASSWORD", false}}, {}},
                 RunCreateUser});
  out.push_back({{"delete-user", {}, group, "Delete a user", "wharf delete-user USERNAME [-f]",
                  "Their logins end at once. Needs the admin role; wharfd's own users (admin, router) stay.",
                  {{"USERNAME"}},
                  {{"f", 'f', FlagKind::kBool, "", "Force deletion without confirmation", false}}},
                 RunDeleteUser});
  out.push_back({{"users", {}, group, "List the users", "wharf users [--json]", "Needs the admin role.", {},
                  {JsonFlag()}},
                 RunUsers});
  out.push_back({{"passwd", {"pw"}, group, "Change a password", "wharf passwd [--user USERNAME]",
                  "Your own password: asks for the current one, then the new one twice; every login of\n"
                  "yours ends. An admin may set another user's with --user (no current password needed).\n"
                  "Without a terminal the answers are read from standard input, one per line.",
                  {},
                  {{"user", 0, FlagKind::kString, "USERNAME", "another user's password (admin)"}}},
                 RunPasswd});
}

}  // namespace wharf::cli

#include "api-model/apps/ssh.h"

#include "api-model/json_fields.h"

namespace wharf::api {

using nlohmann::json;

namespace {

constexpr int kMaxTerminalSide = 10000;

Status CheckSize(const SshSize& s) {
  if (s.columns < 1 || s.columns > kMaxTerminalSide || s.rows < 1 || s.rows > kMaxTerminalSide) {
    return Status::InvalidArgument("ssh: terminal size " + std::to_string(s.columns) + "x" + std::to_string(s.rows) +
                                   " is out of range (1 to 10000 columns and rows)");
  }
  return Status::Ok();
}

}  // namespace

Result<SshSize> SshSize::FromJson(const json& j) {
  SshSize s;
  FieldReader r(j, "ssh terminal size");
  r.Required("columns", s.columns).Required("rows", s.rows);
  if (!r.status().ok()) return r.status();
  WHARF_RETURN_IF_ERROR(CheckSize(s));
  return s;
}

json SshSize::ToJson() const { return {{"columns", columns}, {"rows", rows}}; }

Result<SshStart> SshStart::FromJson(const json& j) {
  SshStart s;
  FieldReader r(j, "ssh start");
  r.Optional("process_type", s.process_type)
      .Optional("index", s.index)
      .Optional("command", s.command)
      .Optional("tty", s.tty)
      .Optional("size", s.size)
      .Optional("term", s.term);
  if (!r.status().ok()) return r.status();
  if (s.index < 0) return Status::InvalidArgument("ssh start: field 'index' must not be negative");
  if (s.command.find('\0') != std::string::npos) {
    return Status::InvalidArgument("ssh start: field 'command' must not hold a NUL byte");
  }
  if (s.term.empty() || s.term.size() > 64 ||
      s.term.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.+") !=
          std::string::npos) {
    return Status::InvalidArgument("ssh start: field 'term' must be a terminal name such as xterm-256color");
  }
  return s;
}

json SshStart::ToJson() const {
  json j = {{"process_type", process_type}, {"index", index}, {"command", command}, {"tty", tty}, {"term", term}};
  if (size) j["size"] = size->ToJson();
  return j;
}

Result<SshExit> SshExit::FromJson(const json& j) {
  SshExit e;
  FieldReader r(j, "ssh exit");
  r.Required("exit_status", e.exit_status);
  if (!r.status().ok()) return r.status();
  return e;
}

json SshExit::ToJson() const { return {{"exit_status", exit_status}}; }

Result<SshEnabled> SshEnabled::FromJson(const json& j) {
  SshEnabled e;
  FieldReader r(j, "ssh_enabled");
  r.Required("enabled", e.enabled).Optional("reason", e.reason);
  if (!r.status().ok()) return r.status();
  return e;
}

json SshEnabled::ToJson() const { return {{"enabled", enabled}, {"reason", reason}}; }

}  // namespace wharf::api

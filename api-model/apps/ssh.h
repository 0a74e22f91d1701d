// `wharf ssh` (docs/api.md "SSH into an instance"): the frames exchanged over the WebSocket of
// GET /v1/apps/:guid/ssh, after the upgrade. Every binary frame starts with one channel byte;
// the rest is that channel's payload. The client's first frame is a text frame holding
// SshStart's JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace wharf::api {

// Client to server.
inline constexpr std::uint8_t kSshStdin = 0;     // bytes for the command's stdin
inline constexpr std::uint8_t kSshStdinEof = 1;  // no more stdin (a terminal gets ^D)
inline constexpr std::uint8_t kSshResize = 2;    // SshSize's JSON: the terminal's new size
// Server to client.
inline constexpr std::uint8_t kSshStdout = 1;    // with a terminal, everything comes here
inline constexpr std::uint8_t kSshStderr = 2;
inline constexpr std::uint8_t kSshExit = 3;      // SshExit's JSON; the server closes next
inline constexpr std::uint8_t kSshError = 4;     // UTF-8 text: why the session ended early

struct SshSize {
  int columns = 80;
  int rows = 24;
  static Result<SshSize> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// The session: which instance, what to run, with or without a terminal.
struct SshStart {
  std::string process_type = "web";
  int index = 0;
  std::string command;            // empty: an interactive shell
  bool tty = false;
  std::optional<SshSize> size;    // with tty: the initial size
  std::string term = "xterm";     // TERM inside, with tty
  static Result<SshStart> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

struct SshExit {
  int exit_status = 0;  // the command's; 128 + N when a signal N ended it
  static Result<SshExit> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

// Whether ssh may enter an app's instances (GET /v1/apps/:guid/ssh_enabled).
struct SshEnabled {
  bool enabled = false;
  std::string reason;  // why not, when not
  static Result<SshEnabled> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;
};

}  // namespace wharf::api

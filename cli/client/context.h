// Everything a command needs from the outside world, passed in rather than
// reached for: the terminal's streams, the environment, a clock, a way to
// sleep between polls, randomness for route names, and the API client for the
// configured target (created on first use and reused, so one invocation keeps
// one keep-alive connection).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cli/client/api_client.h"
#include "cli/client/config.h"
#include "cli/client/environment.h"
#include "common/status.h"
#include "common/time/clock.h"

namespace wharf::cli {

struct Terminal {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool in_is_tty = false;
  bool out_is_tty = false;
};

class CliContext {
 public:
  CliContext(Terminal terminal, const Environment& env, const Clock& clock, std::filesystem::path cwd);

  Terminal& term() { return term_; }
  std::ostream& out() { return term_.out; }
  std::ostream& err() { return term_.err; }
  const Environment& env() const { return env_; }
  const Clock& clock() const { return clock_; }
  const std::filesystem::path& cwd() const { return cwd_; }

  // Serialises output from a log-streaming thread and the main thread.
  std::mutex& output_mutex() { return output_mu_; }

  // Waits between polls. Tests replace it to make polling instant.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Uniform pick in [0, n); tests seed it.
  std::function<std::size_t(std::size_t)> random;

  Result<std::filesystem::path> ConfigPath() const { return ConfigFilePath(env_); }
  // The config file with WHARF_API / WHARF_TOKEN applied.
  Result<Config> EffectiveConfig() const;

  // The client for the target; an error when no API is set or (when
  // `need_login`) no token is known. A password login's access token that expires within
  // 30 s is refreshed first (POST /v1/auth/token with the saved refresh token), and the
  // new pair saved.
  Result<ApiClient*> Api(bool need_login = true);
  // A second, independent connection to the same target (for log streams
  // read while the main connection polls).
  Result<std::unique_ptr<ApiClient>> NewConnection();

  // " as admin" when the user is known, else "" — for "Getting apps as admin...".
  std::string AsUser();

  // A command that passes on another program's exit status (`wharf ssh`) sets it; a
  // successful command then exits with it instead of 0.
  void SetExitCode(int code) { exit_code_ = code; }
  std::optional<int> exit_code() const { return exit_code_; }

 private:
  Terminal term_;
  std::optional<int> exit_code_;
  const Environment& env_;
  const Clock& clock_;
  std::filesystem::path cwd_;
  std::mutex output_mu_;
  // The effective config, with its access token refreshed when it expires soon. At most once per
  // command: a refresh revokes the previous pair, so a second one (a log stream's connection opened
  // later in the same push) would revoke the token the main connection still holds.
  Result<Config> FreshConfig();
  std::optional<Config> fresh_;

  std::unique_ptr<ApiClient> api_;
  bool api_has_token_ = false;
};

}  // namespace wharf::cli

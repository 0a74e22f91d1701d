// Runs the servers' tools (initdb, pg_ctl, redis-server) as the unprivileged
// system users the Debian packages create (postgres, redis): fork, drop to the
// user's uid and gid (plus one supplementary group, so the process can traverse
// the data folder), exec the argv (never a shell), with stdin from /dev/null
// and a minimal environment; its output is captured through a file, so a
// server that daemonizes and keeps no pipe open does not hang the caller.
// The tool is killed if wharfd dies while it runs (PR_SET_PDEATHSIG); a server
// it detaches (its own fork) lives on, for the next wharfd to adopt.
//
// Why POSIX calls and not Boost.Process (the project's choice for running tools): between
// fork and exec this needs setgroups/setgid/setuid in that order, PR_SET_PDEATHSIG and a
// check against the race with the parent's exit. Boost.Process v2 (1.81) would run the
// same calls from an initializer's on_exec_setup hook, with the output file and the
// timeout still ours: the fork and exec stay in plain sight here instead.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace wharf::services::builtin {

struct SystemUser {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
};

// kUnavailable naming the user and the package that creates it when it does not exist.
Result<SystemUser> LookupSystemUser(const std::string& name, const std::string& package);

struct RunOutput {
  int exit_code = -1;  // 128+signal when killed
  std::string output;  // stdout and stderr, at most the last 16 KiB
};

// Runs `argv` (argv[0] an absolute path) as `user` (none: as the caller) with `extra_group`
// as its only supplementary group. Waits at most `timeout`, then kills it (kUnavailable).
Result<RunOutput> RunAs(const std::vector<std::string>& argv, const std::optional<SystemUser>& user,
                        std::optional<gid_t> extra_group, std::chrono::milliseconds timeout);

// RunAs that turns a non-zero exit into kInternal naming the tool and quoting its output.
Status RunAsChecked(const std::vector<std::string>& argv, const std::optional<SystemUser>& user,
                    std::optional<gid_t> extra_group, std::chrono::milliseconds timeout);

// The first executable among `candidates`, or kUnavailable naming `package`.
Result<std::string> FindExecutable(const std::vector<std::string>& candidates, const std::string& package);

// A TCP port of 127.0.0.1 free right now (bound to 0 and released).
Result<int> FreeLoopbackPort();

// Changes the owner of `path` (not following symlinks); kInternal naming it.
Status ChangeOwner(const std::string& path, uid_t uid, gid_t gid);

}  // namespace wharf::services::builtin

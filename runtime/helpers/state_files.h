// Names of the files in a container's state folder, shared by wharfd's runtime
// and the wharf-monitor helper. The monitor writes monitor.pid, init.pid and
// exit.json, each atomically (temporary file + rename), so a reader sees either
// no file or a whole one.
#pragma once

namespace wharf::runtime::files {

inline constexpr const char* kRecord = "container.json";   // written by wharfd at Start
inline constexpr const char* kMonitorPid = "monitor.pid";  // "<pid> <starttime>\n"
inline constexpr const char* kInitPid = "init.pid";        // "<host pid> <starttime>\n" of the container's init
inline constexpr const char* kExit = "exit.json";          // {"exit_code":..,"signal":..,"oom_killed":..,"exited_at_ms":..,"error":".."}
inline constexpr const char* kStdout = "stdout.log";
inline constexpr const char* kStderr = "stderr.log";
inline constexpr const char* kRuntimeLog = "runtime.log";  // the OCI runtime's own log
inline constexpr const char* kBundle = "bundle";           // folder holding config.json
inline constexpr const char* kNetns = "netns";             // bind mount of the network namespace

}  // namespace wharf::runtime::files

#include <thread>

#include "runtime/container_runtime.h"
#include "runtime/helpers/state_files.h"
#include "runtime/logs/file_tail.h"
#include "runtime/oci/exit_watcher.h"

namespace wharf::runtime {

Result<RunOutput> RunToCompletion(ContainerRuntime& runtime, const ContainerSpec& spec, std::chrono::seconds timeout,
                                  const OutputLineFn& on_line, const std::atomic<bool>* cancel) {
  WHARF_ASSIGN_OR_RETURN(auto started, runtime.Start(spec));
  FileTail out(started.state_dir / files::kStdout);
  FileTail err(started.state_dir / files::kStderr);
  auto emit_out = [&](std::string_view l) { on_line(l, false); };
  auto emit_err = [&](std::string_view l) { on_line(l, true); };

  RunOutput result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<ExitInfo> exit;
  while (!exit) {
    out.Poll(emit_out);
    err.Poll(emit_err);
    const bool cancelled = cancel != nullptr && cancel->load();
    if (cancelled || std::chrono::steady_clock::now() >= deadline) {
      (cancelled ? result.cancelled : result.timed_out) = true;
      Status stopped = runtime.Stop(spec.id, std::chrono::seconds(2));
      (void)stopped;  // Destroy below kills it for good either way
      break;
    }
    exit = WaitForExitFile(started.state_dir, std::chrono::milliseconds(50));
  }
  if (!exit) exit = ReadExitFile(started.state_dir);
  out.Poll(emit_out);
  err.Poll(emit_err);
  out.Flush(emit_out);
  err.Flush(emit_err);
  if (exit) {
    result.exit = *exit;
  } else {
    result.exit.exit_code = 137;
    result.exit.signal = 9;
  }
  Status destroyed = runtime.Destroy(spec.id);
  if (!destroyed.ok()) return destroyed.WithContext("after running container '" + spec.id + "'");
  return result;
}

}  // namespace wharf::runtime

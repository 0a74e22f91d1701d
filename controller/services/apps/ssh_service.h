// `wharf ssh`: who may enter an app's instances, and the command started in one
// (runtime's Exec through the cell: the instance's namespaces and cgroup, uid
// 2000, the app's environment with its profile scripts sourced, as Cloud
// Foundry's ssh does). The bytes are relayed by the API's ssh handler.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "controller/platform/event_recorder.h"
#include "controller/platform/instance_reporter.h"
#include "controller/platform/log_buffer.h"
#include "state/sql/db.h"

namespace wharf::controller {

struct SshRequest {
  std::string process_type = "web";
  int index = 0;
  std::string command;  // empty: an interactive shell
  bool tty = false;
  int columns = 80;     // with tty
  int rows = 24;
  std::string term = "xterm";
};

// A command running in an instance, with wharfd's ends of its streams.
class SshProcess {
 public:
  SshProcess(int pid, bool tty, int input_fd, int output_fd, int error_fd);
  ~SshProcess();  // hangs up a process still running and reaps it
  SshProcess(const SshProcess&) = delete;
  SshProcess& operator=(const SshProcess&) = delete;

  bool tty() const { return tty_; }
  int output_fd() const { return output_fd_; }  // stdout; with a tty, the terminal (all output)
  int error_fd() const { return error_fd_; }    // stderr; -1 with a tty
  // Writes all of `bytes` to the command's stdin (or terminal).
  Status WriteInput(std::string_view bytes);
  // End of input: the pipe is closed; a terminal gets ^D, as a keyboard would send it.
  void CloseInput();
  Status Resize(int columns, int rows);
  // Reaps the command once its output has ended; its exit status, 128 + N for signal N.
  int Wait();
  // Asks the command to end (SIGHUP), kills it after `grace`, and reaps it.
  void Hangup(std::chrono::milliseconds grace);

 private:
  int pid_;
  bool tty_;
  int input_fd_;
  int output_fd_;
  int error_fd_;
  bool reaped_ = false;
  int exit_status_ = 0;
};

class SshService {
 public:
  SshService(state::Database& db, EventRecorder& events, LogBuffer& logs, InstanceReporterSlot& cell)
      : db_(db), events_(events), logs_(logs), cell_(cell) {}

  // Whether ssh may enter the app's instances (kNotFound for an unknown app).
  Result<bool> Enabled(const std::string& app_guid);
  // Checks the app allows ssh (kPermissionDenied naming `wharf enable-ssh` otherwise), records
  // the access (event app-ssh-authorized, and an [SSH/N] line in the app's logs, as Cloud Foundry
  // writes), then starts the command in the instance. kNotFound when that instance is not running.
  Result<std::unique_ptr<SshProcess>> Open(const Actor& actor, const std::string& app_guid, const SshRequest& request);

  // wharfd is stopping: relays end their sessions.
  void Shutdown() { shut_down_ = true; }
  bool IsShutDown() const { return shut_down_; }

 private:
  state::Database& db_;
  EventRecorder& events_;
  LogBuffer& logs_;
  InstanceReporterSlot& cell_;
  std::atomic<bool> shut_down_{false};
};

}  // namespace wharf::controller

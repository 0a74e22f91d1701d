// wharfd: parse flags, start the daemon, wait for SIGTERM/SIGINT, stop cleanly.
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "common/open_file_limit.h"
#include "common/time/clock.h"
#include "controller/daemon/config.h"
#include "controller/daemon/daemon.h"
#include "controller/daemon/data_plane.h"
#include "controller/daemon/standalone_cell.h"
#include "controller/daemon/standalone_router.h"
#include "controller/dataplane/staging_scheduler.h"

int main(int argc, char** argv) {
  using wharf::controller::Invocation;
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* home = std::getenv("WHARF_HOME");
  auto inv = wharf::controller::ParseFlags(args, home ? home : "");
  if (!inv.ok()) {
    std::cerr << "wharfd: " << inv.status().message() << "\n\n" << wharf::controller::UsageText();
    return 2;
  }
  if (inv->kind == Invocation::Kind::kHelp) {
    std::cout << wharf::controller::UsageText();
    return 0;
  }
  if (inv->kind == Invocation::Kind::kVersion) {
    std::cout << "wharfd " << wharf::kWharfVersion << "\n";
    return 0;
  }

  // Block the stop signals in every thread (threads inherit the mask) and take them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a client that goes away is an error value, not a death
  wharf::RaiseOpenFileLimit();  // the router and the API hold thousands of connections

  wharf::SystemClock clock;
  const auto& config = inv->config;
  if (config.StandaloneRouter()) {
    auto router = wharf::controller::StandaloneRouter::Start(config, clock);
    if (!router.ok()) {
      std::cerr << "wharfd: " << router.status().message() << "\n";
      return 1;
    }
    std::cerr << "wharfd listening api=none router=" << (*router)->port() << " following=" << (*router)->api_url()
              << std::endl;
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::cerr << "wharfd: stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
    (*router)->Stop();
    return 0;
  }
  if (config.StandaloneCell()) {
    // A stop signal while it waits for the API ends the wait (the signals are blocked: look for a pending one).
    auto stopping = [&stop_signals] {
      sigset_t pending;
      sigemptyset(&pending);
      if (sigpending(&pending) != 0) return false;
      return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
    };
    auto cell = wharf::controller::StandaloneCell::Start(config, clock, stopping);
    if (!cell.ok()) {
      std::cerr << "wharfd: " << cell.status().message() << "\n";
      return 1;
    }
    std::cerr << "wharfd listening api=none router=none cell=" << config.cell_id << " following=" << (*cell)->api_url()
              << " runtime=" << (*cell)->runtime_name() << std::endl;
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::cerr << "wharfd: stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
    (*cell)->Stop();
    return 0;
  }
  // Builds wait in the scheduler's queue until the stager is attached (DataPlane).
  std::unique_ptr<wharf::controller::StagingScheduler> scheduler;
  if (config.HasRole("stager")) scheduler = std::make_unique<wharf::controller::StagingScheduler>();
  // The API answers only once the router, stager and cell run (DataPlane), so a
  // client that sees /v1/info answer can use the router port at once. Operations
  // left in progress go to the built-in brokers once they run again (DataPlane).
  wharf::controller::DaemonOptions options;
  options.serve_at_start = false;
  options.defer_service_resume = config.RunsBuiltinBrokers();
  auto daemon = wharf::controller::Daemon::Start(config, clock, options, scheduler.get());
  if (!daemon.ok()) {
    std::cerr << "wharfd: " << daemon.status().message() << "\n";
    return 1;
  }
  auto plane = wharf::controller::DataPlane::Start(config, clock, **daemon, scheduler.get());
  if (!plane.ok()) {
    std::cerr << "wharfd: " << plane.status().message() << "\n";
    return 1;
  }
  if (wharf::Status served = (*daemon)->Serve(); !served.ok()) {
    std::cerr << "wharfd: " << served.message() << "\n";
    return 1;
  }
  std::string api = (*daemon)->api_port() ? (*daemon)->platform().api_url : "none";
  std::cerr << "wharfd listening api=" << api << " router=" << (*plane)->router_port()
            << " runtime=" << ((*plane)->runtime_name().empty() ? "none" : (*plane)->runtime_name()) << " data_dir=" << (*daemon)->layout().root.string() << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "wharfd: stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
  (*plane)->Stop();
  plane->reset();
  (*daemon)->Stop(std::chrono::seconds(10));
  daemon->reset();
  return 0;
}

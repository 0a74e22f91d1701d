// wharf-router: the routing data plane as its own process, fed from a JSON routes file.
//   wharf-router --routes-file routes.json [--port 8080] [--admin-port 8081] [--threads N]
//                [--listen 0.0.0.0] [--access-log FILE]
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "common/clock.h"
#include "router/router.h"
#include "router/routes_file.h"

namespace {

int Usage(const std::string& why) {
  std::cerr << "wharf-router: " << why << "\n"
            << "usage: wharf-router --routes-file FILE [--port N] [--admin-port N] [--threads N]\n"
            << "                    [--listen ADDRESS] [--access-log FILE]\n";
  return 2;
}

bool ParsePort(const std::string& s, std::uint16_t* out) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0' || v < 0 || v > 65535) return false;
  *out = static_cast<std::uint16_t>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace wharf;
  using namespace wharf::router;
  RouterOptions options;
  std::string routes_file, access_log_path;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return Usage("missing value for " + flag);
    std::string value = argv[++i];
    if (flag == "--port") {
      if (!ParsePort(value, &options.port)) return Usage("invalid --port '" + value + "'");
    } else if (flag == "--admin-port") {
      std::uint16_t p = 0;
      if (!ParsePort(value, &p)) return Usage("invalid --admin-port '" + value + "'");
      options.admin_port = p;
    } else if (flag == "--threads") {
      options.threads = std::atoi(value.c_str());
      if (options.threads <= 0 || options.threads > 256) return Usage("invalid --threads '" + value + "'");
    } else if (flag == "--routes-file") {
      routes_file = value;
    } else if (flag == "--listen") {
      options.listen_address = value;
    } else if (flag == "--access-log") {
      access_log_path = value;
    } else {
      return Usage("unknown flag " + flag);
    }
  }
  if (routes_file.empty()) return Usage("--routes-file is required");
  if (options.threads == 0) options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // Block the stop signals in every thread; main waits for them with sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  SystemClock clock;
  RouteRegistry registry(options.threads + 1);
  FileRouteFeed feed(routes_file, std::chrono::milliseconds(500), [](const Status& s) {
    std::cerr << "routes-reload-failed error=\"" << s.ToString() << "\"\n";
  });
  Status s = feed.Subscribe(registry);
  if (!s.ok()) {
    std::cerr << "wharf-router: " << s.ToString() << "\n";
    return 1;
  }
  std::unique_ptr<AccessLogSink> sink;
  if (!access_log_path.empty()) {
    auto file = FileAccessLogSink::Open(access_log_path);
    if (!file.ok()) {
      std::cerr << "wharf-router: " << file.status().ToString() << "\n";
      return 1;
    }
    sink = std::move(*file);
  }
  auto router = Router::Start(options, registry, clock, sink.get());
  if (!router.ok()) {
    std::cerr << "wharf-router: " << router.status().ToString() << "\n";
    return 1;
  }
  std::cout << "router-started port=" << (*router)->port();
  if (auto admin = (*router)->admin_port()) std::cout << " admin_port=" << *admin;
  std::cout << " threads=" << options.threads << std::endl;

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cout << "router-stopping signal=" << sig << std::endl;
  (*router)->Stop();
  feed.Unsubscribe();
  return 0;
}
